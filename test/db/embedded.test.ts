// The zero-set-up path: the real entry point on an embedded PostgreSQL whose data folder
// survives a restart; the example is loaded on the first start only; SIGTERM stops cleanly.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { call, freePort } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Started {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function startService(dataDir: string): Promise<Started> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) return { child, url, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`service did not become ready:\n${output}`);
}

async function stopService(s: Started): Promise<number | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

t.test('embedded PostgreSQL: start, write, restart, read back', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'meshplan-embedded-'));
  // As root, PostgreSQL runs as another user, which must reach the folder (mkdtemp makes it 0700).
  await chmod(dataDir, 0o755);
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  const first = await startService(dataDir);
  t.teardown(() => first.child.exitCode === null && first.child.kill('SIGKILL'));
  const listed = await call(first.url, 'GET', '/api/v1/scenarios');
  t.same(listed.body.items.map((s: any) => s.name), ['bookinfo'], 'the example is loaded on the first start');
  const example = await call(first.url, 'GET', '/api/v1/scenarios/bookinfo');
  t.match(example.body.resources, /kind: Gateway/);
  t.match(example.body.resources, /subset: v2/);

  const created = await call(first.url, 'POST', '/api/v1/scenarios', {
    name: 'kept',
    resources: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 80}]\n',
  });
  t.equal(created.status, 201);
  t.equal((await call(first.url, 'DELETE', '/api/v1/scenarios/bookinfo')).status, 204);
  t.equal(await stopService(first), 0, 'SIGTERM stops with exit code 0');

  const second = await startService(dataDir);
  t.teardown(() => second.child.exitCode === null && second.child.kill('SIGKILL'));
  const after = await call(second.url, 'GET', '/api/v1/scenarios');
  t.same(after.body.items.map((s: any) => s.name), ['kept'], 'data survived; the deleted example is not loaded again');
  const kept = await call(second.url, 'GET', '/api/v1/scenarios/kept');
  t.equal(kept.body.etag, created.body.etag);
  t.equal(await stopService(second), 0);
});
