// The Gateway API bookinfo (samples/bookinfo-gateway-api: a Gateway of class istio, HTTPRoutes to
// productpage, a mesh canary for reviews) traced from outside to productpage: through the engine and
// through the REST API's stateless trace, as a user sends it to the gateway's Service port.

import t from 'tap';
import { compileScenario } from '../../src/engine.js';
import { analyze } from '../../src/analysis/index.js';
import { readSample } from '../support/samples.js';
import { call, startTestServer } from '../support/server.js';

const bookinfo = readSample('bookinfo-gateway-api');
const PRODUCTPAGE = 'outbound|9080||productpage.default.svc.cluster.local';
const request = { mode: 'gateway', port: 80, protocol: 'http', host: 'bookinfo.example', path: '/productpage' } as const;

t.test('the engine: the gateway istiod would deploy routes /productpage to productpage', async (t) => {
  const scenario = compileScenario({ resources: bookinfo });
  t.same(scenario.warnings, []);
  const gateway = scenario.translate().proxies.find((p) => p.namespace === 'istio-ingress')!;
  t.match(gateway, { type: 'router', name: /^bookinfo-gateway-istio-/ });
  const trace = scenario.trace({ pod: `${gateway.namespace}/${gateway.name}` }, request);
  t.equal(trace.flow, 'ingress');
  t.equal(trace.error, null);
  t.match(trace.hops[0], { listener: '0.0.0.0_80', routeConfig: 'http.80', virtualHost: 'bookinfo.example:80', route: 'default.bookinfo.0', cluster: PRODUCTPAGE });
  t.match(trace.hops[1], { proxy: { name: /^productpage-v1-/ }, mode: 'inbound', error: null }, 'the request reaches the productpage pod');

  const https = scenario.trace({ pod: `${gateway.namespace}/${gateway.name}` }, { ...request, port: 443, tls: 'tls', sni: 'bookinfo.example', path: '/login' });
  t.match(https.hops[0], { route: 'default.bookinfo-login-tls.0', cluster: PRODUCTPAGE }, '/login over HTTPS goes to productpage');
  const login = scenario.trace({ pod: `${gateway.namespace}/${gateway.name}` }, { ...request, path: '/login' });
  t.match(login.hops[0], { route: 'default.bookinfo-login.0', cluster: null }, 'plain /login is redirected (sectionName http)');

  const productpage = scenario.translate().proxies.find((p) => p.name.startsWith('productpage-v1-'))!;
  const reviews = (headers: Record<string, string>) =>
    scenario.trace({ pod: `${productpage.namespace}/${productpage.name}` }, { mode: 'outbound', address: '10.96.101.30', port: 9080, protocol: 'http', host: 'reviews:9080', path: '/reviews/0', headers }).hops[0];
  t.equal(reviews({ 'end-user': 'jason' }).cluster, 'outbound|9080||reviews-v2.default.svc.cluster.local', 'the mesh HTTPRoute sends jason to v2');

  const messages = analyze({ inputs: [{ resources: bookinfo }] }).messages.filter((m) => m.code === 'IST0171' || m.code === 'MPL0005');
  t.same(messages, [], 'istiod would accept and program everything');
});

t.test('the REST API: POST /api/v1/trace from the gateway pod', async (t) => {
  const { url } = await startTestServer(t, { bodyLimit: 1024 * 1024 });
  // The Deployment's name picks its pod, as a user who knows only the Gateway's name would write it.
  const proxy = { pod: 'istio-ingress/bookinfo-gateway-istio' };
  const translated = await call(url, 'POST', '/api/v1/translate', { resources: bookinfo, proxy });
  t.equal(translated.status, 200, JSON.stringify(translated.body).slice(0, 300));
  t.match(translated.body.proxies[0], { type: 'router', namespace: 'istio-ingress', name: /^bookinfo-gateway-istio-/ });
  const res = await call(url, 'POST', '/api/v1/trace', { resources: bookinfo, proxy, request });
  t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  t.equal(res.body.error, null);
  t.equal(res.body.hops[0].cluster, PRODUCTPAGE);
  t.match(res.body.hops.at(-1).proxy.name, /^productpage-v1-/);
  const adhoc = await call(url, 'POST', '/api/v1/trace', {
    resources: bookinfo,
    proxy: { type: 'router', namespace: 'istio-ingress', labels: { 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' }, ips: ['10.9.9.9'] },
    request,
  });
  t.equal(adhoc.body.hops?.[0]?.cluster, PRODUCTPAGE, 'an ad-hoc router with the gateway label is the same gateway');
});
