// SIGKILL while writes are in flight, in both database modes: after a restart every revision the
// service acknowledged (201) is there with the content it was acknowledged with, numbered without gaps.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { emptyDatabase, freePort } from '../support/server.js';
import { repoRoot } from '../support/samples.js';

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{name: http, port: 80}]}\n`;

async function startService(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  // The built service (npm test builds it; worker threads cannot load TypeScript under tsx). Its own process group, so a SIGKILL of the group takes an embedded PostgreSQL down with it, as a power cut would.
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/server.js'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port), SEED_EXAMPLE: 'false', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`service did not start: ${stderr}`);
}

const killGroup = (child: ChildProcess) => new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  process.kill(-child.pid!, 'SIGKILL');
});

async function writeUntilKilled(url: string, child: ChildProcess): Promise<Map<number, string>> {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const created = await post('/api/v1/scenarios', { name: 'kept', resources: service('v1') });
  if (created.status !== 201) throw new Error(`create: ${created.status}`);
  const acknowledged = new Map<number, string>([[1, service('v1')]]);
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const resources = service(`w${w}-${i}`);
      try {
        const res = await post('/api/v1/scenarios/kept/revisions', { resources }, { 'if-match': '*' });
        if (res.status === 201) acknowledged.set(((await res.json()) as { revision: number }).revision, resources);
      } catch {
        return; // the connection died with the service
      }
    }
  };
  const writers = [1, 2, 3, 4].map(writer);
  while (acknowledged.size < 15) await new Promise((resolve) => setTimeout(resolve, 20));
  await killGroup(child);
  stop = true;
  await Promise.all(writers);
  return acknowledged;
}

async function checkKept(t: Test, url: string, acknowledged: Map<number, string>): Promise<void> {
  const latest = (await (await fetch(`${url}/api/v1/scenarios/kept`)).json()) as { revision: number };
  t.ok(latest.revision >= Math.max(...acknowledged.keys()), `latest ${latest.revision} ≥ every acknowledged (${acknowledged.size})`);
  for (const [n, resources] of acknowledged) {
    const r = (await (await fetch(`${url}/api/v1/scenarios/kept/revisions/${n}`)).json()) as { resources: string };
    if (r.resources !== resources) t.fail(`revision ${n} changed or lost`);
  }
  const listed = (await (await fetch(`${url}/api/v1/scenarios/kept/revisions?limit=200`)).json()) as { items: { revision: number }[] };
  t.same(listed.items.map((r) => r.revision), Array.from({ length: latest.revision }, (_, i) => latest.revision - i), 'numbers without gaps');
}

t.test('SIGKILL during writes with DATABASE_URL', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, async (t) => {
  const databaseUrl = await emptyDatabase(t);
  const first = await startService({ DATABASE_URL: databaseUrl });
  const acknowledged = await writeUntilKilled(first.url, first.child);
  const second = await startService({ DATABASE_URL: databaseUrl });
  t.teardown(() => killGroup(second.child));
  await checkKept(t, second.url, acknowledged);
});

t.test('SIGKILL of the service and its embedded PostgreSQL during writes', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'meshplan-kill-'));
  await chmod(dataDir, 0o755);
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
  const first = await startService(env);
  const acknowledged = await writeUntilKilled(first.url, first.child);
  const second = await startService(env);
  t.teardown(async () => {
    process.kill(-second.child.pid!, 'SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  });
  await checkKept(t, second.url, acknowledged);
});
