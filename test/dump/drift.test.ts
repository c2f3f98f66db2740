// Drift and route-check over a live proxy's dump: a bookinfo sidecar's translated dump, read back,
// matches its own revision (also with the bootstrap's static resources a real Envoy has), differs from a
// revision that changes its routes exactly there, and answers route-check like its generated routes.

import t from 'tap';
import { compileScenario, drift, readLiveProxyConfig } from '../../src/engine.js';
import { readSample } from '../support/samples.js';
import { call, startTestServer } from '../support/server.js';

const bookinfo = readSample('bookinfo');
const canary5050 = bookinfo.replace(/weight: 90(\s+- destination:\s+host: reviews\s+subset: v2\s+)weight: 10/, 'weight: 50$1weight: 50');
const PRODUCTPAGE = { pod: 'default/productpage-v1' };

const scenario = compileScenario({ resources: bookinfo });
const dump = scenario.translate(PRODUCTPAGE).proxies[0].configDump;

/** What a real Envoy's dump has besides what istiod sent: the bootstrap's static clusters and listeners. */
function withBootstrapStatics(d: typeof dump): typeof dump {
  const STATIC = { name: 'prometheus_stats', type: 'STATIC', connect_timeout: '0.250s' };
  return {
    configs: d.configs.map((c) =>
      String(c['@type']).endsWith('ClustersConfigDump') ? { ...c, static_clusters: [{ cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', ...STATIC } }] } : c,
    ),
  };
}

t.test('a dump matches the revision it was translated from, bootstrap statics left out', async (t) => {
  t.not(canary5050, bookinfo);
  const own = drift(scenario, readLiveProxyConfig(dump));
  t.equal(own.matches, true, own.text);
  t.same(own.proxies.map((p) => [p.proxy.name, p.status]), [[scenario.proxy(PRODUCTPAGE).name, 'unchanged']]);
  const real = readLiveProxyConfig(withBootstrapStatics(dump));
  t.ok(real.xds.clusters.some((c) => c.name === 'prometheus_stats'), 'the static cluster is read');
  t.equal(drift(scenario, real).matches, true, 'the static cluster is not part of the design');
});

t.test('a dump differs from a revision that changes its routes, there and only there', async (t) => {
  const result = drift(compileScenario({ resources: canary5050 }), readLiveProxyConfig(dump));
  t.equal(result.matches, false);
  t.same(result.proxies[0].changes.map((c) => [c.kind, c.name]), [['routes', '80'], ['routes', '9080']]);
  t.match(result.text, /weights v1 50 → 90, v2 50 → 10/);
});

t.test('over HTTP: drift of a stored revision, route-check over the dump', async (t) => {
  const { url } = await startTestServer(t);
  t.equal((await call(url, 'POST', '/api/v1/scenarios', { name: 'shop', resources: bookinfo })).status, 201);
  const own = await call(url, 'POST', '/api/v1/scenarios/shop/drift', { configDump: dump });
  t.equal(own.status, 200, JSON.stringify(own.body).slice(0, 300));
  t.match(own.body, { revision: 1, matches: true, summary: { unchanged: 1 } });
  const notADump = await call(url, 'POST', '/api/v1/scenarios/shop/drift', { configDump: { configs: 'no' } });
  t.equal(notADump.status, 400);

  const tests = [{ test_name: 'reviews', input: { authority: 'reviews:9080', path: '/reviews/0', method: 'GET' }, validate: { virtual_host_name: 'reviews.default.svc.cluster.local:9080' } }];
  const checked = await call(url, 'POST', '/api/v1/route-check', { configDump: dump, routeConfig: '9080', tests });
  t.equal(checked.status, 200, JSON.stringify(checked.body).slice(0, 300));
  t.match(checked.body, { passed: 1, failed: 0 });
  const generated = await call(url, 'POST', '/api/v1/route-check', { resources: bookinfo, proxy: PRODUCTPAGE, routeConfig: '9080', tests });
  t.same(checked.body.results, generated.body.results, 'the same answer as over the generated route configuration');
  const unknown = await call(url, 'POST', '/api/v1/route-check', { configDump: dump, routeConfig: 'nope', tests });
  t.equal(unknown.status, 400);
  t.match(unknown.body.errors[0], { path: "routeConfig", message: /no route configuration "nope" in the config dump/ });
});
