// Outbound clusters and EDS assignments are shared between proxies that see the same services and
// rules; a DestinationRule that selects some workloads must still give those their own.

import t from 'tap';
import { buildClusters } from '../../src/xds/clusters/index.js';
import { buildEndpoints } from '../../src/xds/endpoints/index.js';
import { index } from '../mesh/fixtures.js';

const MESH = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  clusterIP: 10.96.1.10
  selector: {app: cart}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart, version: v1}}
    spec: {containers: [{name: app, image: cart, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart-for-web, namespace: shop}
spec:
  host: cart
  workloadSelector: {matchLabels: {app: web}}
  trafficPolicy:
    loadBalancer: {simple: RANDOM}
    tls: {mode: DISABLE}
`;

const CART = 'outbound|8080||cart.shop.svc.cluster.local';

t.test('proxies of one namespace share outbound clusters unless a rule selects one of them', async (t) => {
  const idx = index(MESH);
  const proxy = (labels: Record<string, string>, ip: string) => idx.makeProxy({ type: 'sidecar', namespace: 'shop', labels, ips: [ip], metadata: {} });
  const [api1, api2, web] = [proxy({ app: 'api' }, '10.0.0.1'), proxy({ app: 'api', tier: 'b' }, '10.0.0.2'), proxy({ app: 'web' }, '10.0.0.3')];

  const cartOf = (p: typeof api1) => buildClusters(idx, p).clusters.find((c) => c.name === CART)!;
  t.equal(cartOf(api1), cartOf(api2), 'same object for proxies the selecting rule does not pick');
  t.equal(cartOf(api1).lb_policy, 'LEAST_REQUEST');
  t.ok(cartOf(api1).transport_socket_matches, 'auto mTLS for the default rule');

  const forWeb = cartOf(web);
  t.not(forWeb, cartOf(api1));
  t.equal(forWeb.lb_policy, 'RANDOM', 'the workload-selecting rule applies to web');
  t.notOk(forWeb.transport_socket_matches, 'its tls DISABLE turns auto mTLS off');
  t.equal((forWeb.metadata!.filter_metadata!.istio as any).config, '/apis/networking.istio.io/v1/namespaces/shop/destination-rule/cart-for-web');
  t.notOk(
    buildClusters(idx, web).clusters.some((c) => c.name === 'outbound|8080|v1|cart.shop.svc.cluster.local'),
    "the selecting rule has no subsets, so web gets no subset cluster",
  );
  t.ok(buildClusters(idx, api1).clusters.some((c) => c.name === 'outbound|8080|v1|cart.shop.svc.cluster.local'));

  t.same(
    buildClusters(idx, api1).clusters.filter((c) => c.name.startsWith('inbound|')),
    [],
    'inbound clusters stay per proxy (these ad-hoc proxies serve nothing)',
  );
  t.throws(() => {
    (cartOf(api1) as any).lb_policy = 'RANDOM';
  }, TypeError, 'shared clusters are frozen');
  t.equal(cartOf(api2).lb_policy, 'LEAST_REQUEST');
});

t.test('EDS assignments follow the rule in force for the proxy', async (t) => {
  const idx = index(MESH);
  const proxy = (labels: Record<string, string>) => idx.makeProxy({ type: 'sidecar', namespace: 'shop', labels, ips: ['10.0.0.9'], metadata: {} });
  const assignment = (labels: Record<string, string>) => {
    const p = proxy(labels);
    const { endpoints } = buildEndpoints(idx, p, buildClusters(idx, p).clusters);
    return endpoints.find((e) => e.cluster_name === CART)!;
  };
  const forApi = assignment({ app: 'api' });
  const forWeb = assignment({ app: 'web' });
  const socketMatch = (cla: typeof forApi) => cla.endpoints[0].lb_endpoints[0].metadata?.filter_metadata?.['envoy.transport_socket_match'];
  t.same(socketMatch(forApi), { tlsMode: 'istio' }, 'an injected endpoint is reached with mTLS by default');
  t.equal(socketMatch(forWeb), undefined, 'tls DISABLE in the rule selecting web drops the mTLS match');
  t.equal(assignment({ app: 'api', other: 'x' }), forApi, 'shared between proxies the rule does not select');
});

t.test('destinationRuleSelectorKey tells apart exactly the proxies a selecting rule picks', async (t) => {
  const idx = index(MESH);
  const key = (namespace: string, labels: Record<string, string>) =>
    idx.destinationRuleSelectorKey!(idx.makeProxy({ type: 'sidecar', namespace, labels, ips: [], metadata: {} }));
  t.equal(key('shop', { app: 'api' }), key('shop', {}));
  t.not(key('shop', { app: 'web' }), key('shop', { app: 'api' }));
  t.equal(key('other', { app: 'web' }), key('other', {}), 'the rule selects workloads of its own namespace only');
});
