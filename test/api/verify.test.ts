// Verify and route-check over HTTP (REST and GraphQL) on the bookinfo example and its expectations
// (samples/bookinfo.expectations.yaml), against a real PostgreSQL.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { bookinfoManifests } from '../../src/store/seed.js';
import { repoRoot } from '../support/samples.js';
import { call, startTestServer } from '../support/server.js';

const expectations = readFileSync(path.join(repoRoot, 'samples/bookinfo.expectations.yaml'), 'utf8');
const gateway = { pod: 'istio-system/istio-ingressgateway' };
const productpage = { pod: 'default/productpage-v1' };

t.test('verify and route-check', async (t) => {
  const { url } = await startTestServer(t);
  const resources = await bookinfoManifests();

  await t.test('stateless verify: every expectation of the example holds, with route coverage per proxy looked from', async (t) => {
    const res = await call(url, 'POST', '/api/v1/verify', { resources, expectations });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 800));
    t.equal(res.body.failed, 0, JSON.stringify(res.body.results.filter((r: any) => !r.passed)));
    t.equal(res.body.passed, res.body.results.length);
    t.ok(res.body.results.length >= 6);
    const proxies = res.body.coverage.proxies.map((p: any) => p.proxy);
    t.match(proxies, [/^default\/productpage-v1-/, /^istio-system\/istio-ingressgateway-/]);
    const ingress = res.body.coverage.proxies[1];
    t.ok(ingress.covered > 0 && ingress.covered < ingress.routes, `${ingress.covered} of ${ingress.routes} gateway routes covered`);
    t.match(ingress.uncovered[0], { routeConfig: 'http.8080', virtual_host: 'bookinfo.example:8080' });
    t.ok(res.body.coverage.percent > 0 && res.body.coverage.percent < 100);
  });

  await t.test('a failed expectation says what was expected and what happened, with its trace', async (t) => {
    const doc = {
      expectations: [
        { name: 'jason to v3 (wrong)', proxy: productpage, request: { port: 9080, host: 'reviews:9080', headers: { 'end-user': 'jason' } }, expect: { cluster: 'outbound|9080|v3|reviews.default.svc.cluster.local', hops: [{}, { proxy: { name: 'reviews-v3-*' } }] } },
        { name: 'no error', proxy: gateway, request: { port: 8080, host: 'bookinfo.example', path: '/nope' }, expect: { error: null } },
      ],
    };
    const res = await call(url, 'POST', '/api/v1/verify', { resources, expectations: doc });
    t.equal(res.status, 200);
    t.same([res.body.passed, res.body.failed], [0, 2]);
    const [wrong, noError] = res.body.results;
    t.same(wrong.failures, [
      { field: 'cluster', expected: 'outbound|9080|v3|reviews.default.svc.cluster.local', actual: 'outbound|9080|v2|reviews.default.svc.cluster.local' },
      { field: 'hops[1].proxy.name', expected: 'reviews-v3-*', actual: wrong.trace.hops[1].proxy.name },
    ]);
    t.match(wrong.trace.hops[1].proxy.name, /^reviews-v2-/);
    t.match(noError.failures, [{ field: 'error', expected: null, actual: { code: 'NO_ROUTE' } }]);
  });

  await t.test('bad expectations: 400 naming the document, the field and the reason', async (t) => {
    const doc = {
      expectations: [
        { name: 'no port', proxy: productpage, request: { host: 'reviews' }, expect: { clustr: 'x' } },
        { name: 'bad tls', proxy: { pod: 'default/nosuch' }, request: { port: 9080, tls: 'ssl' }, expect: {} },
      ],
      routeTests: [{ proxy: gateway, routeConfig: 'http.8080', tests: [{ test_name: 'x', input: { authority: 'a', path: '/' }, validate: { cluster: 'x' } }] }],
    };
    const res = await call(url, 'POST', '/api/v1/verify', { resources, expectations: doc });
    t.equal(res.status, 400);
    t.match(res.headers.get('content-type'), /application\/problem\+json/);
    const paths = res.body.errors.map((e: any) => e.path).sort();
    t.same(paths, ['expectations[0].expect.clustr', 'expectations[0].request.port', 'expectations[1].request.tls', 'routeTests[0].tests[0].validate.cluster']);
    for (const e of res.body.errors) t.match(e, { document: 0, kind: 'Expectations', message: /\w/ });
    const yaml = await call(url, 'POST', '/api/v1/verify', { resources, expectations: 'expectations: [' });
    t.equal(yaml.status, 400);
    t.match(yaml.body.errors[0], { document: 0, kind: 'Expectations', message: /^YAML: / });
    const pod = await call(url, 'POST', '/api/v1/verify', { resources, expectations: { expectations: [{ name: 'n', proxy: { pod: 'default/nosuch' }, request: { port: 1 }, expect: {} }] } });
    t.equal(pod.status, 400);
    t.match(pod.body.errors, [{ kind: 'Expectations', path: 'expectations[0].proxy.pod', message: /nosuch/ }]);
  });

  await t.test('stored with a revision: returned when read, hashed, diffed, verified', async (t) => {
    const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'shop', resources, expectations });
    t.equal(created.status, 201, JSON.stringify(created.body).slice(0, 500));
    t.equal(created.body.expectations.expectations.length, 6);
    const read = await call(url, 'GET', '/api/v1/scenarios/shop');
    t.same(read.body.expectations, created.body.expectations);
    const verified = await call(url, 'POST', '/api/v1/scenarios/shop/verify');
    t.equal(verified.status, 200, JSON.stringify(verified.body).slice(0, 500));
    t.equal(verified.body.failed, 0);

    const fewer = { expectations: created.body.expectations.expectations.slice(1), routeTests: created.body.expectations.routeTests };
    fewer.expectations[0] = { ...fewer.expectations[0], expect: { error: { code: 'NO_VIRTUAL_HOST' } } };
    const second = await call(url, 'POST', '/api/v1/scenarios/shop/revisions', { resources, expectations: fewer }, { 'if-match': read.headers.get('etag')! });
    t.equal(second.status, 201);
    t.not(second.body.contentHash, created.body.contentHash, 'expectations are part of the content hash');
    const diff = await call(url, 'GET', '/api/v1/scenarios/shop/diff?from=1&to=2');
    t.same(diff.body.expectations.removed, ['the ingress gateway sends /productpage to productpage']);
    t.same(diff.body.expectations.changed, ['an unknown path at the gateway gets 404']);
    const failing = await call(url, 'POST', '/api/v1/scenarios/shop/verify');
    t.equal(failing.body.failed, 1);
    const first = await call(url, 'POST', '/api/v1/scenarios/shop/verify?revision=1');
    t.equal(first.body.failed, 0);

    const none = await call(url, 'POST', '/api/v1/scenarios', { name: 'bare', resources });
    t.equal(none.body.expectations, null);
    t.equal(none.body.contentHash.length, 64);
    const refused = await call(url, 'POST', '/api/v1/scenarios/bare/verify', {});
    t.equal(refused.status, 400);
    t.match(refused.body.errors, [{ path: 'body.expectations' }]);
    const bad = await call(url, 'POST', '/api/v1/scenarios', { name: 'bad', resources, expectations: { expectations: [{ name: 'x' }] } });
    t.equal(bad.status, 400);
    t.match(bad.body.errors.map((e: any) => e.path).sort(), ['expectations[0].expect', 'expectations[0].proxy', 'expectations[0].request']);
    t.equal((await call(url, 'GET', '/api/v1/scenarios/bad')).status, 404, 'nothing stored');
  });

  await t.test('route-check over a generated route configuration, and a refused one', async (t) => {
    const tests = [
      { test_name: 'productpage', input: { authority: 'bookinfo.example', path: '/productpage', method: 'GET' }, validate: { cluster_name: 'outbound|9080||productpage.default.svc.cluster.local' } },
      { test_name: 'wrong', input: { authority: 'bookinfo.example', path: '/login', method: 'GET' }, validate: { cluster_name: 'outbound|9080||details.default.svc.cluster.local' } },
    ];
    const res = await call(url, 'POST', '/api/v1/route-check', { resources, proxy: gateway, routeConfig: 'http.8080', tests, coverage: 'detailed' });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    t.same([res.body.passed, res.body.failed], [1, 1]);
    t.same(res.body.results[1].failures, [{ field: 'cluster_name', expected: 'outbound|9080||details.default.svc.cluster.local', actual: 'outbound|9080||productpage.default.svc.cluster.local' }]);
    t.ok(res.body.coverage.uncovered.length > 0);
    const stored = await call(url, 'POST', '/api/v1/scenarios/shop/route-check', { proxy: gateway, routeConfig: 'http.8080', tests });
    t.same(stored.body.results, res.body.results);
    const unknown = await call(url, 'POST', '/api/v1/route-check', { resources, proxy: gateway, routeConfig: '9999', tests });
    t.equal(unknown.status, 400);
    t.match(unknown.body.errors, [{ path: 'routeConfig', message: /http\.8080/ }]);
    const refused = await call(url, 'POST', '/api/v1/route-check', { routeConfig: { virtual_hosts: [{ name: 'a', domains: ['*'], routes: [{ match: { prefx: '/' } }] }] }, tests });
    t.equal(refused.status, 400);
    t.match(refused.body.errors, [{ path: 'routeConfig.virtual_hosts[0].routes[0].match.prefx', message: /unknown field/ }]);
    const camel = await call(url, 'POST', '/api/v1/route-check', {
      routeConfig: { virtualHosts: [{ name: 'a', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c', prefixRewrite: '/x/' } }] }] },
      tests: [{ test_name: 'camel', input: { authority: 'h', path: '/y' }, validate: { cluster_name: 'c', path_rewrite: '/x/y' } }],
    });
    t.equal(camel.body.passed, 1, JSON.stringify(camel.body));
  });

  await t.test('trace: pick follows a weighted branch; outcome says how each hop ends', async (t) => {
    const canary = await call(url, 'POST', '/api/v1/trace', { resources, proxy: productpage, request: { port: 9080, host: 'reviews:9080', pick: { randomValue: 95 } } });
    t.equal(canary.body.hops[0].cluster, 'outbound|9080|v2|reviews.default.svc.cluster.local');
    t.same(canary.body.outcome, { kind: 'upstream' });
    t.match(canary.body.hops[0].steps.find((s: any) => s.stage === 'weighted_clusters').why, /random value 95 % 100 = 95/);
    const blocked = await call(url, 'POST', '/api/v1/trace', { resources, mesh: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }, proxy: productpage, request: { port: 80, host: 'example.com' } });
    t.equal(blocked.body.error, null);
    t.match(blocked.body.outcome, { kind: 'direct_response', status: 502, detail: /block_all/ });
    const tcp = await call(url, 'POST', '/api/v1/trace', { resources, mesh: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }, proxy: productpage, request: { port: 443, protocol: 'tcp', tls: 'tls', host: 'example.com' } });
    t.match(tcp.body.outcome, { kind: 'blackhole' });
    const noRoute = await call(url, 'POST', '/api/v1/trace', { resources, proxy: gateway, request: { port: 8080, host: 'bookinfo.example', path: '/nope' } });
    t.match(noRoute.body, { error: { code: 'NO_ROUTE' }, outcome: { kind: 'error', status: 404 } });
  });

  await t.test('GraphQL: Revision.expectations, Revision.verify and Revision.routeCheck', async (t) => {
    const query = `{ scenario(name: "shop") { at(revision: 1) { expectations verify { passed failed results { name passed } coverage }
      routeCheck(proxy: {pod: "istio-system/istio-ingressgateway"}, routeConfig: "http.8080",
        tests: [{test_name: "p", input: {authority: "bookinfo.example", path: "/productpage"}, validate: {virtual_host_name: "bookinfo.example:8080"}}]) } } }`;
    const res = await call(url, 'POST', '/graphql', { query });
    t.notOk(res.body.errors, JSON.stringify(res.body.errors));
    const rev = res.body.data.scenario.at;
    t.equal(rev.expectations.expectations.length, 6);
    t.equal(rev.verify.failed, 0);
    t.equal(rev.verify.passed, rev.verify.results.length);
    t.equal(rev.routeCheck.passed, 1);
    const bad = await call(url, 'POST', '/graphql', { query: '{ scenario(name: "shop") { latest { verify(expectations: {expectations: [{name: "x", proxy: {pod: "default/productpage-v1"}, request: {port: 0}, expect: {}}]}) { passed } } } }' });
    t.equal(bad.body.errors[0].extensions.code, 'BAD_USER_INPUT');
    t.match(bad.body.errors[0].extensions.problems, [{ path: 'expectations[0].request.port' }]);
  });
});
