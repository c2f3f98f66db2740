// istioctl x describe pod over the mesh index, on samples/bookinfo and on the bookinfo cluster dump:
// each section checked against what the manifests say.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { compileScenario } from '../../src/engine.js';
import { readSample, repoRoot } from '../support/samples.js';

const bookinfo = compileScenario({ resources: readSample('bookinfo') });

t.test('a reviews pod: its service and port, the subsets it matches, the routes that reach it', async (t) => {
  const { description: d, text } = bookinfo.describe('default/reviews-v2');
  t.match(d.pod, { namespace: 'default', name: /^reviews-v2-/, proxy: 'sidecar', ports: [{ port: 9080, protocol: 'TCP', container: 'reviews' }] });
  t.equal(d.services.length, 1);
  const port = d.services[0].ports[0];
  t.match(port, { name: 'http', port: 9080, protocol: 'HTTP', targetPort: 9080, mtlsMode: 'PERMISSIVE' });
  t.match(port.destinationRule, { name: 'reviews', host: 'reviews.default.svc.cluster.local', matchingSubsets: ['v2'], nonMatchingSubsets: ['v1', 'v3'], trafficPolicy: null });
  const vs = port.virtualService!;
  t.equal(vs.name, 'reviews');
  t.same(vs.routes.map((r) => [r.kind, r.index, r.reachesPod]), [['http', 0, true], ['http', 1, true]], 'jason goes to v2, and 10% of the rest');
  t.same(vs.routes[0].matches, ['Match:  when headers are end-user=jason']);
  t.same(vs.routes[1].destinations.map((x) => [x.subset, x.weight]), [['v1', 90], ['v2', 10]]);
  t.same(d.ingress, [], 'the gateway routes to productpage only');
  t.match(text, /^Pod: reviews-v2-\S+\n   Pod Revision: default\n   Pod Ports: 9080 \(reviews\)\n-{20}\nService: reviews\n   Port: http 9080\/HTTP targets pod port 9080\nDestinationRule: reviews for "reviews\.default\.svc\.cluster\.local"\n   Matching subsets: v2\n      \(Non-matching subsets v1,v3\)\n   No Traffic Policy\n/);
  t.match(text, /VirtualService: reviews\n   Route to host "reviews\.default\.svc\.cluster\.local" subset "v2" with weight 100%\n/);
  t.match(text, /Effective PeerAuthentication:\n   Workload mTLS mode: PERMISSIVE\n/);
});

t.test('reviews-v3 matches no route of the reviews VirtualService', async (t) => {
  const vs = bookinfo.describe('default/reviews-v3').description.services[0].ports[0].virtualService!;
  t.same(vs.routes.map((r) => r.reachesPod), [false, false]);
  t.same(vs.routes.flatMap((r) => r.notes), ['Route to non-matching subset v2', 'Route to non-matching subset v1', 'Route to non-matching subset v2']);
  t.match(bookinfo.describe('default/reviews-v3').text, /WARNING: No destinations match pod subsets \(checked 2 HTTP routes\)/);
});

t.test('productpage: exposed on the ingress gateway by bookinfo-gateway', async (t) => {
  const { description: d, text } = bookinfo.describe('default/productpage-v1');
  t.equal(d.ingress.length, 1);
  t.match(d.ingress[0], {
    gateway: { name: 'bookinfo-gateway', namespace: 'default' },
    gatewayPods: [/^istio-system\/istio-ingressgateway-/],
    service: { name: 'istio-ingressgateway', namespace: 'istio-system' },
    urls: ['http://10.96.100.1'],
    hosts: ['bookinfo.example'],
    virtualService: { name: 'bookinfo', routes: [{ reachesPod: true, matches: ['Match: /productpage', 'Match: /static*', 'Match: /login', 'Match: /logout', 'Match: /api/v1/products*'] }] },
  });
  t.match(text, /Exposed on Ingress Gateway http:\/\/10\.96\.100\.1\nGateway: bookinfo-gateway \(hosts bookinfo\.example\)\nVirtualService: bookinfo\n/);
});

t.test('the cluster dump: STRICT mTLS, the AuthorizationPolicy selecting productpage, the load balancer address', async (t) => {
  const dump = compileScenario({ resources: readFileSync(path.join(repoRoot, 'test/support/fixtures/bookinfo-cluster-dump.yaml'), 'utf8') });
  const { description: d } = dump.describe('default/productpage-v1');
  t.match(d.pod, { ports: [{ port: 9080, container: 'productpage' }, { port: 15090, container: 'istio-proxy' }] });
  t.same(d.peerAuthentication, { mode: 'STRICT', portLevel: [], applied: [{ name: 'default', namespace: 'default' }] });
  t.equal(d.services[0].ports[0].mtlsMode, 'STRICT');
  t.same(d.authorizationPolicies, [{ name: 'productpage-viewer', namespace: 'default', action: 'ALLOW' }]);
  t.match(d.ingress, [{ urls: ['http://34.77.10.20'], hosts: ['*'] }]);
  t.same(dump.describe('default/reviews-v1').description.authorizationPolicies, [], 'the policy selects productpage only');
});

t.test('port-level mTLS and a traffic policy', async (t) => {
  const extra = `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ratings, namespace: default}
spec:
  selector: {matchLabels: {app: ratings}}
  mtls: {mode: STRICT}
  portLevelMtls: {9080: {mode: DISABLE}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: default}
spec:
  host: ratings
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}, loadBalancer: {simple: RANDOM}, portLevelSettings: [{port: {number: 9080}, outlierDetection: {consecutive5xxErrors: 3}}]}
  subsets: [{name: v1, labels: {version: v1}}]
`;
  const resources = readSample('bookinfo').replace(/apiVersion: networking.istio.io\/v1\nkind: DestinationRule\nmetadata:\n  name: ratings\n[\s\S]*?(?=---)/, '');
  const s = compileScenario({ resources: resources + extra });
  const { description: d, text } = s.describe('default/ratings-v1');
  t.same(d.peerAuthentication, { mode: 'STRICT', portLevel: [{ port: 9080, mode: 'DISABLE' }], applied: [{ name: 'ratings', namespace: 'default' }] });
  t.equal(d.services[0].ports[0].mtlsMode, 'DISABLE');
  t.same(d.services[0].ports[0].destinationRule!.trafficPolicy, { tlsMode: 'ISTIO_MUTUAL', policies: ['load balancer'], portLevelSettings: [{ port: 9080, policies: ['outlier detection'] }] });
  t.match(text, /   Traffic Policy TLS Mode: ISTIO_MUTUAL\n   Policies: load balancer\n   Port Level Settings:\n    9080:\n      Policies: outlier detection\n/);
  t.match(text, /Port Level mTLS mode:\n      9080: DISABLE\n/);
});

t.test('an unknown pod is an input error naming it', async (t) => {
  t.throws(() => bookinfo.describe('default/nothing'), { name: 'InputError', problems: [{ path: 'proxy.pod', message: /default\/nothing/ }] });
});
