// The traffic graph of the samples: routes with their weights and matches, subsets to their
// workloads, egress through the egress gateway, passthrough, mTLS marks and provenance.

import t from 'tap';
import { compileScenario } from '../../src/engine.js';
import { readSample } from '../support/samples.js';

const edgesOf = (g: ReturnType<ReturnType<typeof compileScenario>['graph']>, from: string) => g.edges.filter((e) => e.from === from);

t.test('bookinfo: the ingress route, the reviews canary to its versions, endpoints and passthrough', async (t) => {
  const g = compileScenario({ resources: readSample('bookinfo') }).graph();
  const kinds = (k: string) => g.nodes.filter((n) => n.kind === k).map((n) => n.name);
  t.same(kinds('gateway'), ['istio-ingressgateway']);
  t.ok(kinds('service').includes('reviews') && kinds('workload').includes('reviews-v3'));

  const ingress = edgesOf(g, 'gateway:istio-system/istio-ingressgateway');
  t.equal(ingress.length, 1);
  t.match(ingress[0], { kind: 'route', to: 'service:productpage.default.svc.cluster.local', weight: 100, route: 'VirtualService default/bookinfo http[0]', sources: ['VirtualService default/bookinfo'] });
  t.match(ingress[0].match, /path = \/productpage or path \/static\*/);

  const reviews = edgesOf(g, 'service:reviews.default.svc.cluster.local').filter((e) => e.kind === 'route');
  t.same(
    reviews.map((e) => [e.to.replace('workload:default/', ''), e.subset, e.weight, e.match]).sort(),
    [
      ['reviews-v1', 'v1', 90, ''],
      ['reviews-v2', 'v2', 10, ''],
      ['reviews-v2', 'v2', 100, 'header end-user = jason'],
    ].sort(),
  );
  t.ok(reviews.every((e) => e.mtls === 'ISTIO_MUTUAL' && e.mtlsFrom === 'auto mTLS'), 'auto mTLS on the client side');

  const endpoints = edgesOf(g, 'service:reviews.default.svc.cluster.local').filter((e) => e.kind === 'endpoint');
  t.same(endpoints.map((e) => e.to).sort(), ['workload:default/reviews-v1', 'workload:default/reviews-v2', 'workload:default/reviews-v3']);
  t.ok(endpoints.every((e) => e.mtls === 'PERMISSIVE' && e.port === 9080));
  t.ok(g.edges.some((e) => e.kind === 'passthrough' && e.from === 'workload:default/productpage-v1'), 'ALLOW_ANY: a way out');
  const productpage = g.nodes.find((n) => n.id === 'workload:default/productpage-v1')!;
  t.match(productpage.proxy, /^default\/productpage-v1-/);
  t.same(g, compileScenario({ resources: readSample('bookinfo') }).graph(), 'deterministic');
});

t.test('egress: the external host routed to the egress gateway, which sends it out', async (t) => {
  const g = compileScenario({ resources: readSample('egress') }).graph();
  const toGateway = edgesOf(g, 'external:www.example.org');
  t.match(toGateway, [{ kind: 'route', to: 'gateway:istio-system/istio-egressgateway', subset: 'example-org', match: 'port 80' }]);
  const out = edgesOf(g, 'gateway:istio-system/istio-egressgateway');
  t.match(out, [{ kind: 'egress', to: 'external:www.example.org', mtls: 'DISABLE' }]);
  t.notOk(g.nodes.some((n) => n.id === 'workload:default/example-org'), "a ServiceEntry's addresses are no workload");
});

t.test('policies: STRICT PeerAuthentication and an ALLOW policy mark the workload and its endpoint edge', async (t) => {
  const extra = `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: default}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ratings-viewer, namespace: default}
spec:
  selector: {matchLabels: {app: ratings}}
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/bookinfo-reviews]}}]}]
`;
  const g = compileScenario({ resources: readSample('bookinfo') + extra }).graph();
  const ratings = g.nodes.find((n) => n.id === 'workload:default/ratings-v1')!;
  t.equal(ratings.mtls, 'STRICT');
  t.same(ratings.policies, ['ALLOW default/ratings-viewer']);
  t.ok(ratings.sources.includes('PeerAuthentication default/strict'));
  const edge = g.edges.find((e) => e.kind === 'endpoint' && e.to === ratings.id)!;
  t.match(edge, { mtls: 'STRICT', mtlsFrom: 'PeerAuthentication default/strict', policies: ['ALLOW default/ratings-viewer'] });
});
