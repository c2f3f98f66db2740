// The engine pool: operations in worker threads give what the engine gives in-process, refusals
// cross the thread as the same InputError, work over its time budget is ended with a 503 that says
// what to narrow, heavy requests past the bound get 429 with Retry-After, and the caches keep to bytes.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { syntheticMesh } from '../../bench/mesh.js';
import { analyzeScenario, compileScenario, drift, envoyDiff, InputError, readLiveProxyConfig } from '../../src/engine.js';
import { engineOptions } from '../../src/config.js';
import { EngineBusyError, EngineOverloadError, EnginePool } from '../../src/worker/pool.js';
import { ScenarioCache } from '../../src/worker/scenarios.js';
import { readSample } from '../support/samples.js';
import { call, startTestServer } from '../support/server.js';

const bookinfo = readSample('bookinfo');
const expectations = readFileSync(new URL('../../samples/bookinfo.expectations.yaml', import.meta.url), 'utf8');
const pool = (options: Partial<ReturnType<typeof engineOptions>> = {}) => new EnginePool({ ...engineOptions({}), threads: 1, ...options });

t.test('a worker thread answers as the engine does in-process', async (t) => {
  const engine = pool();
  t.teardown(() => engine.close());
  const inProcess = compileScenario({ resources: bookinfo });
  const proxy = { pod: `${inProcess.index.proxies[0].namespace}/${inProcess.index.proxies[0].name}` };
  const answer = await engine.run('translate', { input: { resources: bookinfo } }, { proxy });
  t.equal(answer.json, JSON.stringify(inProcess.translate(proxy)), 'byte-identical translate');
  const request = { mode: 'gateway' as const, port: 8080, host: 'bookinfo.example', path: '/productpage' };
  const gateway = { type: 'router' as const, namespace: 'istio-system', labels: { istio: 'ingressgateway' } };
  t.same((await engine.run('trace', { input: { resources: bookinfo } }, { proxy: gateway, request })).value(), inProcess.trace(gateway, request));

  const refused = await engine.run('translate', { input: { resources: bookinfo } }, { proxy: { pod: 'default/nothing' } }).catch((e) => e);
  t.ok(refused instanceof InputError, 'a refusal is the same InputError');
  t.equal(refused.problems[0].path, 'proxy.pod');
  const bad = await engine.run('translate', { input: { resources: 'kind: Service\nspec: 3\n' } }, {}).catch((e) => e);
  t.ok(bad instanceof InputError && bad.problems.length > 0, 'bad manifests: every problem comes back');
});

t.test('verify, route-check, envoy-diff, drift and analyze run in a thread as they do in-process', async (t) => {
  const engine = pool();
  t.teardown(() => engine.close());
  const source = { input: { resources: bookinfo } };
  const inProcess = compileScenario({ resources: bookinfo });
  const verified = (await engine.run('verify', source, { expectations })).value();
  t.ok(verified.passed > 0, 'the sample expectations ran');
  t.same(verified, JSON.parse(JSON.stringify(inProcess.verify(expectations))), 'verify');

  const first = inProcess.index.proxies[0];
  const proxy = { pod: `${first.namespace}/${first.name}` };
  const routeConfig = inProcess.routeConfigurations(proxy)[0].name;
  const tests = [{ test_name: 'any', input: { authority: 'reviews', path: '/', method: 'GET' }, validate: {} }];
  t.same((await engine.run('routeCheck', source, { proxy, routeConfig, tests })).value(), JSON.parse(JSON.stringify(inProcess.routeCheck(proxy, routeConfig, tests))), 'route-check');

  // The other side from the same thread's cache: a mesh with one more service.
  const after = { input: { resources: `${bookinfo}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: extra, namespace: default}\nspec: {ports: [{port: 80, name: http}]}\n` } };
  const diff = (await engine.run('envoyDiff', source, { before: { scenario: source }, after: { scenario: after }, detail: 'summary' })).value();
  t.ok(diff.summary.changed > 0, 'the new service changes proxies');
  t.same(diff, JSON.parse(JSON.stringify(envoyDiff(inProcess, compileScenario(after.input), { detail: 'summary' }))), 'envoy-diff');

  const configDump = inProcess.translate(proxy).proxies[0].configDump;
  const drifted = (await engine.run('drift', source, { configDump, proxy })).value();
  t.equal(drifted.matches, true, 'its own config does not drift');
  t.same(drifted, JSON.parse(JSON.stringify(drift(inProcess, readLiveProxyConfig(configDump), proxy))), 'drift');
  const mixed = (await engine.run('envoyDiff', source, { before: { configDump, at: 'before.configDump' }, after: { scenario: source } })).value();
  t.equal(mixed.summary.unchanged, 1, 'a dump against its design: unchanged');

  // analyze reads what compiling refuses: a schema error is a message, not a refusal.
  const broken = { input: { resources: `${bookinfo}\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: bad, namespace: default}\nspec: {hosts: 3}\n` } };
  const analysis = (await engine.run('analyze', broken, { now: 0 })).value();
  t.same(analysis, JSON.parse(JSON.stringify(analyzeScenario({ ...broken.input, now: 0 }))), 'analyze');
  t.ok(analysis.messages.some((m) => m.code === 'IST0106'), 'the schema error is IST0106');
});

t.test('work over its time budget is ended, and the pool goes on', async (t) => {
  const engine = pool({ timeBudgetMs: 150 });
  t.teardown(() => engine.close());
  const big = { input: { resources: syntheticMesh(1000) } };
  const started = Date.now();
  const over = await engine.run('translate', big, { proxy: { pod: 'ns-0/svc-0-v1' } }).catch((e) => e);
  t.ok(over instanceof EngineOverloadError, 'EngineOverloadError');
  t.equal(over.statusCode, 503);
  t.match(over.message, /ran over its time budget of 0.15 s .*name one proxy.*ENGINE_TIME_BUDGET_MS/);
  t.ok(Date.now() - started < 3000, 'ended near its budget, not when the work would have ended');
  // A fresh thread boots first (seconds under the tests' TypeScript loader): a budget of its own.
  const after = await engine.run('translate', { input: { resources: bookinfo } }, { proxy: { pod: 'default/productpage-v1' } }, { budgetMs: 60_000 });
  t.ok(after.value().proxies.length === 1, 'a new thread takes the next request');
});

t.test('heavy requests past the bound get 429 with Retry-After', async (t) => {
  const engine = pool({ maxInFlight: 1, timeBudgetMs: 120_000 });
  t.teardown(() => engine.close());
  const server = await startTestServer(t, { engine });
  const big = { resources: syntheticMesh(1000), proxy: { pod: 'ns-0/svc-0-v1' } };
  const first = call(server.url, 'POST', '/api/v1/translate', big);
  while (engine.running === 0) await new Promise((r) => setTimeout(r, 20));
  const second = await call(server.url, 'POST', '/api/v1/translate', { resources: bookinfo, proxy: { pod: 'default/productpage-v1' } });
  t.equal(second.status, 429);
  t.match(second.headers.get('content-type'), /application\/problem\+json/);
  t.ok(Number(second.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
  t.match(second.body.detail, /ENGINE_MAX_IN_FLIGHT=1/);
  t.equal((await first).status, 200, 'the one in flight finishes');
  const third = await call(server.url, 'POST', '/api/v1/translate', { resources: bookinfo, proxy: { pod: 'default/productpage-v1' } });
  t.equal(third.status, 200, 'and then there is room again');
});

t.test('over HTTP, a request over its budget is a 503 problem naming what to narrow', async (t) => {
  const server = await startTestServer(t, { engine: { threads: 1, timeBudgetMs: 150 } });
  const reply = await call(server.url, 'POST', '/api/v1/translate', { resources: syntheticMesh(1000), proxy: { pod: 'ns-0/svc-0-v1' } });
  t.equal(reply.status, 503);
  t.match(reply.body, { status: 503, title: 'Service unavailable', detail: /time budget .*name one proxy/ });
  // Stored past the service: over HTTP its manifests are checked in an engine thread, within the same budget.
  t.ok((await server.store.create({ name: 'big', resources: syntheticMesh(300) })).created, 'stored');
  // (Its 150 ms include booting a new thread, since the REST call's thread was ended.)
  const traced = await call(server.url, 'POST', '/graphql', {
    query: '{ scenario(name: "big") { latest { translate(proxy: {pod: "ns-0/svc-0-v1"}) { warnings } } } }',
  });
  t.match(traced.body.errors?.[0], { message: /time budget/, extensions: { code: 'SERVICE_UNAVAILABLE' } }, 'GraphQL says the same');
});

t.test('the compiled-scenario cache keeps to its bytes', async (t) => {
  const inputs = [100, 120, 140].map((n) => ({ input: { resources: syntheticMesh(n) } }));
  const one = new ScenarioCache(Number.MAX_SAFE_INTEGER);
  one.get(inputs[0]);
  const size = one.bytes;
  t.ok(size > 100_000, `a compiled 100-service mesh is counted (${size} bytes)`);
  const bound = size * 1.5;
  const cache = new ScenarioCache(bound);
  for (const input of inputs) {
    cache.get(input);
    t.ok(cache.bytes <= bound || cache.size === 1, `under its bound after each (${cache.bytes} of ${Math.round(bound)}, ${cache.size} kept)`);
  }
  const kept = inputs.map((i) => cache.has(i));
  t.equal(kept[2], true, 'the newest stayed');
  t.same(kept, [...kept].sort(), 'what went went oldest first');
  t.ok(!kept[0] || cache.bytes <= bound, 'the oldest stays only when all fit');
  const tiny = new ScenarioCache(1);
  tiny.get(inputs[0]);
  t.equal(tiny.size, 1, 'one that alone is over the bound is kept while in use');
  tiny.get(inputs[1]);
  t.equal(tiny.size, 1, 'and goes when the next comes');
});

t.test('EngineBusyError carries Retry-After seconds', async (t) => {
  const engine = pool({ maxInFlight: 0 });
  t.teardown(() => engine.close());
  const busy = await engine.run('translate', { input: { resources: bookinfo } }, {}).catch((e) => e);
  t.ok(busy instanceof EngineBusyError);
  t.ok(busy.retryAfterSeconds >= 1);
});
