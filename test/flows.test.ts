// The three flows of a mesh, traced hop by hop over the generated config of our sample meshes:
// ingress (gateway → sidecar), mesh (sidecar → sidecar with mTLS), egress (through the egress
// gateway, straight out, or blocked under REGISTRY_ONLY).

import t from 'tap';
import type { TraceHop, TraceResult } from '../src/contract.js';
import { compileScenario, type CompiledScenario } from '../src/engine.js';
import { readSample } from './support/samples.js';

const podOf = (s: CompiledScenario, prefix: string): string => {
  const proxy = s.index.proxies.find((p) => p.pod?.split('/')[1].startsWith(prefix));
  if (!proxy?.pod) throw new Error(`no proxy for a pod ${prefix}*`);
  return proxy.pod;
};

const brief = (h: TraceHop) => ({
  proxy: h.proxy.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''),
  mode: h.mode,
  listener: h.listener,
  filterChain: h.filterChain,
  routeConfig: h.routeConfig,
  virtualHost: h.virtualHost,
  cluster: h.cluster,
  tls: h.tls,
  error: h.error?.code ?? null,
});

const everyStepExplained = (r: TraceResult): boolean => r.hops.every((h) => h.steps.length > 0 && h.steps.every((s) => s.why.length > 0));

t.test('bookinfo: ingress gateway → productpage', async (t) => {
  const s = compileScenario({ resources: readSample('bookinfo') });
  const r = s.trace({ pod: podOf(s, 'istio-ingressgateway') }, { port: 8080, host: 'bookinfo.example', path: '/productpage' });
  t.equal(r.flow, 'ingress');
  t.equal(r.error, null);
  t.same(r.hops.map(brief), [
    {
      proxy: 'istio-ingressgateway', mode: 'gateway', listener: '0.0.0.0_8080', filterChain: '', routeConfig: 'http.8080',
      virtualHost: 'bookinfo.example:8080', cluster: 'outbound|9080||productpage.default.svc.cluster.local', tls: 'mtls', error: null,
    },
    {
      proxy: 'productpage-v1', mode: 'inbound', listener: 'virtualInbound', filterChain: '0.0.0.0_9080', routeConfig: null,
      virtualHost: 'inbound|http|9080', cluster: 'inbound|9080||', tls: 'plaintext', error: null,
    },
  ]);
  t.match(r.hops[0].endpoint, { port: 9080, pod: /^default\/productpage-v1-/ });
  t.ok(everyStepExplained(r), 'every step says why');

  const miss = s.trace({ pod: podOf(s, 'istio-ingressgateway') }, { port: 8080, host: 'bookinfo.example', path: '/admin' });
  t.same(miss.error, { code: 'NO_ROUTE', message: miss.error?.message, hop: 0 });
  const unknownHost = s.trace({ pod: podOf(s, 'istio-ingressgateway') }, { port: 8080, host: 'other.example', path: '/productpage' });
  t.equal(unknownHost.error?.code, 'NO_VIRTUAL_HOST');
});

t.test('bookinfo: productpage → reviews, canary by header and by weight', async (t) => {
  const s = compileScenario({ resources: readSample('bookinfo') });
  const productpage = { pod: podOf(s, 'productpage-v1') };
  const jason = s.trace(productpage, { port: 9080, host: 'reviews:9080', path: '/reviews/0', headers: { 'end-user': 'jason' } });
  t.equal(jason.flow, 'mesh');
  t.equal(jason.hops[0].cluster, 'outbound|9080|v2|reviews.default.svc.cluster.local');
  t.equal(jason.hops[0].tls, 'mtls', 'auto mTLS to an injected pod');
  t.match(jason.hops[1], { proxy: { name: /^reviews-v2-/ }, mode: 'inbound', filterChain: '0.0.0.0_9080', cluster: 'inbound|9080||' });

  const anyone = s.trace(productpage, { port: 9080, host: 'reviews:9080', path: '/reviews/0' });
  t.equal(anyone.hops[0].cluster, 'outbound|9080|v1|reviews.default.svc.cluster.local', 'the 90% share is followed');
  const split = anyone.hops[0].steps.find((st) => st.rejected.some((r) => r.name.includes('|v2|')));
  t.ok(split, 'the 10% share to v2 is listed as passed over');
  t.match(anyone.hops[1].proxy.name, /^reviews-v1-/);
});

t.test('httpbin: STRICT mTLS admits mesh traffic, refuses plaintext', async (t) => {
  const s = compileScenario({ resources: readSample('httpbin') });
  const fromSleep = s.trace({ pod: podOf(s, 'sleep') }, { port: 8000, host: 'httpbin.demo:8000', path: '/get' });
  t.equal(fromSleep.error, null);
  t.same(fromSleep.hops.map((h) => [h.mode, h.cluster, h.tls]), [
    ['outbound', 'outbound|8000||httpbin.demo.svc.cluster.local', 'mtls'],
    ['inbound', 'inbound|8080||', 'plaintext'],
  ]);
  const httpbin = s.index.proxies.find((p) => p.pod?.startsWith('demo/httpbin'))!;
  const plaintext = s.trace({ pod: httpbin.pod! }, { mode: 'inbound', address: httpbin.ips[0], port: 8080, host: 'httpbin', path: '/' });
  t.equal(plaintext.error?.code, 'NO_FILTER_CHAIN', 'plaintext to a STRICT port has no filter chain');
  const viaGateway = s.trace({ pod: podOf(s, 'istio-ingressgateway') }, { port: 8080, host: 'httpbin.example.com', path: '/status/418' });
  t.equal(viaGateway.flow, 'ingress');
  t.same(viaGateway.hops.map((h) => h.cluster), ['outbound|8000||httpbin.demo.svc.cluster.local', 'inbound|8080||']);
});

t.test('egress: through the egress gateway, straight out, or blocked', async (t) => {
  const s = compileScenario({ resources: readSample('egress') });
  const sleep = { pod: podOf(s, 'sleep') };
  const viaGateway = s.trace(sleep, { port: 80, host: 'www.example.org', path: '/' });
  t.equal(viaGateway.flow, 'egress');
  t.same(viaGateway.hops.map(brief), [
    {
      proxy: 'sleep', mode: 'outbound', listener: '0.0.0.0_80', filterChain: '', routeConfig: '80', virtualHost: 'www.example.org:80',
      cluster: 'outbound|80|example-org|istio-egressgateway.istio-system.svc.cluster.local', tls: 'plaintext', error: null,
    },
    {
      proxy: 'istio-egressgateway', mode: 'gateway', listener: '0.0.0.0_8080', filterChain: '', routeConfig: 'http.8080',
      virtualHost: 'www.example.org:80', cluster: 'outbound|80||www.example.org', tls: 'plaintext', error: null,
    },
  ]);
  t.same(viaGateway.hops[1].endpoint, { address: 'www.example.org', port: 80 }, 'DNS endpoint outside the mesh');

  const https = s.trace(sleep, { port: 443, host: 'www.example.org', tls: 'tls' });
  t.equal(https.flow, 'egress');
  t.match(https.hops, [{ listener: '0.0.0.0_443', cluster: 'outbound|443||www.example.org', tls: 'tls', endpoint: { address: 'www.example.org', port: 443 } }]);
  t.equal(https.hops.length, 1, "the app's own TLS goes straight to the external host");

  const unknown = s.trace(sleep, { port: 80, host: 'unknown.example.com', path: '/' });
  t.equal(unknown.flow, 'egress');
  t.same([unknown.hops.length, unknown.hops[0].virtualHost, unknown.hops[0].cluster], [1, 'allow_any', 'PassthroughCluster']);

  const locked = compileScenario({ resources: readSample('egress'), mesh: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } } });
  const blocked = locked.trace({ pod: podOf(locked, 'sleep') }, { port: 80, host: 'unknown.example.com', path: '/' });
  t.same([blocked.flow, blocked.hops[0].virtualHost, blocked.hops[0].cluster], ['egress', 'block_all', null]);
  const blockedTcp = locked.trace({ pod: podOf(locked, 'sleep') }, { port: 5432, protocol: 'tcp', address: '203.0.113.9' });
  t.same([blockedTcp.flow, blockedTcp.hops[0].listener, blockedTcp.hops[0].cluster], ['egress', 'virtualOutbound', 'BlackHoleCluster']);
});
