// Translate and trace over HTTP, stateless and per stored revision, on the bookinfo example.

import t from 'tap';
import { bookinfoManifests } from '../../src/store/seed.js';
import { call, startTestServer } from '../support/server.js';

const PRODUCTPAGE_CLUSTER = 'outbound|9080||productpage.default.svc.cluster.local';

const listenerNames = (proxy: any): string[] =>
  proxy.configDump.configs
    .find((c: any) => c['@type'] === 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump')
    .dynamic_listeners.map((l: any) => l.name);

const ingressRequest = { mode: 'gateway', port: 8080, protocol: 'http', host: 'bookinfo.example', path: '/productpage' };

/** "namespace/name" of the first pod the engine makes for a Deployment (pod names carry generated suffixes). */
async function podOf(url: string, resources: string, deployment: string): Promise<string> {
  const all = await call(url, 'POST', '/api/v1/translate', { resources });
  const proxy = all.body.proxies?.find((p: any) => p.name.startsWith(`${deployment}-`));
  return proxy ? `${proxy.namespace}/${proxy.name}` : `(no pod of ${deployment})`;
}

t.test('translate and trace', async (t) => {
  const { url } = await startTestServer(t, { bodyLimit: 1024 * 1024 });
  const bookinfo = await bookinfoManifests();
  const productpage = { pod: await podOf(url, bookinfo, 'productpage-v1') };
  const ingressProxy = { pod: await podOf(url, bookinfo, 'istio-ingressgateway') };

  await t.test('stateless translate: the productpage sidecar has the 9080 outbound listener', async (t) => {
    const res = await call(url, 'POST', '/api/v1/translate', { resources: bookinfo, proxy: productpage });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    t.equal(res.body.proxies.length, 1);
    t.match(res.body.proxies[0], { type: 'sidecar', namespace: 'default' });
    t.ok(listenerNames(res.body.proxies[0]).includes('0.0.0.0_9080'), 'listener 0.0.0.0_9080');
  });

  await t.test('stateless translate without proxy: every proxy of the mesh; a raw YAML body works', async (t) => {
    const res = await call(url, 'POST', '/api/v1/translate', bookinfo);
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    t.equal(res.body.proxies.length, 7, 'six sidecars and the ingress gateway');
  });

  await t.test('stateless trace from the ingress gateway reaches productpage', async (t) => {
    const res = await call(url, 'POST', '/api/v1/trace', { resources: bookinfo, proxy: ingressProxy, request: ingressRequest });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    t.equal(res.body.hops[0].cluster, PRODUCTPAGE_CLUSTER);
    t.equal(res.body.error, null);
  });

  await t.test('invalid resources and bodies: 400 with problems, 413 over the limit', async (t) => {
    const bad = await call(url, 'POST', '/api/v1/translate', { resources: 'apiVersion: v1\nkind: Service\nmetadata: {}\n' });
    t.equal(bad.status, 400);
    t.equal(bad.body.errors[0].path, 'metadata.name');
    const noRequest = await call(url, 'POST', '/api/v1/trace', { resources: bookinfo, proxy: ingressProxy });
    t.equal(noRequest.status, 400);
    t.equal(noRequest.body.errors[0].path, 'body.request');
    const huge = await call(url, 'POST', '/api/v1/translate', { resources: `# ${'x'.repeat(1100 * 1024)}\n${bookinfo}` });
    t.equal(huge.status, 413);
  });

  await t.test('stored scenario: translate and trace per revision', async (t) => {
    const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'bookinfo', resources: bookinfo });
    t.equal(created.status, 201);
    const translated = await call(url, 'POST', '/api/v1/scenarios/bookinfo/translate?revision=1', {
      proxy: productpage,
    });
    t.equal(translated.status, 200, JSON.stringify(translated.body).slice(0, 500));
    t.ok(listenerNames(translated.body.proxies[0]).includes('0.0.0.0_9080'));
    const traced = await call(url, 'POST', '/api/v1/scenarios/bookinfo/trace', { proxy: ingressProxy, request: ingressRequest });
    t.equal(traced.status, 200, JSON.stringify(traced.body).slice(0, 500));
    t.equal(traced.body.hops[0].cluster, PRODUCTPAGE_CLUSTER);
    const jason = await call(url, 'POST', '/api/v1/scenarios/bookinfo/trace', {
      proxy: productpage,
      request: { mode: 'outbound', address: '10.96.101.30', port: 9080, host: 'reviews:9080', path: '/', headers: { 'end-user': 'jason' } },
    });
    t.equal(jason.status, 200, JSON.stringify(jason.body).slice(0, 500));
    t.equal(jason.body.hops[0].cluster, 'outbound|9080|v2|reviews.default.svc.cluster.local', 'jason is routed to reviews v2');
    t.equal((await call(url, 'POST', '/api/v1/scenarios/bookinfo/translate?revision=5', {})).status, 404);
    t.equal((await call(url, 'POST', '/api/v1/scenarios/nope/translate', {})).status, 404);
  });

  await t.test('GraphQL: translate as a JSON config dump, trace as typed fields', async (t) => {
    const res = await call(url, 'POST', '/graphql', {
      query: `query($request: TraceRequestInput!) { scenario(name: "bookinfo") { latest {
        translate(proxy: {pod: "${productpage.pod}"}) { proxies { id type configDump } }
        trace(proxy: {pod: "${ingressProxy.pod}"}, request: $request) {
          flow hops { proxy { name type } listener cluster endpoint { address port } error { code } } error { code hop } } } } }`,
      variables: { request: ingressRequest },
    });
    t.notOk(res.body.errors, JSON.stringify(res.body.errors));
    const latest = res.body.data?.scenario?.latest;
    t.ok(listenerNames(latest?.translate.proxies[0] ?? { configDump: { configs: [] } }).includes('0.0.0.0_9080'));
    t.equal(latest?.trace.hops[0].cluster, PRODUCTPAGE_CLUSTER);
    t.equal(latest?.trace.hops[0].proxy.type, 'router');
  });
});

t.test('GraphQL refuses the trace inputs REST refuses, with the same problems', async (t) => {
  const { url } = await startTestServer(t, { bodyLimit: 1024 * 1024 });
  const created = await call(url, 'POST', '/api/v1/scenarios?name=mesh', await bookinfoManifests());
  t.equal(created.status, 201, JSON.stringify(created.body));
  const proxy = { pod: 'default/productpage-v1' };
  const request = { port: 9080, host: 'reviews', mode: 'sideways', tls: 'maybe' };

  const rest = await call(url, 'POST', '/api/v1/scenarios/mesh/trace', { proxy, request });
  t.equal(rest.status, 400);
  const graphql = await call(url, 'POST', '/graphql', {
    query: 'query($proxy: ProxyInput!, $request: TraceRequestInput!) { scenario(name: "mesh") { latest { trace(proxy: $proxy, request: $request) { flow } } } }',
    variables: { proxy, request },
  });
  const [error] = graphql.body.errors ?? [];
  t.equal(error?.extensions?.code, 'BAD_USER_INPUT');
  t.same(
    error?.extensions?.problems.map((p: any) => [p.path, p.message]),
    rest.body.errors.map((p: any) => [p.path.replace(/^body\./, ''), p.message]),
  );
  t.same(error?.extensions?.problems.map((p: any) => p.path), ['request.mode', 'request.tls']);
});
