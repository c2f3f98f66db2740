// Proxies of different namespaces that see the same services, VirtualServices and DestinationRules
// share their clusters and virtual hosts (src/xds/scope-view.ts); a namespace with a rule, Sidecar or
// export of its own does not; and no proxy's config depends on which proxies were translated before it.

import { createHash } from 'node:crypto';
import t from 'tap';
import type { MeshIndex, Proxy } from '../../src/mesh/types.js';
import { buildClusters } from '../../src/xds/clusters/index.js';
import { toConfigDump } from '../../src/xds/configdump.js';
import { generateXds } from '../../src/xds/index.js';
import { readSample } from '../support/samples.js';
import { index } from '../mesh/fixtures.js';

const namespace = (name: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: ${name}}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: app, image: client}]}
`;

const MESH = [
  ...['shop', 'a', 'b', 'own-rule', 'own-sidecar', 'exported'].map(namespace),
  `
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  clusterIP: 10.96.1.10
  selector: {app: cart}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: shop, annotations: {networking.istio.io/exportTo: "shop,exported"}}
spec:
  clusterIP: 10.96.1.11
  selector: {app: ledger}
  ports: [{name: http, port: 8080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  http: [{route: [{destination: {host: cart, subset: v1}}]}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart-here, namespace: own-rule}
spec:
  host: cart.shop.svc.cluster.local
  trafficPolicy: {loadBalancer: {simple: RANDOM}}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: own-sidecar}
spec:
  egress: [{hosts: ["./*", "istio-system/*"]}]
`,
].join('---\n');

const CART = 'outbound|8080||cart.shop.svc.cluster.local';

const client = (idx: MeshIndex, ns: string): Proxy => idx.proxies.find((p) => p.namespace === ns && p.labels.app === 'client')!;
const cartVhost = (idx: MeshIndex, p: Proxy) =>
  generateXds(idx, p).routes.find((r) => r.name === '8080')!.virtual_hosts!.find((v) => v.name === 'cart.shop.svc.cluster.local:8080')!;

t.test('namespaces with equal views share clusters and virtual hosts', async (t) => {
  const idx = index(MESH);
  const [a, b] = [client(idx, 'a'), client(idx, 'b')];
  t.equal(idx.sidecarScope(a), idx.sidecarScope(b), 'one scope object for both namespaces');
  t.equal(buildClusters(idx, a).shared, buildClusters(idx, b).shared, 'the same outbound clusters');
  t.equal(cartVhost(idx, a), cartVhost(idx, b), 'the same virtual host for a service of a third namespace');
  t.same(cartVhost(idx, a).domains, ['cart.shop.svc.cluster.local', 'cart.shop.svc.cluster.local.', 'cart.shop', 'cart.shop.svc', '10.96.1.10']);

  const shop = client(idx, 'shop');
  t.not(cartVhost(idx, shop), cartVhost(idx, a), "the service's own namespace has its short names");
  t.same(cartVhost(idx, shop).domains, ['cart.shop.svc.cluster.local', 'cart.shop.svc.cluster.local.', 'cart', 'cart.shop.svc', 'cart.shop', '10.96.1.10']);
  t.not(idx.sidecarScope(shop), idx.sidecarScope(a), 'shop sees ledger, a does not');
});

t.test('a namespace with its own rule, Sidecar or exports does not share', async (t) => {
  const idx = index(MESH);
  const a = client(idx, 'a');
  const cart = (p: Proxy) => buildClusters(idx, p).clusters.find((c) => c.name === CART);
  for (const ns of ['own-rule', 'own-sidecar', 'exported']) {
    t.not(buildClusters(idx, client(idx, ns)).shared, buildClusters(idx, a).shared, `${ns}: clusters of its own`);
  }
  t.equal(cart(client(idx, 'own-rule'))!.lb_policy, 'RANDOM', 'from its own rule');
  t.equal(cart(a)!.lb_policy, 'LEAST_REQUEST');
  t.not(cartVhost(idx, client(idx, 'own-rule')).routes, cartVhost(idx, a).routes, 'route plans of its own');
  t.equal(cart(client(idx, 'own-sidecar')), undefined, 'its Sidecar does not import shop');
  const ledger = (p: Proxy) => buildClusters(idx, p).clusters.some((c) => c.name === 'outbound|8080||ledger.shop.svc.cluster.local');
  t.ok(ledger(client(idx, 'exported')), 'ledger is exported to it');
  t.notOk(ledger(a), 'and to a not');
});

/** SHA-256 of every proxy's config dump, translating in the given order on a fresh index. */
function hashes(yaml: string, order: (ps: Proxy[]) => Proxy[]): Map<string, string> {
  const idx = index(yaml);
  const out = new Map<string, string>();
  for (const p of order(idx.proxies)) out.set(p.id, createHash('sha256').update(JSON.stringify(toConfigDump(generateXds(idx, p)))).digest('hex'));
  return out;
}

t.test('a proxy translates the same whichever proxies were translated before it', async (t) => {
  for (const [name, yaml] of [['bookinfo', readSample('bookinfo')], ['this mesh', MESH]]) {
    const forward = hashes(yaml, (ps) => ps);
    const reversed = hashes(yaml, (ps) => [...ps].reverse());
    t.ok(forward.size > 5, `${name}: ${forward.size} proxies`);
    for (const [id, hash] of forward) t.equal(reversed.get(id), hash, `${name}: ${id}`);
  }
});
