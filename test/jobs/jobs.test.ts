// Jobs over HTTP on a real PostgreSQL: Prefer: respond-async gives 202 and a job URL; the job shows
// its progress, completes with the same answer as the request without the preference (translate, an
// Envoy diff, verify), is cancelled, fails with the engine's reason for bad input; GraphQL starts and
// polls jobs the same way.

import t from 'tap';
import { syntheticMesh } from '../../bench/mesh.js';
import { call, startTestServer, type Reply } from '../support/server.js';

const ASYNC = { prefer: 'respond-async' };

async function settled(url: string, location: string): Promise<Reply> {
  for (let i = 0; i < 600; i++) {
    const job = await call(url, 'GET', location);
    if (!['queued', 'running'].includes(job.body.state)) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${location} did not settle`);
}

t.test('jobs', async (t) => {
  const { url } = await startTestServer(t, { jobs: { maintenanceSeconds: 1 } });
  // 30 services: 60 sidecars, under the 100 proxies a translate of every proxy answers for.
  t.equal((await call(url, 'POST', '/api/v1/scenarios', { name: 'mesh', resources: syntheticMesh(30, 3) })).status, 201);

  await t.test('translate every proxy as a job: 202, progress, the same answer', async (t) => {
    const accepted = await call(url, 'POST', '/api/v1/scenarios/mesh/translate', {}, ASYNC);
    t.equal(accepted.status, 202);
    t.equal(accepted.headers.get('preference-applied'), 'respond-async');
    const location = accepted.headers.get('location')!;
    t.match(location, /^\/api\/v1\/jobs\/[0-9a-f-]{36}$/);
    t.match(accepted.body, { id: location.split('/').pop(), operation: 'translate', state: /queued|running/ });
    const done = await settled(url, location);
    t.equal(done.body.state, 'completed', done.body.error ?? '');
    t.same(done.body.progress, { done: 60, total: 60 }, 'progress counts proxies');
    t.equal(done.body.result, `${location}/result`);
    const result = await call(url, 'GET', done.body.result);
    const direct = await call(url, 'POST', '/api/v1/scenarios/mesh/translate', {});
    t.equal(direct.status, 200, 'without the preference: answered at once');
    t.same(result.body, direct.body, 'the job answers what the request answers');
  });

  await t.test('an Envoy diff of every proxy and a verify as jobs: progress, the same answers', async (t) => {
    const before = { resources: syntheticMesh(30, 3) };
    const after = { resources: syntheticMesh(31, 3) };
    const accepted = await call(url, 'POST', '/api/v1/envoy-diff', { before, after, detail: 'summary' }, ASYNC);
    t.equal(accepted.status, 202);
    t.match(accepted.body, { operation: 'envoyDiff' });
    const done = await settled(url, accepted.headers.get('location')!);
    t.equal(done.body.state, 'completed', done.body.error ?? '');
    t.ok(done.body.progress.total >= 60 && done.body.progress.done === done.body.progress.total, `progress counts proxies compared (${JSON.stringify(done.body.progress)})`);
    const direct = await call(url, 'POST', '/api/v1/envoy-diff', { before, after, detail: 'summary' });
    t.equal(direct.status, 200);
    t.same((await call(url, 'GET', done.body.result)).body, direct.body, 'the diff job answers what the request answers');

    const expectations = {
      expectations: [{ name: 'svc-0 reaches svc-1', proxy: { pod: 'ns-0/svc-0-v1' }, request: { host: 'svc-1.ns-1.svc.cluster.local', port: 8080, path: '/' }, expect: { error: null } }],
    };
    const verify = await call(url, 'POST', '/api/v1/scenarios/mesh/verify', { expectations }, ASYNC);
    t.equal(verify.status, 202);
    const verified = await settled(url, verify.headers.get('location')!);
    t.equal(verified.body.state, 'completed', verified.body.error ?? '');
    t.equal((await call(url, 'GET', verified.body.result)).body.results?.length, 1, 'the expectation ran');
    const directVerify = await call(url, 'POST', '/api/v1/scenarios/mesh/verify', { expectations });
    t.same((await call(url, 'GET', verified.body.result)).body, directVerify.body, 'the verify job answers what the request answers');
  });

  await t.test('a job for bad input fails with the reason; its result is a 409', async (t) => {
    const accepted = await call(url, 'POST', '/api/v1/scenarios/mesh/translate', { proxy: { pod: 'ns-0/nothing' } }, ASYNC);
    t.equal(accepted.status, 202);
    const failed = await settled(url, accepted.headers.get('location')!);
    t.equal(failed.body.state, 'failed');
    t.match(failed.body.error, /proxy\.pod/);
    t.equal(failed.body.attempts, 1, 'refused input is not retried');
    const result = await call(url, 'GET', `${accepted.headers.get('location')}/result`);
    t.equal(result.status, 409);
    t.match(result.body.detail, /is failed/);
  });

  await t.test('cancel', async (t) => {
    const big = { resources: syntheticMesh(1000), proxy: { pod: 'ns-0/svc-0-v1' } };
    const accepted = await call(url, 'POST', '/api/v1/translate', big, ASYNC);
    t.equal(accepted.status, 202);
    const cancelled = await call(url, 'DELETE', accepted.headers.get('location')!);
    t.equal(cancelled.status, 200);
    t.equal(cancelled.body.state, 'cancelled');
    t.equal((await settled(url, accepted.headers.get('location')!)).body.state, 'cancelled', 'and it stays so');
  });

  await t.test('unknown and malformed job ids', async (t) => {
    t.equal((await call(url, 'GET', '/api/v1/jobs/00000000-0000-4000-8000-000000000000')).status, 404);
    const bad = await call(url, 'GET', '/api/v1/jobs/nope');
    t.equal(bad.status, 400);
    t.match(bad.body.errors[0].path, /params\.id/);
  });

  await t.test('GraphQL: translateJob, then job(id) until completed', async (t) => {
    const started = await call(url, 'POST', '/graphql', { query: 'mutation { translateJob(name: "mesh", proxy: {pod: "ns-0/svc-0-v1"}) { id state } }' });
    t.notOk(started.body.errors);
    const id = started.body.data.translateJob.id;
    let job: any;
    for (let i = 0; i < 600; i++) {
      job = (await call(url, 'POST', '/graphql', { query: `{ job(id: "${id}") { state progress { done total } result } }` })).body.data.job;
      if (job.state === 'completed' || job.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    t.equal(job.state, 'completed');
    t.same(job.progress, { done: 1, total: 1 });
    t.equal(job.result.proxies[0].name.startsWith('svc-0-v1'), true);
    t.equal((await call(url, 'POST', '/graphql', { query: '{ job(id: "nope") { id } }' })).body.data.job, null);
  });

  await t.test('/metrics counts jobs by state', async (t) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    t.match(text, /meshplan_jobs\{state="completed"\} [1-9]/);
  });
});
