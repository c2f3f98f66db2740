// The service under load and across restarts, as real processes (`npm start` on a real PostgreSQL):
// /healthz answers in milliseconds while heavy translations run in the worker threads; SIGTERM lets a
// heavy request in flight finish; a live proxy's config dump of 20 MiB is read off the event loop too; a job
// survives kill -9 of the instance running it.

import t from 'tap';
import { syntheticMesh } from '../../bench/mesh.js';
import { call, emptyDatabase } from '../support/server.js';
import { serverPid, startService } from '../support/service.js';

const BIG = syntheticMesh(500);
const heavy = (url: string) => call(url, 'POST', '/api/v1/translate', { resources: BIG, proxy: { pod: 'ns-0/svc-0-v1' } });

t.test('/healthz stays fast while heavy translations run; SIGTERM lets them finish', async (t) => {
  const databaseUrl = await emptyDatabase(t);
  const service = await startService(t, { env: { DATABASE_URL: databaseUrl, ENGINE_THREADS: '2', ENGINE_TIME_BUDGET_MS: '600000', LOG_LEVEL: 'warn' } });
  const running = [heavy(service.url), heavy(service.url)];
  let finished = 0;
  for (const r of running) void r.then(() => finished++);
  await new Promise((r) => setTimeout(r, 500));
  const times: number[] = [];
  while (finished === 0 && times.length < 1000) {
    const start = performance.now();
    if ((await fetch(`${service.url}/healthz`)).status !== 200) t.fail('/healthz not 200');
    times.push(performance.now() - start);
    await new Promise((r) => setTimeout(r, 10));
  }
  times.sort((a, b) => a - b);
  const p99 = times[Math.floor(times.length * 0.99)] ?? Infinity;
  t.ok(times.length >= 20, `${times.length} /healthz calls while the translations ran`);
  t.comment(`/healthz under two 500-service translations: median ${times[times.length >> 1]?.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
  // The bench's target is 20 ms on an idle machine; the test allows for a loaded CI host.
  t.ok(p99 < 500, `p99 ${p99.toFixed(1)} ms (one translation on the event loop would hold it for seconds)`);

  const inFlight = heavy(service.url);
  await new Promise((r) => setTimeout(r, 300));
  service.child.kill('SIGTERM');
  t.equal((await inFlight).status, 200, 'a heavy request in flight at SIGTERM is answered');
  t.same((await Promise.all(running)).map((r) => r.status), [200, 200]);
  t.equal(await service.exited, 0);
});

/** /healthz times (ms, sorted) while `busy` runs, and its p99. */
async function healthzWhile(url: string, busy: Promise<unknown>[]): Promise<{ times: number[]; p99: number }> {
  let finished = 0;
  for (const r of busy) void r.finally(() => finished++).catch(() => undefined);
  const times: number[] = [];
  while (finished < busy.length && times.length < 1000) {
    const start = performance.now();
    if ((await fetch(`${url}/healthz`)).status !== 200) throw new Error('/healthz not 200');
    times.push(performance.now() - start);
    await new Promise((r) => setTimeout(r, 10));
  }
  times.sort((a, b) => a - b);
  return { times, p99: times[Math.floor(times.length * 0.99)] ?? Infinity };
}

t.test('/healthz stays fast while live config dumps of a 1000-service mesh are read', async (t) => {
  const databaseUrl = await emptyDatabase(t);
  const service = await startService(t, { env: { DATABASE_URL: databaseUrl, ENGINE_THREADS: '2', ENGINE_TIME_BUDGET_MS: '600000', LOG_LEVEL: 'warn' } });
  const translated = await call(service.url, 'POST', '/api/v1/translate', { resources: syntheticMesh(1000), proxy: { pod: 'ns-0/svc-0-v1' } });
  const body = JSON.stringify({ configDump: translated.body.proxies[0].configDump, request: { port: 8080, host: 'svc-7.ns-7:8080' } });
  t.comment(`a sidecar's config dump: ${(body.length / 2 ** 20).toFixed(1)} MiB`);
  const trace = () => fetch(`${service.url}/api/v1/trace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const busy = [trace(), trace(), trace(), trace()];
  const { times, p99 } = await healthzWhile(service.url, busy);
  const answers = await Promise.all(busy);
  t.same(answers.map((a) => a.status), [200, 200, 200, 200]);
  t.match(answers[0].body.hops[0], { listener: '0.0.0.0_8080', cluster: 'outbound|8080|v1|svc-7.ns-7.svc.cluster.local' });
  t.ok(times.length >= 10, `${times.length} /healthz calls while four traces ran`);
  t.comment(`/healthz under four traces of the dump: median ${times[times.length >> 1]?.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
  // Parsing one such body and reading the dump on the event loop hold it for about 600 ms (p99 1058 ms
  // before they moved to the pool); 71-219 ms after, on an idle machine and beside another test file.
  t.ok(p99 < 400, `p99 ${p99.toFixed(1)} ms`);

  // The same dump as a GraphQL variable: the body is read in a thread, and the dump handed on as its bytes.
  const graphqlBody = JSON.stringify({
    query: 'query ($dump: JSON!, $request: TraceRequestInput!) { liveTrace(configDump: $dump, request: $request) { hops { listener cluster } } }',
    variables: { dump: translated.body.proxies[0].configDump, request: { port: 8080, host: 'svc-7.ns-7:8080' } },
  });
  const liveTrace = () =>
    fetch(`${service.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: graphqlBody }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const viaGraphQL = [liveTrace(), liveTrace(), liveTrace(), liveTrace()];
  const graphql = await healthzWhile(service.url, viaGraphQL);
  const graphqlAnswers = await Promise.all(viaGraphQL);
  t.same(graphqlAnswers.map((a) => a.status), [200, 200, 200, 200]);
  t.same(graphqlAnswers[0].body.data?.liveTrace.hops[0], answers[0].body.hops.map((h: any) => ({ listener: h.listener, cluster: h.cluster }))[0], 'the hop REST finds');
  t.comment(`/healthz under four GraphQL liveTraces of the dump: ${graphql.times.length} calls, median ${graphql.times[graphql.times.length >> 1]?.toFixed(1)} ms, p99 ${graphql.p99.toFixed(1)} ms`);
  t.ok(graphql.p99 < 400, `GraphQL: p99 ${graphql.p99.toFixed(1)} ms`);
  service.child.kill('SIGTERM');
  t.equal(await service.exited, 0);
});

t.test('/healthz stays fast while 1000-service meshes are stored from YAML', async (t) => {
  const databaseUrl = await emptyDatabase(t);
  const service = await startService(t, { env: { DATABASE_URL: databaseUrl, ENGINE_THREADS: '2', LOG_LEVEL: 'warn' } });
  const yaml = syntheticMesh(1000);
  const create = (name: string) => call(service.url, 'POST', `/api/v1/scenarios?name=${name}`, yaml);
  const busy = [create('a'), create('b')];
  const { times, p99 } = await healthzWhile(service.url, busy);
  const created = await Promise.all(busy);
  t.same(created.map((c) => c.status), [201, 201]);
  t.equal(created[0].body.objects.length, 5010, 'every object stored');
  t.same((await call(service.url, 'GET', '/api/v1/scenarios/a')).body.objects, created[0].body.objects, 'as the write answered');
  t.comment(`/healthz under two creates: ${times.length} calls, median ${times[times.length >> 1]?.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
  // Counting the documents with the yaml package held the loop for over a second, reading and checking them 0.2 s.
  t.ok(p99 < 250, `p99 ${p99.toFixed(1)} ms`);
  service.child.kill('SIGTERM');
  t.equal(await service.exited, 0);
});

t.test('a job survives kill -9 of the instance running it', async (t) => {
  const databaseUrl = await emptyDatabase(t);
  const env = { DATABASE_URL: databaseUrl, JOB_TIME_BUDGET_MS: '30000', JOB_MAINTENANCE_SECONDS: '1', JOB_CONCURRENCY: '1', LOG_LEVEL: 'warn' };
  const first = await startService(t, { env });
  const submit = async () => {
    const r = await call(first.url, 'POST', '/api/v1/translate', { resources: BIG, proxy: { pod: 'ns-1/svc-1-v1' } }, { prefer: 'respond-async' });
    t.equal(r.status, 202);
    return r.headers.get('location')!;
  };
  const running = await submit();
  const queued = await submit();
  for (let i = 0; i < 300 && (await call(first.url, 'GET', running)).body.state !== 'running'; i++) await new Promise((r) => setTimeout(r, 100));
  t.equal((await call(first.url, 'GET', running)).body.state, 'running', 'the first job runs');
  process.kill(serverPid(first), 'SIGKILL');
  await first.exited;

  const second = await startService(t, { env });
  const settled = async (location: string) => {
    for (let i = 0; i < 900; i++) {
      const job = (await call(second.url, 'GET', location)).body;
      if (!['queued', 'running'].includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 200));
    }
    return (await call(second.url, 'GET', location)).body;
  };
  const [a, b] = [await settled(running), await settled(queued)];
  t.equal(a.state, 'completed', `the job that was running when its instance died completed (${a.error ?? ''})`);
  t.ok(a.attempts >= 2, `on a second attempt (${a.attempts})`);
  t.equal(b.state, 'completed', 'the queued one too');
  const result = await call(second.url, 'GET', a.result);
  t.equal(result.body.proxies[0].name.startsWith('svc-1-v1'), true, 'with its answer');
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0);
});
