// SIGTERM to `npm start` while requests are in flight, over a real process on its embedded PostgreSQL:
// a request that arrives during the stop, on a kept-alive connection or a new one, gets a clean 503
// with Connection: close (never a reset or a refused connection), while the ones in flight finish,
// their database writes included, before PostgreSQL stops.

import { Agent, request as httpRequest } from 'node:http';
import t from 'tap';
import { syntheticMesh } from '../../bench/mesh.js';
import { call } from '../support/server.js';
import { logLines, startService, tempDataDir } from '../support/service.js';

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 80}]\n';

type Answer = { status: number; connection?: string; body: string } | { error: string };

/** One request on the given agent's sockets: its status and Connection header, or the socket error. */
const send = (agent: Agent, url: string, method: string, path: string, body?: unknown): Promise<Answer> =>
  new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      new URL(path, url),
      { method, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(payload);
  });

t.test('a request arriving during the stop gets a clean 503; the ones in flight finish and are stored', async (t) => {
  const dataDir = await tempDataDir(t);
  const service = await startService(t, { dataDir, env: { ENGINE_THREADS: '1', ENGINE_TIME_BUDGET_MS: '600000' } });
  const resources = Array.from({ length: 400 }, (_, i) => SERVICE.replace('name: a', `name: s${i}`)).join('---\n');

  // A kept-alive connection, idle when the signal comes: clients reuse these.
  const kept = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => kept.destroy());
  t.match(await send(kept, service.url, 'GET', '/healthz'), { status: 200 });

  // In flight at the signal: a heavy translation (it holds the stop open for seconds) and ten writes.
  const translation = call(service.url, 'POST', '/api/v1/translate', { resources: syntheticMesh(500), proxy: { pod: 'ns-0/svc-0-v1' } });
  const writes = Array.from({ length: 10 }, (_, i) => call(service.url, 'POST', '/api/v1/scenarios', { name: `w${i}`, resources }));
  const taken = () => logLines(service).filter((l) => l.msg === 'incoming request' && (l.req as { method?: string })?.method === 'POST').length;
  while (taken() < 11) await new Promise((r) => setTimeout(r, 5));
  service.child.kill('SIGTERM');
  while (!logLines(service).some((l) => String(l.msg).startsWith('stopping'))) await new Promise((r) => setTimeout(r, 5));

  // Arriving during the stop: on the kept-alive connection, and on a new one.
  const late = await send(kept, service.url, 'POST', '/api/v1/scenarios', { name: 'late', resources: SERVICE });
  const fresh = new Agent({ keepAlive: false });
  const lateNew = await send(fresh, service.url, 'GET', '/api/v1/scenarios');
  for (const [what, answer] of [['on a kept-alive connection', late], ['on a new connection', lateNew]] as const) {
    t.same('error' in answer ? { error: answer.error } : { status: answer.status, connection: answer.connection }, { status: 503, connection: 'close' }, `a request during the stop ${what}: 503, Connection: close`);
    if ('body' in answer) t.match(JSON.parse(answer.body), { status: 503, detail: /stopping/ }, 'a problem saying the service is stopping');
  }

  t.equal((await translation).status, 200, 'the translation in flight is answered');
  t.same((await Promise.all(writes)).map((a) => a.status), Array(10).fill(201), 'all 10 writes in flight are answered 201');
  t.equal(await service.exited, 0, 'exit code 0');

  const again = await startService(t, { dataDir });
  const names = (await call(again.url, 'GET', '/api/v1/scenarios?limit=50')).body.items.map((s: { name: string }) => s.name).sort();
  t.same(names, Array.from({ length: 10 }, (_, i) => `w${i}`).sort(), 'the 10 are stored; the refused one is not');
  again.child.kill('SIGTERM');
  t.equal(await again.exited, 0);
});
