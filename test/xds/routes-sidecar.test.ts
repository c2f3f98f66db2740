// Sidecar outbound route configurations from small meshes: vhosts per service on a port,
// Istio's domains, VirtualService routes, sniffed per-service configs and the catch-all.

import t from 'tap';
import { parseManifests } from '../../src/manifests/index.js';
import { buildMeshIndex } from '../../src/mesh/index.js';
import type { MeshIndex } from '../../src/mesh/types.js';
import type { RouteConfiguration } from '../../src/xds/envoy.js';
import { TYPE_URL } from '../../src/xds/envoy.js';
import { buildListeners } from '../../src/xds/listeners/index.js';
import { buildRouteConfigs } from '../../src/xds/routes/index.js';
import { checkEnvoyResource } from '../../src/envoy/protos.js';

function mesh(yaml: string, meshConfig: Record<string, unknown> = {}): MeshIndex {
  return buildMeshIndex(parseManifests(yaml).objects, meshConfig, { configDomain: '' });
}

function routesFor(index: MeshIndex, namespace = 'shop') {
  return buildRouteConfigs(index, index.makeProxy({ type: 'sidecar', namespace, labels: {}, ips: ['10.0.0.9'], metadata: {} }));
}

const config = (rcs: RouteConfiguration[], name: string): RouteConfiguration => {
  const rc = rcs.find((r) => r.name === name);
  if (!rc) throw new Error(`no route config ${name} in ${rcs.map((r) => r.name).join(', ')}`);
  return rc;
};

const SERVICES = `
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  clusterIP: 10.96.0.10
  ports: [{name: http, port: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: pay, namespace: billing}
spec:
  clusterIP: 10.96.0.20
  ports: [{name: http, port: 8000}, {name: sniffed, port: 7000}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: shop}
spec:
  hosts: [api.example.org]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 8000, name: http, protocol: HTTP}]
`;

t.test('route config per port: vhosts sorted, Istio domains, catch-all last', async (t) => {
  const { routes, provenance } = routesFor(mesh(SERVICES));
  t.same(routes.map((r) => r.name), ['8000', 'pay.billing.svc.cluster.local:7000']);
  const rc = config(routes, '8000');
  t.same(rc.virtual_hosts!.map((v) => v.name), [
    'api.example.org:8000',
    'cart.shop.svc.cluster.local:8000',
    'pay.billing.svc.cluster.local:8000',
    'allow_any',
  ]);
  t.same(rc.virtual_hosts![1].domains, [
    'cart.shop.svc.cluster.local',
    'cart.shop.svc.cluster.local.',
    'cart',
    'cart.shop.svc',
    'cart.shop',
    '10.96.0.10',
  ]);
  t.same(rc.virtual_hosts![2].domains, [
    'pay.billing.svc.cluster.local',
    'pay.billing.svc.cluster.local.',
    'pay.billing',
    'pay.billing.svc',
    '10.96.0.20',
  ]);
  t.same(rc.virtual_hosts![0].domains, ['api.example.org', 'api.example.org.']);
  t.same(rc.virtual_hosts![1].routes![0].route?.cluster, 'outbound|8000||cart.shop.svc.cluster.local');
  t.equal(rc.virtual_hosts![1].routes![0].name, 'default');
  t.equal(rc.ignore_port_in_host_matching, true);
  t.same(provenance.virtualHosts['8000/cart.shop.svc.cluster.local:8000'], [{ kind: 'Service', namespace: 'shop', name: 'cart' }]);

  const sniffed = config(routes, 'pay.billing.svc.cluster.local:7000');
  t.same(sniffed.virtual_hosts!.map((v) => [v.name, v.domains]), [['pay.billing.svc.cluster.local:7000', ['*']]], 'only the service, no catch-all');
  for (const r of routes) t.same(checkEnvoyResource(TYPE_URL.routeConfiguration, r).errors, [], `${r.name} is valid Envoy`);
});

t.test('REGISTRY_ONLY catch-all answers 502', async (t) => {
  const rc = config(routesFor(mesh(SERVICES, { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } })).routes, '8000');
  const last = rc.virtual_hosts!.at(-1)!;
  t.equal(last.name, 'block_all');
  t.same(last.routes![0].direct_response, { status: 502 });
});

t.test('VirtualService routes replace the default route; non-service hosts get their own vhost', async (t) => {
  const index = mesh(`${SERVICES}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart-split, namespace: shop}
spec:
  hosts: [cart.shop.svc.cluster.local, shop.example.org]
  http:
  - name: to-pay
    match: [{uri: {prefix: /pay}}]
    route: [{destination: {host: pay.billing.svc.cluster.local, port: {number: 8000}}}]
  - route: [{destination: {host: cart.shop.svc.cluster.local}}]
`);
  const { routes, provenance } = routesFor(index);
  const rc = config(routes, '8000');
  const cart = rc.virtual_hosts!.find((v) => v.name === 'cart.shop.svc.cluster.local:8000')!;
  t.same(cart.routes!.map((r) => [r.match.prefix, r.route?.cluster]), [
    ['/pay', 'outbound|8000||pay.billing.svc.cluster.local'],
    ['/', 'outbound|8000||cart.shop.svc.cluster.local'],
  ]);
  const extra = rc.virtual_hosts!.find((v) => v.name === 'shop.example.org:8000');
  t.same(extra?.domains, ['shop.example.org']);
  t.ok(provenance.virtualHosts['8000/cart.shop.svc.cluster.local:8000'].some((r) => r.kind === 'VirtualService'));
});

t.test('headless services add wildcard domains', async (t) => {
  const index = mesh(`
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  ports: [{name: http, port: 8000}]
`);
  const vh = config(routesFor(index).routes, '8000').virtual_hosts![0];
  t.same(vh.domains, [
    'db.shop.svc.cluster.local',
    'db.shop.svc.cluster.local.',
    'db',
    'db.shop.svc',
    'db.shop',
    '*.db.shop.svc.cluster.local',
    '*.db.shop.svc.cluster.local.',
    '*.db',
    '*.db.shop.svc',
    '*.db.shop',
  ]);
});

t.test('proxyHttpPort adds the HTTP proxy listener and its http_proxy routes with port domains', async (t) => {
  const index = mesh(SERVICES, { proxyHttpPort: 15080 });
  const proxy = index.makeProxy({ type: 'sidecar', namespace: 'shop', labels: {}, ips: ['10.0.0.9'], metadata: {} });
  t.ok(buildListeners(index, proxy).listeners.some((l) => l.name === '127.0.0.1_15080'));
  const rc = config(buildRouteConfigs(index, proxy).routes, 'http_proxy');
  const cart = rc.virtual_hosts!.find((v) => v.name === 'cart.shop.svc.cluster.local:8000')!;
  t.same(cart.domains, [
    'cart.shop.svc.cluster.local:8000',
    'cart.shop.svc.cluster.local.:8000',
    'cart:8000',
    'cart.shop.svc:8000',
    'cart.shop:8000',
    '10.96.0.10:8000',
  ], 'a port other than 80 keeps only its ":port" domains');
  t.equal(rc.virtual_hosts!.at(-1)!.name, 'allow_any');
});

t.test('shared route configurations: same for proxies alike, apart for proxies that VS source labels or DR selectors tell apart', async (t) => {
  const index = mesh(`${SERVICES}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart.shop.svc.cluster.local]
  http:
  - match: [{sourceLabels: {tier: canary}}]
    route: [{destination: {host: cart.shop.svc.cluster.local, subset: v2}}]
  - route: [{destination: {host: cart.shop.svc.cluster.local, subset: v1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart-sticky, namespace: shop}
spec:
  host: cart.shop.svc.cluster.local
  workloadSelector: {matchLabels: {sticky: 'yes'}}
  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
`);
  const proxy = (labels: Record<string, string>) =>
    index.makeProxy({ type: 'sidecar', namespace: 'shop', labels, ips: ['10.0.0.9'], metadata: {} });
  const cartRoutes = (labels: Record<string, string>) =>
    config(buildRouteConfigs(index, proxy(labels)).routes, '8000').virtual_hosts!.find((v) => v.name === 'cart.shop.svc.cluster.local:8000')!.routes ?? [];

  const plain = buildRouteConfigs(index, proxy({ app: 'a' }));
  t.equal(buildRouteConfigs(index, proxy({ app: 'b' })), plain, 'labels no VS or DR looks at: one shared result');
  t.same(cartRoutes({ app: 'a' }).map((r) => r.route?.cluster), ['outbound|8000|v1|cart.shop.svc.cluster.local']);
  // The source-label match is a catch-all for the canary: nothing after it is reachable.
  t.same(cartRoutes({ tier: 'canary' }).map((r) => r.route?.cluster), ['outbound|8000|v2|cart.shop.svc.cluster.local']);
  t.notOk(cartRoutes({ app: 'a' })[0].route?.hash_policy);
  t.same(cartRoutes({ sticky: 'yes' })[0].route?.hash_policy, [{ header: { header_name: 'x-user' } }]);
  t.same(JSON.stringify(buildRouteConfigs(index, proxy({ app: 'c' }))), JSON.stringify(plain), 'shared result left unchanged');
});

t.test("a DestinationRule's consistentHash gives the default route its hash policy (port level first)", async (t) => {
  const index = mesh(`${SERVICES}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart.shop.svc.cluster.local
  trafficPolicy:
    loadBalancer: {consistentHash: {httpHeaderName: x-user}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: pay, namespace: billing}
spec:
  host: pay.billing.svc.cluster.local
  trafficPolicy:
    loadBalancer: {consistentHash: {httpHeaderName: x-user}}
    portLevelSettings:
    - port: {number: 8000}
      loadBalancer: {consistentHash: {useSourceIp: true}}
`);
  const { routes, provenance } = routesFor(index);
  const defaultRoute = (name: string, vhost: string) => config(routes, name).virtual_hosts?.find((v) => v.name === vhost)?.routes?.[0];
  t.same(defaultRoute('8000', 'cart.shop.svc.cluster.local:8000')?.route?.hash_policy, [{ header: { header_name: 'x-user' } }]);
  t.same(defaultRoute('8000', 'pay.billing.svc.cluster.local:8000')?.route?.hash_policy, [{ connection_properties: { source_ip: true } }], 'the port-level hash replaces the top-level one');
  t.same(defaultRoute('8000', 'api.example.org:8000')?.route?.hash_policy, undefined, 'no rule, no hash');
  t.ok(
    provenance.virtualHosts['8000/cart.shop.svc.cluster.local:8000'].some((r) => r.kind === 'DestinationRule'),
    'the DestinationRule is in the provenance',
  );
  for (const rc of routes) t.same(checkEnvoyResource(TYPE_URL.routeConfiguration, rc).errors, [], `${rc.name} is valid Envoy`);
});
