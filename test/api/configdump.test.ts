// A live proxy's config dump over HTTP: proxy-config (JSON, istioctl's text, -o json|yaml) and trace
// take { configDump } where resources + proxy name an Envoy otherwise; what is not a dump is a 400. A dump
// over 1 MiB is read in a worker thread, with the same answers and problems.

import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { syntheticMesh } from '../../bench/mesh.js';
import { LARGE_JSON_BYTES } from '../../src/api/bodies.js';
import { bookinfoManifests } from '../../src/store/seed.js';
import { call, startTestServer } from '../support/server.js';

t.test('config dumps as input', async (t) => {
  const { url } = await startTestServer(t);
  const resources = await bookinfoManifests();
  const translated = await call(url, 'POST', '/api/v1/translate', { resources, proxy: { pod: 'default/productpage-v1' } });
  t.equal(translated.status, 200);
  const configDump = translated.body.proxies[0].configDump;

  await t.test('proxy-config of a dump: the proxy from its node, the tables istioctl prints', async (t) => {
    const res = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['clusters', 'endpoints'] });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    t.match(res.body.proxy, { type: 'sidecar', namespace: 'default', name: /^productpage-v1-/ });
    t.same(res.body.tables.map((x: any) => [x.kind, x.headers]), [
      ['clusters', ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE']],
      ['endpoints', ['NAME', 'STATUS', 'LOCALITY', 'CLUSTER']],
    ]);
    const all = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['all'] });
    t.same(all.body.tables.map((x: any) => x.kind), ['bootstrap', 'clusters', 'listeners', 'routes', 'endpoints'], "all: the tables of the dump's sections");
    t.equal(all.body.tables[1].headers[0], 'NAME', 'with the type in NAME, as istioctl prints all');
    const text = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['all'], filter: { withHeaders: true } }, { accept: 'text/plain' });
    // A generated dump's bootstrap has only the node: no Istio version, Envoy 0.0.0, as istioctl prints it.
    t.match(text.body, /^------ BOOTSTRAP INFO ------\n\nEnvoy Version: 0\.0\.0\n\n------ CLUSTER INFO ------\n\nNAME +SERVICE FQDN/, 'all: the sections the dump has, each with its type in NAME');
    t.match(text.body, /\n------ ENDPOINTS INFO ------\n\nNAME +STATUS +LOCALITY +CLUSTER\nendpoint\/10\.1\.0\.\d+:9080 /);
  });

  await t.test('-o json and -o yaml: the filtered resources', async (t) => {
    const json = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['clusters'], filter: { fqdn: 'reviews', subset: 'v2' }, output: 'json' }, { accept: 'text/plain' });
    t.match(json.headers.get('content-type'), /^text\/plain/);
    t.same(json.body.map((c: any) => c.name), ['outbound|9080|v2|reviews.default.svc.cluster.local'], 'the text is JSON');
    const yaml = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['listeners'], filter: { port: 9080 }, output: 'yaml' }, { accept: 'text/plain' });
    t.same(parseYaml(yaml.body).map((l: any) => l.name), ['0.0.0.0_9080']);
  });

  await t.test('trace over a dump: one hop, the same tracer', async (t) => {
    const res = await call(url, 'POST', '/api/v1/trace', { configDump, request: { port: 9080, host: 'reviews:9080', headers: { 'end-user': 'jason' } } });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    t.equal(res.body.hops.length, 1);
    t.match(res.body.hops[0], { listener: '0.0.0.0_9080', cluster: 'outbound|9080|v2|reviews.default.svc.cluster.local', tls: 'mtls' });
    t.match(res.body.hops[0].steps.at(-1), { stage: 'next_hop', why: /cannot be known from one proxy's config dump/ });
  });

  await t.test('GraphQL: liveProxyConfig and liveTrace, checked as REST checks them', async (t) => {
    const res = await call(url, 'POST', '/graphql', {
      query: `query ($dump: JSON!) {
        liveProxyConfig(configDump: $dump, kinds: [routes], filter: {name: "9080"}, verbose: false) { proxy { type name } tables { kind headers rows } text }
        liveTrace(configDump: $dump, request: {port: 9080, host: "ratings"}) { hops { listener cluster } }
      }`,
      variables: { dump: configDump },
    });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    t.match(res.body.data.liveProxyConfig, { proxy: { type: 'sidecar', name: /^productpage-v1-/ }, tables: [{ kind: 'routes', headers: ['NAME', 'VIRTUAL HOSTS'] }] });
    t.match(res.body.data.liveProxyConfig.text, /^NAME +VIRTUAL HOSTS\n9080 +\d+\n$/);
    t.same(res.body.data.liveTrace.hops, [{ listener: '0.0.0.0_9080', cluster: 'outbound|9080||ratings.default.svc.cluster.local' }]);
    const bad = await call(url, 'POST', '/graphql', {
      query: `{ liveProxyConfig(configDump: {configs: 3}, filter: {port: 70000}) { text } }`,
    });
    t.match(bad.body.errors, [{ extensions: { code: 'BAD_USER_INPUT', problems: [{ path: 'filter.port' }] } }]);
    const notADump = await call(url, 'POST', '/graphql', { query: `{ liveTrace(configDump: {configs: 3}, request: {port: 80}) { flow } }` });
    t.match(notADump.body.errors, [{ extensions: { code: 'BAD_USER_INPUT', problems: [{ path: 'configDump.configs', message: /expected an Envoy config dump/ }] } }]);
  });

  await t.test('bad input: 400 problems that say what and where', async (t) => {
    const notADump = await call(url, 'POST', '/api/v1/proxy-config', { configDump: { proxies: [] } });
    t.equal(notADump.status, 400);
    t.match(notADump.headers.get('content-type'), /application\/problem\+json/);
    t.match(notADump.body.errors, [{ path: 'configDump.configs', message: /expected an Envoy config dump/ }]);
    const brokenSection = await call(url, 'POST', '/api/v1/trace', {
      configDump: { configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: 'none' }] },
      request: { port: 80 },
    });
    t.equal(brokenSection.status, 400);
    t.match(brokenSection.body.errors, [{ path: 'configDump.configs[0].dynamic_listeners', message: 'expected a list, got string' }]);
    const both = await call(url, 'POST', '/api/v1/proxy-config', { configDump, resources, proxy: { pod: 'default/productpage-v1' } });
    t.equal(both.status, 400);
    t.match(both.body.errors, [{ path: 'configDump', message: /either configDump .* or resources and proxy/ }]);
    const neither = await call(url, 'POST', '/api/v1/trace', { request: { port: 80 } });
    t.equal(neither.status, 400);
    t.match(neither.body.errors, [{ path: 'resources' }]);
    const noSecrets = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['secrets'] });
    t.equal(noSecrets.status, 400);
    t.match(noSecrets.body.errors, [{ path: 'kinds[0]', message: 'the config dump has no SecretsConfigDump section' }]);
  });
});

t.test('a dump over 1 MiB is read in a worker thread: the same answers and the same problems', async (t) => {
  const { url } = await startTestServer(t);
  const resources = syntheticMesh(80, 3);
  const translated = await call(url, 'POST', '/api/v1/translate', { resources, proxy: { pod: 'ns-0/svc-0-v1' } });
  const configDump = translated.body.proxies[0].configDump;
  t.ok(JSON.stringify(configDump).length > LARGE_JSON_BYTES, `the dump is ${JSON.stringify(configDump).length} bytes`);

  const request = { port: 8080, host: 'svc-1.ns-1.svc.cluster.local:8080', path: '/api' };
  const trace = await call(url, 'POST', '/api/v1/trace', { configDump, request });
  t.equal(trace.status, 200, JSON.stringify(trace.body).slice(0, 300));
  const graphql = await call(url, 'POST', '/graphql', {
    query: `query ($dump: JSON!, $request: TraceRequestInput!) {
      liveTrace(configDump: $dump, request: $request) { hops { listener cluster } }
      liveProxyConfig(configDump: $dump, kinds: [clusters], filter: {fqdn: "svc-1.ns-1"}) { text }
    }`,
    variables: { dump: configDump, request },
  });
  t.same(graphql.body.errors, undefined, JSON.stringify(graphql.body.errors)?.slice(0, 500));
  t.same(trace.body.hops.map((h: any) => ({ listener: h.listener, cluster: h.cluster })), graphql.body.data?.liveTrace.hops, 'the hops GraphQL finds (its dump read in a worker too)');
  t.match(trace.body.hops[0].cluster, /^outbound\|8080\|v1\|svc-1\.ns-1\.svc\.cluster\.local$/);
  const text = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['clusters'], filter: { fqdn: 'svc-1.ns-1' } }, { accept: 'text/plain' });
  t.equal(text.body, graphql.body.data.liveProxyConfig.text, "istioctl's text, as GraphQL gives it");

  // Each problem as a small body gets it (the bookinfo dump is 60 KiB).
  const small = (await call(url, 'POST', '/api/v1/translate', { resources: await bookinfoManifests(), proxy: { pod: 'default/productpage-v1' } })).body.proxies[0].configDump;
  const bodies: [string, string, (dump: unknown) => unknown][] = [
    ['no request', '/api/v1/trace', (dump) => ({ configDump: dump })],
    ['a request port out of range', '/api/v1/trace', (dump) => ({ configDump: dump, request: { port: 70000 } })],
    ['a dump and a mesh', '/api/v1/proxy-config', (dump) => ({ configDump: dump, resources, proxy: { pod: 'ns-0/svc-0-v1' } })],
    ['an unknown kind', '/api/v1/proxy-config', (dump) => ({ configDump: dump, kinds: ['everything'] })],
    ['a NUL in a string', '/api/v1/trace', (dump) => ({ configDump: dump, request: { port: 80, host: 'a\u0000b' } })],
  ];
  for (const [what, path, body] of bodies) {
    const [large, few] = await Promise.all([call(url, 'POST', path, body(configDump)), call(url, 'POST', path, body(small))]);
    t.equal(large.status, 400, `${what}: 400`);
    t.match(large.headers.get('content-type'), /application\/problem\+json/);
    t.same(large.body, few.body, `${what}: the problem a small body gets`);
  }
  const noRoutes = await call(url, 'POST', '/api/v1/route-check', { configDump, routeConfig: 'nope', tests: [] });
  t.match(noRoutes, { status: 400, body: { errors: [{ path: 'routeConfig', message: 'no route configuration "nope" in the config dump; it has: 8080, 9090' }] } });

  // GraphQL: a large dump variable is read in a thread too, with the problems a small one gets.
  const query = 'query ($dump: JSON!) { liveTrace(configDump: $dump, request: {port: 8080}) { flow } }';
  const broken = (dump: any) => ({ ...dump, configs: [{ ...dump.configs[0], '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: 'x' }] });
  const [largeBroken, smallBroken] = await Promise.all([
    call(url, 'POST', '/graphql', { query, variables: { dump: { ...broken(configDump), padding: 'x'.repeat(LARGE_JSON_BYTES) } } }),
    call(url, 'POST', '/graphql', { query, variables: { dump: broken(small) } }),
  ]);
  t.match(smallBroken.body.errors, [{ extensions: { code: 'BAD_USER_INPUT', problems: [{ path: 'configDump.configs[0].dynamic_listeners' }] } }]);
  t.same(largeBroken.body.errors?.[0].extensions, smallBroken.body.errors[0].extensions, 'a broken large dump: the problem a small one gets');
  // A GraphQL body that is not JSON: the error mercurius gives a small one.
  const notJson = (padding: string) => fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"query": "{ __typename }", "x": "${padding}"` }).then((r) => r.json());
  t.same(await notJson('y'.repeat(LARGE_JSON_BYTES)), await notJson('y'), 'a large GraphQL body that is not JSON');
});

t.test('large GraphQL requests past the bound on heavy requests: 429 with Retry-After, as REST', async (t) => {
  const { url } = await startTestServer(t, { engine: { threads: 1, maxInFlight: 1, timeBudgetMs: 60000 } });
  const translated = await call(url, 'POST', '/api/v1/translate', { resources: syntheticMesh(80, 3), proxy: { pod: 'ns-0/svc-0-v1' } });
  const body = JSON.stringify({
    query: 'query ($dump: JSON!) { liveTrace(configDump: $dump, request: {port: 8080}) { flow } }',
    variables: { dump: translated.body.proxies[0].configDump },
  });
  t.ok(body.length > LARGE_JSON_BYTES);
  const answers = await Promise.all(
    [1, 2, 3].map(() => fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() }))),
  );
  const refused = answers.filter((a) => a.status === 429);
  t.ok(refused.length >= 1, `${refused.length} of 3 refused`);
  for (const a of refused) {
    t.match(a.retryAfter, /^\d+$/, 'Retry-After');
    t.match(a.body.errors, [{ message: /ENGINE_MAX_IN_FLIGHT=1/ }]);
  }
  t.match(answers.find((a) => a.status === 200)?.body, { data: { liveTrace: { flow: String } } }, 'the one that ran');
});
