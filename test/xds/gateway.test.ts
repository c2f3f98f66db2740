// Gateway (router) listeners and route configurations from small meshes: servers merged per target
// port, HTTP/HTTPS/TCP/passthrough chains, vhosts per host, httpsRedirect, conflicts, egress routing.

import t, { type Test } from 'tap';
import { parseManifests } from '../../src/manifests/index.js';
import { buildMeshIndex } from '../../src/mesh/index.js';
import type { MeshIndex, Proxy } from '../../src/mesh/types.js';
import type { FilterChain, Listener, RouteConfiguration, TypedConfig } from '../../src/xds/envoy.js';
import { TYPE_URL } from '../../src/xds/envoy.js';
import { buildGatewayListeners } from '../../src/xds/listeners/gateway.js';
import { buildGatewayRouteConfigs } from '../../src/xds/routes/gateway.js';
import { checkEnvoyResource } from '../../src/envoy/protos.js';

const BASE = `
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  clusterIP: 10.96.9.1
  selector: {istio: ingressgateway}
  ports:
  - {name: http2, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: 8443}
  - {name: tcp, port: 31400, targetPort: 31400}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  clusterIP: 10.96.0.10
  selector: {app: cart}
  ports:
  - {name: http, port: 8000}
---
apiVersion: v1
kind: Service
metadata: {name: pricing, namespace: shop}
spec:
  clusterIP: 10.96.0.11
  selector: {app: pricing}
  ports:
  - {name: tcp, port: 9000}
  - {name: tls, port: 9001}
`;

function mesh(yaml: string, meshConfig: Record<string, unknown> = {}): MeshIndex {
  const parsed = parseManifests(`${BASE}---\n${yaml}`);
  return buildMeshIndex(parsed.objects, meshConfig, { configDomain: 'cluster.local' });
}

const gatewayProxy = (index: MeshIndex, labels: Record<string, string> = { istio: 'ingressgateway' }): Proxy =>
  index.makeProxy({ type: 'router', namespace: 'istio-system', labels, ips: ['10.1.0.5'], metadata: {} });

function build(t: Test, index: MeshIndex, proxy = gatewayProxy(index)) {
  const { listeners, provenance } = buildGatewayListeners(index, proxy);
  const { routes, provenance: routeProvenance } = buildGatewayRouteConfigs(index, proxy);
  for (const l of listeners) t.same(checkEnvoyResource(TYPE_URL.listener, l).errors, [], `${l.name} is valid Envoy`);
  for (const r of routes) t.same(checkEnvoyResource(TYPE_URL.routeConfiguration, r).errors, [], `${r.name} is valid Envoy`);
  return { listeners, routes, provenance, routeProvenance };
}


const listener = (ls: Listener[], name: string): Listener => {
  const l = ls.find((x) => x.name === name);
  if (!l) throw new Error(`no listener ${name} in ${ls.map((x) => x.name).join(', ')}`);
  return l;
};
const routeConfig = (rs: RouteConfiguration[], name: string): RouteConfiguration => {
  const r = rs.find((x) => x.name === name);
  if (!r) throw new Error(`no route config ${name} in ${rs.map((x) => x.name).join(', ')}`);
  return r;
};
const filterConfig = (c: FilterChain, name: string): TypedConfig | undefined => c.filters.find((f) => f.name === name)?.typed_config;
const hcm = (c: FilterChain) => filterConfig(c, 'envoy.filters.network.http_connection_manager') as Record<string, any>;
const tcpProxy = (c: FilterChain) => filterConfig(c, 'envoy.filters.network.tcp_proxy') as Record<string, any>;
const tls = (c: FilterChain) => c.transport_socket?.typed_config as Record<string, any>;

const EDGE = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com, www.shop.example.com]
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert}
  - port: {number: 443, name: https-partner, protocol: HTTPS}
    hosts: [partner.example.com]
    tls: {mode: MUTUAL, credentialName: partner-cert}
  - port: {number: 31400, name: tcp, protocol: TCP}
    hosts: ['*']
  - port: {number: 9443, name: tls-passthrough, protocol: TLS}
    hosts: ['*.internal.example.com']
    tls: {mode: PASSTHROUGH}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: storefront, namespace: shop}
spec:
  hosts: [shop.example.com, www.shop.example.com]
  gateways: [edge]
  http:
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: cart}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: pricing-tcp, namespace: shop}
spec:
  hosts: ['*']
  gateways: [edge]
  tcp:
  - route: [{destination: {host: pricing, port: {number: 9000}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: pricing-tls, namespace: shop}
spec:
  hosts: [db.internal.example.com]
  gateways: [edge]
  tls:
  - match: [{sniHosts: [db.internal.example.com]}]
    route: [{destination: {host: pricing, port: {number: 9001}}}]
`;

t.test('ingress gateway: a listener per target port with HTTP, HTTPS, TCP and passthrough chains', async (t) => {
  const index = mesh(EDGE);
  const { listeners, provenance } = build(t, index);
  t.same(listeners.map((l) => l.name).sort(), ['0.0.0.0_31400', '0.0.0.0_8080', '0.0.0.0_8443', '0.0.0.0_9443']);

  const http = listener(listeners, '0.0.0.0_8080');
  t.same(http.address, { socket_address: { address: '0.0.0.0', port_value: 8080 } });
  t.equal(http.traffic_direction, 'OUTBOUND');
  t.equal(http.listener_filters, undefined, 'no TLS inspector without SNI');
  t.equal(http.filter_chains.length, 1);
  t.equal(http.filter_chains[0].filter_chain_match, undefined);
  t.equal(http.filter_chains[0].transport_socket_connect_timeout, '15s');
  const httpHcm = hcm(http.filter_chains[0]);
  t.equal(httpHcm.stat_prefix, 'outbound_0.0.0.0_8080;');
  t.equal(httpHcm.rds.route_config_name, 'http.8080');
  t.equal(httpHcm.use_remote_address, true);
  t.equal(httpHcm.forward_client_cert_details, 'SANITIZE_SET');
  t.same(httpHcm.set_current_client_cert_details, { subject: true, cert: true, dns: true, uri: true });
  t.same(provenance['0.0.0.0_8080'], [{ kind: 'Gateway', namespace: 'shop', name: 'edge' }]);

  const https = listener(listeners, '0.0.0.0_8443');
  t.same(https.listener_filters?.map((f) => f.name), ['envoy.filters.listener.tls_inspector']);
  const [simple, mutual] = https.filter_chains;
  t.same(simple.filter_chain_match, { server_names: ['shop.example.com'] });
  t.equal(hcm(simple).rds.route_config_name, 'https.443.https.edge.shop');
  t.same(tls(simple), {
    '@type': TYPE_URL.downstreamTls,
    common_tls_context: {
      tls_certificate_sds_secret_configs: [{ name: 'kubernetes://shop-cert', sds_config: { ads: {}, resource_api_version: 'V3' } }],
      alpn_protocols: ['h2', 'http/1.1'],
    },
    require_client_certificate: false,
  });
  t.same(mutual.filter_chain_match, { server_names: ['partner.example.com'] });
  t.equal(hcm(mutual).rds.route_config_name, 'https.443.https-partner.edge.shop');
  t.equal(tls(mutual).require_client_certificate, true);
  t.same(tls(mutual).common_tls_context.combined_validation_context, {
    default_validation_context: {},
    validation_context_sds_secret_config: { name: 'kubernetes://partner-cert-cacert', sds_config: { ads: {}, resource_api_version: 'V3' } },
  });

  const tcp = listener(listeners, '0.0.0.0_31400');
  t.same(tcpProxy(tcp.filter_chains[0]), {
    '@type': TYPE_URL.tcpProxy,
    stat_prefix: 'outbound|9000||pricing.shop.svc.cluster.local',
    cluster: 'outbound|9000||pricing.shop.svc.cluster.local',
  });

  const passthrough = listener(listeners, '0.0.0.0_9443');
  t.equal(passthrough.filter_chains.length, 1);
  t.same(passthrough.filter_chains[0].filter_chain_match, { server_names: ['db.internal.example.com'] });
  t.equal(tcpProxy(passthrough.filter_chains[0]).cluster, 'outbound|9001||pricing.shop.svc.cluster.local');
  t.equal(passthrough.filter_chains[0].transport_socket, undefined);
});

t.test('ingress gateway routes: one vhost per host and server port, identical routes collapsed, 404 vhost', async (t) => {
  const index = mesh(EDGE);
  const { routes, routeProvenance } = build(t, index);
  t.same(routes.map((r) => r.name), ['http.8080', 'https.443.https.edge.shop', 'https.443.https-partner.edge.shop']);

  const http = routeConfig(routes, 'http.8080');
  t.equal(http.validate_clusters, false);
  t.equal(http.ignore_port_in_host_matching, true);
  t.equal(http.max_direct_response_body_size_bytes, 1048576);
  t.equal(http.virtual_hosts?.length, 1, 'both hosts share the same routes, so they collapse');
  const [vhost] = http.virtual_hosts!;
  t.equal(vhost.name, 'www.shop.example.com:80');
  t.same(vhost.domains, ['www.shop.example.com', 'shop.example.com']);
  t.equal(vhost.include_request_attempt_count, true);
  t.same(vhost.routes?.map((r) => r.route?.cluster), ['outbound|8000||cart.shop.svc.cluster.local']);
  t.same(vhost.routes?.[0].decorator, { operation: 'cart.shop.svc.cluster.local:8000/api*' });
  t.same(routeProvenance.virtualHosts['http.8080/www.shop.example.com:80'], [
    { kind: 'Gateway', namespace: 'shop', name: 'edge' },
    { kind: 'VirtualService', namespace: 'shop', name: 'storefront' },
  ]);

  const https = routeConfig(routes, 'https.443.https.edge.shop');
  t.same(https.virtual_hosts?.map((v) => [v.name, v.domains]), [['shop.example.com:443', ['shop.example.com']]]);

  const partner = routeConfig(routes, 'https.443.https-partner.edge.shop');
  t.same(partner.virtual_hosts, [{ name: 'blackhole:443', domains: ['*'] }]);
});

t.test('httpsRedirect, protocol conflicts on a port, AUTO_PASSTHROUGH SNI-DNAT chains', async (t) => {
  const index = mesh(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: alpha, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com, static.example.com]
    tls: {httpsRedirect: true}
  - port: {number: 15443, name: tls, protocol: TLS}
    hosts: ['*.shop.svc.cluster.local']
    tls: {mode: AUTO_PASSTHROUGH}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: beta, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: tcp, protocol: TCP}
    hosts: ['*']
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: storefront, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [alpha, beta]
  http:
  - route: [{destination: {host: cart}}]
  tcp:
  - route: [{destination: {host: pricing, port: {number: 9000}}}]
`);
  const { listeners, routes } = build(t, index);
  const http = listener(listeners, '0.0.0.0_8080');
  t.equal(http.filter_chains.length, 1, 'the TCP server of beta conflicts with alpha HTTP and is dropped');
  t.equal(hcm(http.filter_chains[0]).rds.route_config_name, 'http.8080');

  const rc = routeConfig(routes, 'http.8080');
  t.same(
    rc.virtual_hosts?.map((v) => ({ name: v.name, require_tls: v.require_tls, routes: v.routes?.length ?? 0 })),
    [
      { name: 'shop.example.com:80', require_tls: 'ALL', routes: 1 },
      { name: 'static.example.com:80', require_tls: 'ALL', routes: 0 },
    ],
  );

  const auto = listener(listeners, '0.0.0.0_15443');
  t.same(
    auto.filter_chains.map((c) => c.filter_chain_match?.server_names?.[0]),
    [
      'outbound_.8000_._.cart.shop.svc.cluster.local',
      'outbound_.9000_._.pricing.shop.svc.cluster.local',
      'outbound_.9001_._.pricing.shop.svc.cluster.local',
    ],
  );
  t.same(auto.filter_chains[0].filter_chain_match?.application_protocols, [
    'istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2',
  ]);
  t.equal(tcpProxy(auto.filter_chains[0]).cluster, 'outbound_.8000_._.cart.shop.svc.cluster.local');
});

t.test('no gateway for the proxy: no listeners, no routes', async (t) => {
  const index = mesh(EDGE);
  const { listeners, routes } = build(t, index, gatewayProxy(index, { istio: 'egressgateway' }));
  t.same(listeners, []);
  t.same(routes, []);
});

t.test('egress gateway: the rule for the gateway routes out, the mesh rule is skipped', async (t) => {
  const index = mesh(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: news, namespace: shop}
spec:
  hosts: [news.example.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: egress, namespace: istio-system}
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [news.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: news-via-egress, namespace: shop}
spec:
  hosts: [news.example.com]
  gateways: [istio-system/egress, mesh]
  http:
  - match: [{gateways: [mesh], port: 80}]
    route: [{destination: {host: istio-egressgateway.istio-system.svc.cluster.local, subset: news, port: {number: 80}}}]
  - match: [{gateways: [istio-system/egress], port: 80}]
    route: [{destination: {host: news.example.com, port: {number: 80}}}]
`);
  const proxy = gatewayProxy(index, { istio: 'egressgateway' });
  const { listeners, routes } = build(t, index, proxy);
  t.same(listeners.map((l) => l.name), ['0.0.0.0_80'], 'no gateway Service: the server port is used as is');
  const rc = routeConfig(routes, 'http.80');
  t.same(rc.virtual_hosts?.map((v) => v.name), ['news.example.com:80']);
  t.same(rc.virtual_hosts?.[0].routes?.map((r) => r.route?.cluster), ['outbound|80||news.example.com']);
});

t.test('TLS servers terminated into TCP: VS tcp rules, or a TLSRoute-generated VS tls rule', async (t) => {
  const index = mesh(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: mtls, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 15443, name: tls-mesh, protocol: TLS}
    hosts: [pricing.shop.svc.cluster.local]
    tls: {mode: ISTIO_MUTUAL}
  - port: {number: 16443, name: tls-route, protocol: TLS}
    hosts: ['*/db.example.com']
    tls: {mode: SIMPLE, credentialName: db-cert}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: pricing-mesh, namespace: shop}
spec:
  hosts: [pricing.shop.svc.cluster.local]
  gateways: [mtls]
  tcp:
  - match: [{port: 15443}]
    route: [{destination: {host: pricing, port: {number: 9000}}, weight: 80}, {destination: {host: pricing, port: {number: 9001}}, weight: 20}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: db-route
  namespace: shop
  annotations: {internal.istio.io/parents: TLSRoute/db.shop}
spec:
  hosts: [db.example.com]
  gateways: [mtls]
  tls:
  - match: [{sniHosts: [db.example.com], port: 16443}]
    route: [{destination: {host: pricing, port: {number: 9001}}}]
`);
  const { listeners } = build(t, index);
  const [mesh15443] = listener(listeners, '0.0.0.0_15443').filter_chains;
  t.same(mesh15443.filter_chain_match, { server_names: ['pricing.shop.svc.cluster.local'] });
  t.same(mesh15443.filters.map((f) => f.name), ['istio.metadata_exchange', 'envoy.filters.network.tcp_proxy']);
  t.same(tcpProxy(mesh15443), {
    '@type': TYPE_URL.tcpProxy,
    stat_prefix: 'pricing-mesh.shop',
    weighted_clusters: {
      clusters: [
        { name: 'outbound|9000||pricing.shop.svc.cluster.local', weight: 80 },
        { name: 'outbound|9001||pricing.shop.svc.cluster.local', weight: 20 },
      ],
    },
  });
  t.same(tls(mesh15443).common_tls_context.alpn_protocols, ['istio-peer-exchange', 'h2', 'http/1.1']);
  t.same(tls(mesh15443).common_tls_context.tls_certificate_sds_secret_configs.map((s: { name: string }) => s.name), ['default']);
  t.equal(tls(mesh15443).require_client_certificate, true);

  const [route16443] = listener(listeners, '0.0.0.0_16443').filter_chains;
  t.same(route16443.filter_chain_match, { server_names: ['db.example.com'] });
  t.equal(tcpProxy(route16443).cluster, 'outbound|9001||pricing.shop.svc.cluster.local');
});

t.test('gateway TLS: mesh tlsDefaults under the server settings, CRL and insecureSkipVerify (BuildListenerTLSContext)', async (t) => {
  const gateway = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [a.example.com]
    tls: {mode: SIMPLE, credentialName: a-cert, cipherSuites: [ECDHE-RSA-AES256-GCM-SHA384]}
  - port: {number: 443, name: https-b, protocol: HTTPS}
    hosts: [b.example.com]
    tls: {mode: MUTUAL, serverCertificate: /etc/certs/b.pem, privateKey: /etc/certs/b.key, caCertificates: /etc/certs/ca.pem, caCrl: /etc/certs/crl.pem, insecureSkipVerify: true}
`;
  const index = mesh(gateway, { tlsDefaults: { minProtocolVersion: 'TLSV1_3', cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256'], ecdhCurves: ['P-256'] } });
  const { listeners } = build(t, index);
  const l = listeners.find((x) => x.name === '0.0.0.0_8443')!;
  const common = (sni: string) =>
    (l.filter_chains.find((c) => (c.filter_chain_match?.server_names as string[] | undefined)?.includes(sni))!.transport_socket!.typed_config as TypedConfig)
      .common_tls_context as Record<string, any>;
  t.same(common('a.example.com').tls_params, {
    ecdh_curves: ['P-256'],
    cipher_suites: ['ECDHE-RSA-AES256-GCM-SHA384'],
    tls_minimum_protocol_version: 'TLSv1_3',
  }, 'the server cipher suites override the mesh default; the mesh floor and curves stay');
  const b = common('b.example.com');
  t.same(b.combined_validation_context.default_validation_context, {
    crl: { filename: '/etc/certs/crl.pem' },
    trust_chain_verification: 'ACCEPT_UNTRUSTED',
  });
  t.equal(b.combined_validation_context.validation_context_sds_secret_config.name, 'file-root:/etc/certs/ca.pem');
  t.equal(b.tls_certificate_sds_secret_configs[0].name, 'file-cert:/etc/certs/b.pem~/etc/certs/b.key');
});
