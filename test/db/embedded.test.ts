// The zero-set-up path over real processes (`npm start` on an embedded PostgreSQL): data survives a
// restart, the example is loaded on the first start only, SIGTERM to npm's PID stops everything, and
// every state a laptop leaves the data folder in either recovers or fails with one clear line and exit 1.

import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { call } from '../support/server.js';
import { isAlive, logLines, serverPid, startService, tempDataDir, type Service } from '../support/service.js';

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 80}]\n';

const postmasterPid = async (dataDir: string): Promise<number> =>
  Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);

async function stop(s: Service): Promise<number | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

/** The one fatal line of a start that must fail, and its exit code. */
async function failedStart(s: Service): Promise<{ code: number | null; fatal: string[]; stacks: boolean }> {
  const code = await s.exited;
  const lines = logLines(s);
  return {
    code,
    fatal: lines.filter((l) => l.level === 60).map((l) => l.msg),
    stacks: /\n\s+at /.test(s.output()) || /undefined/.test(s.output()),
  };
}

t.test('start, write, restart, read back; SIGTERM to npm start stops node and postgres', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await startService(t, { dataDir, env: { SEED_EXAMPLE: 'true' } });
  const listed = await call(first.url, 'GET', '/api/v1/scenarios');
  t.same(listed.body.items.map((s: any) => s.name), ['bookinfo'], 'the example is loaded on the first start');
  const created = await call(first.url, 'POST', '/api/v1/scenarios', { name: 'kept', resources: SERVICE });
  t.equal(created.status, 201);
  t.equal((await call(first.url, 'DELETE', '/api/v1/scenarios/bookinfo')).status, 204);
  const node = serverPid(first);
  const postgres = await postmasterPid(dataDir);
  t.equal(await stop(first), 0, 'SIGTERM to the PID npm start gives: exit code 0');
  t.notOk(isAlive(node), 'the node server is gone');
  t.notOk(isAlive(postgres), 'the embedded PostgreSQL is gone');

  const second = await startService(t, { dataDir, env: { SEED_EXAMPLE: 'true' } });
  const after = await call(second.url, 'GET', '/api/v1/scenarios');
  t.same(after.body.items.map((s: any) => s.name), ['kept'], 'data survived; the deleted example is not loaded again');
  t.equal((await call(second.url, 'GET', '/api/v1/scenarios/kept')).body.etag, created.body.etag);
  t.equal(await stop(second), 0);
});

t.test('SIGTERM with writes in flight: every write finishes before PostgreSQL stops', async (t) => {
  const dataDir = await tempDataDir(t);
  const service = await startService(t, { dataDir });
  // Big enough that parsing and storing take a while, so the signal lands while they run.
  const resources = Array.from({ length: 400 }, (_, i) => SERVICE.replace('name: a', `name: s${i}`)).join('---\n');
  const writes = Array.from({ length: 10 }, (_, i) => call(service.url, 'POST', '/api/v1/scenarios', { name: `w${i}`, resources }));
  // SIGTERM once the service has taken all ten (its log has their "incoming request" lines).
  const taken = () => logLines(service).filter((l) => l.msg === 'incoming request' && (l.req as { method?: string })?.method === 'POST').length;
  while (taken() < 10) await new Promise((r) => setTimeout(r, 5));
  service.child.kill('SIGTERM');
  const answers = await Promise.all(writes);
  t.same(answers.map((a) => a.status), Array(10).fill(201), 'all 10 in-flight creates are answered 201');
  t.equal(await service.exited, 0);

  const again = await startService(t, { dataDir });
  const names = (await call(again.url, 'GET', '/api/v1/scenarios?limit=50')).body.items.map((s: any) => s.name).sort();
  t.same(names, Array.from({ length: 10 }, (_, i) => `w${i}`).sort(), 'and all 10 are stored');
  t.equal(await stop(again), 0);
});

t.test('after kill -9: the orphaned PostgreSQL is stopped and the service starts', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await startService(t, { dataDir });
  t.equal((await call(first.url, 'POST', '/api/v1/scenarios', { name: 'before', resources: SERVICE })).status, 201);
  const orphan = await postmasterPid(dataDir);
  process.kill(serverPid(first), 'SIGKILL');
  await first.exited;
  t.ok(isAlive(orphan), 'kill -9 of the service leaves its PostgreSQL running');
  t.teardown(() => isAlive(orphan) && process.kill(orphan, 'SIGKILL'));

  const second = await startService(t, { dataDir });
  t.notOk(isAlive(orphan), 'the orphan was stopped');
  t.ok(logLines(second).some((l) => l.level === 40 && /left running/.test(l.msg)), 'and the log says so');
  t.equal((await call(second.url, 'GET', '/api/v1/scenarios/before')).status, 200, 'what was stored before the kill is there');
  t.equal(await stop(second), 0);
});

t.test('a DATA_DIR held by a running instance: a clear error naming its PID, nothing touched', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await startService(t, { dataDir });
  const postgres = await postmasterPid(dataDir);
  const second = await startService(t, { dataDir, waitReady: false });
  const failed = await failedStart(second);
  t.equal(failed.code, 1, 'the second exits 1');
  t.equal(failed.fatal.length, 1, 'with one fatal line');
  t.match(failed.fatal[0], new RegExp(`DATA_DIR .* is in use by another meshplan \\(PID ${serverPid(first)}\\)`));
  t.notOk(failed.stacks, 'no stack, no undefined');
  t.ok(isAlive(postgres), "the first one's PostgreSQL is untouched");
  t.equal((await call(first.url, 'GET', '/readyz')).status, 200, 'and the first still serves');
  t.equal(await stop(first), 0);
});

t.test('the embedded port taken by something else: another free port is used and recorded', async (t) => {
  const dataDir = await tempDataDir(t);
  const squatter = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => squatter.once('listening', r));
  t.teardown(() => squatter.close());
  const taken = (squatter.address() as { port: number }).port;
  const service = await startService(t, { dataDir, env: { EMBEDDED_PG_PORT: String(taken) } });
  t.ok(logLines(service).some((l) => l.level === 40 && l.msg.includes(`port ${taken} is taken`)), 'a warning names the taken port');
  const lock = JSON.parse(await readFile(join(dataDir, 'meshplan.lock'), 'utf8'));
  t.not(lock.port, taken, 'the port used is recorded beside the data');
  t.equal((await call(service.url, 'POST', '/api/v1/scenarios', { name: 'x', resources: SERVICE })).status, 201);
  t.equal(await stop(service), 0);
});

t.test('a first start killed during initdb: the next start initialises again', async (t) => {
  const dataDir = await tempDataDir(t);
  // What a kill during initdb leaves: a half-filled cluster folder (the old layout) or the staging folder.
  await mkdir(join(dataDir, 'postgres', 'base'), { recursive: true });
  await writeFile(join(dataDir, 'postgres', 'PG_VERSION'), '18\n');
  await mkdir(join(dataDir, 'postgres.initdb'), { recursive: true });
  await writeFile(join(dataDir, 'meshplan.lock'), '{"pid":'); // a lock cut short by the kill
  const service = await startService(t, { dataDir });
  t.equal((await call(service.url, 'POST', '/api/v1/scenarios', { name: 'x', resources: SERVICE })).status, 201);
  t.equal(await stop(service), 0);
});

t.test('start-up failures: one line that says what to do, exit code 1', async (t) => {
  t.test('as root, a DATA_DIR the postgres user cannot reach', { skip: process.getuid?.() !== 0 && 'needs root' }, async (t) => {
    const parent = await tempDataDir(t);
    await import('node:fs/promises').then((fs) => fs.chmod(parent, 0o700));
    const failed = await failedStart(await startService(t, { dataDir: join(parent, 'data'), waitReady: false }));
    t.equal(failed.code, 1);
    t.equal(failed.fatal.length, 1);
    t.match(failed.fatal[0], /system user "postgres" .* cannot reach DATA_DIR .*: let it in/);
    t.notOk(failed.stacks);
  });

  const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
  t.test('a full disk', { skip: !canMount && 'needs root to mount a small tmpfs' }, async (t) => {
    const dir = await tempDataDir(t);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0755', 'tmpfs', dir]).status !== 0) { t.comment('mount refused: a full disk not tried'); return; }
    t.teardown(() => spawnSync('umount', ['-l', dir]));
    const failed = await failedStart(await startService(t, { dataDir: dir, waitReady: false }));
    t.equal(failed.code, 1);
    t.equal(failed.fatal.length, 1);
    t.match(failed.fatal[0], /disk .* is full: free some space/);
    t.notOk(failed.stacks);
  });

  t.test('a DATABASE_URL nothing listens on', async (t) => {
    const failed = await failedStart(
      await startService(t, { waitReady: false, env: { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' } }),
    );
    t.equal(failed.code, 1);
    t.equal(failed.fatal.length, 1);
    t.match(failed.fatal[0], /cannot reach the database .*check DATABASE_URL/);
    t.notOk(failed.stacks);
  });

  t.test("the service's own port taken", async (t) => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    t.teardown(() => squatter.close());
    const port = (squatter.address() as { port: number }).port;
    const failed = await failedStart(await startService(t, { port, dataDir: await tempDataDir(t), waitReady: false }));
    t.equal(failed.code, 1);
    t.equal(failed.fatal.length, 1);
    t.match(failed.fatal[0], /port is taken.*set PORT/);
    t.notOk(failed.stacks);
  });
});
