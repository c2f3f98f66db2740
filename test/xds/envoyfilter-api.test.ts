// EnvoyFilter and Telemetry as a user meets them over REST and GraphQL: the sample's patched config (with
// its provenance over REST), and a refused patch reported in the answer's analysis (a real server and PostgreSQL).

import t from 'tap';
import { readSample } from '../support/samples.js';
import { call, startTestServer } from '../support/server.js';

const resources = `${readSample('envoyfilter')}---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: broken, namespace: shop}
spec:
  workloadSelector: {labels: {app: web}}
  configPatches:
  - applyTo: CLUSTER
    match: {cluster: {service: cart.shop.svc.cluster.local}}
    patch: {operation: MERGE, value: {connect_timeout: -5s}}
`;

t.test('POST /api/v1/translate, and a scenario revision translated over GraphQL', async (t) => {
  const { url } = await startTestServer(t);
  const r = await call(url, 'POST', '/api/v1/translate', { resources, proxy: { pod: 'shop/web' } });
  t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  const proxy = r.body.proxies[0];
  t.ok(proxy.provenance.resources.clusters['outbound|8080||cart.shop.svc.cluster.local'].includes('EnvoyFilter shop/web-to-cart'));
  t.ok(proxy.provenance.resources.listeners['0.0.0.0_8080'].includes('Telemetry istio-system/mesh-default'));
  const clusters = proxy.configDump.configs.find((c: any) => c['@type'].endsWith('ClustersConfigDump')).dynamic_active_clusters;
  const cart = clusters.find((c: any) => c.cluster.name === 'outbound|8080||cart.shop.svc.cluster.local').cluster;
  t.equal(cart.per_connection_buffer_limit_bytes, 32768, 'the merge shows in the config');
  t.equal(cart.connect_timeout, '10s', 'the refused merge does not');
  t.match(
    r.body.analysis.filter((m: any) => m.code === 'MPL0006'),
    [{ name: 'EnvoyFilterPatchNotApplied', resource: { kind: 'EnvoyFilter', namespace: 'shop', name: 'broken' }, path: 'spec.configPatches[0]', message: /connect_timeout/ }],
  );

  const create = `mutation($input: CreateScenarioInput!) { createScenario(input: $input) { revision { translate(proxy: {pod: "shop/cart"}) { analysis { code } proxies { configDump } } } } }`;
  const g = await call(url, 'POST', '/graphql', { query: create, variables: { input: { name: 'envoyfilter-sample', resources } } });
  t.equal(g.status, 200, JSON.stringify(g.body).slice(0, 300));
  t.same(g.body.errors, undefined);
  const translated = g.body.data.createScenario.revision.translate;
  t.match(JSON.stringify(translated.proxies[0].configDump), /"name":"envoy.filters.http.lua"/, 'the Lua filter is in cart\'s config');
  t.notOk(translated.analysis.some((m: any) => m.code === 'MPL0006'), 'the broken patch is not for cart');
});
