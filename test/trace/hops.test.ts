// Endpoints, upstream TLS, and following a request from proxy to proxy (flows, loops, error hop index).

import t from 'tap';
import { compileXds } from '../../src/trace/compile.js';
import { traceRequest } from '../../src/trace/index.js';
import type { Cluster, RouteConfiguration } from '../../src/xds/envoy.js';
import {
  assignment,
  chain,
  context,
  downstreamTls,
  edsCluster,
  endpoint,
  httpInspector,
  inlineRoutes,
  listener,
  originalDst,
  proxy,
  rds,
  simpleTlsUpstream,
  tcpProxy,
  tlsInspector,
  xds,
} from './fixtures.js';

const REVIEWS = 'outbound|9080||reviews.default.svc.cluster.local';
const PRODUCTPAGE = 'outbound|9080||productpage.default.svc.cluster.local';
const EXTERNAL = 'outbound|443||api.external.com';
const EGRESS_GW = 'outbound|443||istio-egressgateway.istio-system.svc.cluster.local';
const LOCAL = 'outbound|82||self.default.svc.cluster.local';

const route = (name: string, domains: string[], cluster: string) => ({
  name,
  domains,
  routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster } }],
});

/** A sidecar's virtualInbound: Istio mTLS to an HCM on 9080, plaintext TCP on 82 by source type, passthrough. */
function inboundListener(): ReturnType<typeof listener> {
  const local: RouteConfiguration = { name: 'inbound|9080||', virtual_hosts: [route('inbound|http|9080', ['*'], 'inbound|9080||')] };
  return listener(
    'virtualInbound',
    '0.0.0.0',
    15006,
    [
      chain('0.0.0.0_9080', { destination_port: 9080, transport_protocol: 'tls' }, [inlineRoutes(local)], downstreamTls('default', true)),
      chain('self-only', { destination_port: 82, source_type: 'SAME_IP_OR_LOOPBACK' }, [tcpProxy('inbound|82||')]),
      chain('virtualInbound', undefined, [tcpProxy('InboundPassthroughCluster')]),
    ],
    { listener_filters: [tlsInspector, httpInspector] },
  );
}

const inboundClusters: Cluster[] = [
  { ...originalDst('inbound|9080||') },
  { ...originalDst('inbound|82||') },
  originalDst('InboundPassthroughCluster'),
];

const productpage = proxy('sidecar', 'default', 'productpage-v1', '10.0.0.1');
const reviewsV2 = proxy('sidecar', 'default', 'reviews-v2', '10.0.0.6');
const ingress = proxy('router', 'istio-system', 'istio-ingressgateway', '10.0.0.9', { istio: 'ingressgateway' });
const egress = proxy('router', 'istio-system', 'istio-egressgateway', '10.0.0.10', { istio: 'egressgateway' });
const looping = proxy('router', 'istio-system', 'looping-gateway', '10.0.0.11');

const productpageXds = xds({
  listeners: [
    listener('virtualOutbound', '0.0.0.0', 15001, [chain('virtualOutbound-catchall-tcp', undefined, [tcpProxy('PassthroughCluster')])]),
    listener('0.0.0.0_9080', '0.0.0.0', 9080, [chain('0.0.0.0_9080', undefined, [rds('9080')])], { bind_to_port: false }),
    listener('0.0.0.0_443', '0.0.0.0', 443, [chain('0.0.0.0_443', undefined, [rds('443')])], { bind_to_port: false }),
    listener('0.0.0.0_82', '0.0.0.0', 82, [chain('self', undefined, [tcpProxy(LOCAL)])], { bind_to_port: false }),
    inboundListener(),
  ],
  routes: [
    {
      name: '9080',
      virtual_hosts: [
        route('reviews.default.svc.cluster.local:9080', ['reviews', 'reviews:9080'], REVIEWS),
        route('nowhere:9080', ['nowhere'], 'outbound|9080||nowhere.default.svc.cluster.local'),
        route('missing:9080', ['missing'], 'outbound|9080||missing'),
      ],
    },
    { name: '443', virtual_hosts: [route('api.external.com:443', ['api.external.com'], EXTERNAL), route('via-egress', ['egress.external.com'], EGRESS_GW)] },
  ],
  clusters: [
    edsCluster(REVIEWS),
    edsCluster('outbound|9080||nowhere.default.svc.cluster.local'),
    edsCluster(EGRESS_GW),
    edsCluster(LOCAL),
    {
      name: EXTERNAL,
      type: 'STRICT_DNS',
      load_assignment: { cluster_name: EXTERNAL, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'api.external.com', port_value: 443 } } } }] }] },
      transport_socket: simpleTlsUpstream('api.external.com'),
    },
    originalDst('PassthroughCluster'),
    ...inboundClusters,
  ],
  endpoints: [
    assignment(REVIEWS, [endpoint('10.0.0.5', 9080, { istio: true, health: 'UNHEALTHY' }), endpoint('10.0.0.6', 9080, { istio: true }), endpoint('10.0.0.7', 9080)]),
    assignment('outbound|9080||nowhere.default.svc.cluster.local', [endpoint('10.0.0.5', 9080, { istio: true, health: 'UNHEALTHY' })]),
    assignment(EGRESS_GW, [endpoint('10.0.0.10', 8443)]),
    assignment(LOCAL, [endpoint('10.0.0.1', 82, { istio: true })]),
  ],
});

const reviewsXds = xds({ listeners: [inboundListener()], clusters: inboundClusters });

const ingressXds = xds({
  listeners: [listener('0.0.0.0_8080', '0.0.0.0', 8080, [chain('0.0.0.0_8080', undefined, [rds('http.8080')])])],
  routes: [{ name: 'http.8080', virtual_hosts: [route('bookinfo', ['*'], PRODUCTPAGE)] }],
  clusters: [edsCluster(PRODUCTPAGE)],
  endpoints: [assignment(PRODUCTPAGE, [endpoint('10.0.0.1', 9080, { istio: true })])],
});

const egressXds = xds({
  listeners: [listener('0.0.0.0_8443', '0.0.0.0', 8443, [chain('0.0.0.0_8443', undefined, [tcpProxy('outbound|443||egress.external.com')])])],
  clusters: [{ name: 'outbound|443||egress.external.com', type: 'STRICT_DNS', load_assignment: { cluster_name: 'x', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'egress.external.com', port_value: 443 } } } }] }] } }],
});

const loopingXds = xds({
  listeners: [listener('0.0.0.0_8080', '0.0.0.0', 8080, [chain('c', undefined, [tcpProxy('self')])])],
  clusters: [{ name: 'self', type: 'STATIC', load_assignment: assignment('self', [endpoint('10.0.0.11', 8080)]) }],
});

const ctx = context(
  [
    [productpage, productpageXds],
    [reviewsV2, reviewsXds],
    [ingress, ingressXds],
    [egress, egressXds],
    [looping, loopingXds],
  ],
  [
    { host: 'reviews.default.svc.cluster.local', meshExternal: false },
    { host: 'api.external.com', meshExternal: true },
  ],
);

t.test('sidecar to sidecar: first healthy endpoint, auto mTLS, next hop inbound', async (t) => {
  const r = traceRequest(ctx, productpage, { address: '10.96.0.6', port: 9080, host: 'reviews:9080' });
  t.equal(r.flow, 'mesh');
  t.equal(r.error, null);
  t.equal(r.hops.length, 2);
  const [out, inb] = r.hops;
  t.equal(out.mode, 'outbound');
  t.equal(out.listener, '0.0.0.0_9080');
  t.equal(out.routeConfig, '9080');
  t.equal(out.virtualHost, 'reviews.default.svc.cluster.local:9080');
  t.equal(out.cluster, REVIEWS);
  t.same(out.endpoint, { address: '10.0.0.6', port: 9080, pod: 'default/reviews-v2' });
  t.equal(out.tls, 'mtls');
  const ep = out.steps.find((s) => s.stage === 'endpoint')!;
  t.same(
    ep.rejected.map((x) => x.name),
    ['10.0.0.5:9080', '10.0.0.7:9080'],
  );
  t.match(ep.rejected[0].why, /UNHEALTHY/);
  t.match(out.steps.find((s) => s.stage === 'upstream_tls'), { chosen: 'mtls', why: /tlsMode-istio/ });
  t.equal(inb.proxy.name, 'reviews-v2');
  t.equal(inb.mode, 'inbound');
  t.equal(inb.listener, 'virtualInbound');
  t.equal(inb.filterChain, '0.0.0.0_9080');
  t.equal(inb.virtualHost, 'inbound|http|9080');
  t.equal(inb.cluster, 'inbound|9080||');
  t.same(inb.endpoint, { address: '10.0.0.6', port: 9080 });
  t.match(inb.steps.at(-1), { stage: 'next_hop', why: /delivered to the workload/ });
});

t.test('ingress gateway to sidecar: flow ingress', async (t) => {
  const r = traceRequest(ctx, ingress, { port: 8080, host: 'bookinfo.example.com', path: '/productpage' });
  t.equal(r.flow, 'ingress');
  t.same(
    r.hops.map((h) => [h.proxy.name, h.mode, h.cluster]),
    [
      ['istio-ingressgateway', 'gateway', PRODUCTPAGE],
      ['productpage-v1', 'inbound', 'inbound|9080||'],
    ],
  );
});

t.test('external destinations: DNS cluster with TLS, passthrough, egress gateway', async (t) => {
  const dns = traceRequest(ctx, productpage, { port: 443, host: 'api.external.com' });
  t.equal(dns.flow, 'egress');
  t.equal(dns.hops.length, 1);
  t.equal(dns.hops[0].cluster, EXTERNAL);
  t.equal(dns.hops[0].tls, 'tls');
  t.same(dns.hops[0].endpoint, { address: 'api.external.com', port: 443 });

  const passthrough = traceRequest(ctx, productpage, { port: 5000, protocol: 'tcp' });
  t.equal(passthrough.flow, 'egress');
  t.equal(passthrough.hops[0].cluster, 'PassthroughCluster');
  t.same(passthrough.hops[0].endpoint, { address: '1.3.3.7', port: 5000 });
  t.equal(passthrough.hops[0].tls, 'plaintext');

  const viaGateway = traceRequest(ctx, productpage, { port: 443, host: 'egress.external.com' });
  t.equal(viaGateway.flow, 'egress');
  t.same(
    viaGateway.hops.map((h) => [h.proxy.name, h.mode, h.listener]),
    [
      ['productpage-v1', 'outbound', '0.0.0.0_443'],
      ['istio-egressgateway', 'gateway', '0.0.0.0_8443'],
    ],
  );
  t.equal(viaGateway.hops[0].tls, 'plaintext', 'no tlsMode metadata: the raw_buffer match');
});

t.test('a workload without sidecar of a mesh service: leaves the mesh, flow mesh', async (t) => {
  // Only the unhealthy and sidecar-less endpoints are left when the sidecar one is dropped from the config.
  const noV2 = { ...productpageXds, endpoints: [assignment(REVIEWS, [endpoint('10.0.0.7', 9080)])] };
  const r = traceRequest(context([[productpage, noV2]], [{ host: 'reviews.default.svc.cluster.local', meshExternal: false }]), productpage, {
    port: 9080,
    host: 'reviews',
  });
  t.equal(r.flow, 'mesh');
  t.equal(r.hops.length, 1);
  t.equal(r.hops[0].tls, 'plaintext');
  t.match(r.hops[0].steps.at(-1), { stage: 'next_hop', why: /without a sidecar/ });
});

t.test('no healthy endpoint, unknown cluster: the hop ends without an error code', async (t) => {
  const none = traceRequest(ctx, productpage, { port: 9080, host: 'nowhere' });
  t.equal(none.error, null);
  t.equal(none.hops[0].endpoint, null);
  t.match(none.hops[0].steps.at(-1), { stage: 'endpoint', chosen: null, why: /no healthy endpoint/ });
  const missing = traceRequest(ctx, productpage, { port: 9080, host: 'missing' });
  t.match(missing.hops[0].steps.at(-1), { stage: 'cluster', chosen: null, why: /not in this proxy's config/ });
});

t.test('calling its own service port: inbound on itself, source SAME_IP_OR_LOOPBACK', async (t) => {
  const r = traceRequest(ctx, productpage, { port: 82, protocol: 'tcp' });
  t.same(
    r.hops.map((h) => [h.proxy.name, h.mode, h.filterChain]),
    [
      ['productpage-v1', 'outbound', 'self'],
      ['productpage-v1', 'inbound', 'self-only'],
    ],
  );
});

t.test('a loop stops, and the error names its hop', async (t) => {
  const loop = traceRequest(ctx, looping, { port: 8080, protocol: 'tcp' });
  t.equal(loop.hops.length, 2);
  t.match(loop.hops.at(-1)?.steps.at(-1), { stage: 'next_hop', why: /loop/ });
  t.equal(loop.error, null);

  // A plaintext request whose next hop requires mTLS: the error is on hop 1.
  const plainReviews = { ...productpageXds, clusters: productpageXds.clusters.map((c) => (c.name === REVIEWS ? { ...c, transport_socket_matches: [] } : c)) };
  const r = traceRequest(context([[productpage, plainReviews], [reviewsV2, reviewsXds]]), productpage, { port: 9080, host: 'reviews' });
  t.equal(r.hops.length, 2);
  t.equal(r.hops[0].tls, 'plaintext');
  t.same(r.error && { code: r.error.code, hop: r.error.hop }, { code: 'NO_FILTER_CHAIN', hop: 1 });
});

t.test('lookups are compiled once per generated config', async (t) => {
  t.equal(compileXds(productpageXds), compileXds(productpageXds));
  t.equal(compileXds(productpageXds).clusterByName.get(REVIEWS)?.name, REVIEWS);
});
