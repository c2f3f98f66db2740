import t from 'tap';
import { BOOKINFO, index } from './fixtures.js';

t.test('services, hosts and protocols', async (t) => {
  const idx = index(BOOKINFO);
  const reviews = idx.servicesByHost.get('reviews.default.svc.cluster.local')?.[0];
  t.equal(reviews?.address, '10.96.0.20');
  t.equal(reviews?.ports[0].protocol, 'HTTP');
  const ratings = idx.servicesByHost.get('ratings.default.svc.cluster.local')?.[0];
  t.equal(ratings?.ports[0].protocol, 'GRPC');
  t.equal(ratings?.ports[0].targetPortName, 'api');
  const db = idx.servicesByHost.get('db.default.svc.cluster.local')?.[0];
  t.equal(db?.resolution, 'Passthrough');
  t.equal(db?.ports[0].protocol, 'TCP', 'port 3306 without a name is TCP');
  t.same(db?.exportTo, ['default']);
  const api = idx.servicesByHost.get('api.example.com')?.[0];
  t.equal(api?.resolution, 'DNSLB');
  t.equal(api?.meshExternal, true);
});

t.test('workloads, injection and endpoints', async (t) => {
  const idx = index(BOOKINFO);
  t.same(
    idx.proxies.map((p) => `${p.type}:${p.namespace}/${p.pod ? p.name.replace(/-[a-z0-9]{10}-[a-z0-9]{5}$/, '') : ''}`),
    ['sidecar:default/ratings-1', 'sidecar:default/reviews-v1', 'sidecar:default/reviews-v1', 'sidecar:default/reviews-v2', 'router:istio-system/istio-ingressgateway-1'],
    'injected pods and the gateway are proxies; db opted out',
  );
  const reviews = idx.servicesByHost.get('reviews.default.svc.cluster.local')![0];
  const eps = idx.endpoints(reviews, reviews.ports[0]);
  t.equal(eps.length, 3, 'two v1 replicas and one v2');
  t.ok(eps.every((e) => e.tlsMode === 'istio' && e.serviceAccount === 'bookinfo-reviews' && e.port === 9080));
  t.same([...new Set(eps.map((e) => e.workloadName))].sort(), ['reviews-v1', 'reviews-v2']);
  const ratings = idx.servicesByHost.get('ratings.default.svc.cluster.local')![0];
  t.same(idx.endpoints(ratings, ratings.ports[0]).map((e) => `${e.address}:${e.port}`), ['10.2.0.9:7070'], 'named target port');
  const db = idx.servicesByHost.get('db.default.svc.cluster.local')![0];
  t.equal(idx.endpoints(db, db.ports[0])[0].tlsMode, 'disabled');
  const api = idx.servicesByHost.get('api.example.com')![0];
  t.same(idx.endpoints(api, api.ports[0]).map((e) => `${e.address}:${e.port}:${e.hostname}`), ['api.example.com:443:true']);
  const again = index(BOOKINFO);
  t.same(again.proxies.map((p) => p.id), idx.proxies.map((p) => p.id), 'deterministic names and IPs');
  const first = eps[0];
  t.equal(idx.proxyByIp(first.address)?.pod, first.pod, 'next hop by pod IP');
});

t.test('exportTo and Sidecar scope', async (t) => {
  const idx = index(`${BOOKINFO}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: other}
spec:
  egress: [{hosts: ["./*", "default/reviews.default.svc.cluster.local", "~/api.example.com"]}]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
`);
  const inDefault = idx.sidecarScope(idx.makeProxy({ type: 'sidecar', namespace: 'default', labels: {}, ips: ['1.1.1.1'], metadata: {} }));
  t.ok(inDefault.services.some((s) => s.hostname === 'db.default.svc.cluster.local'), 'private service visible in its namespace');
  t.same(inDefault.virtualServices.map((v) => v.name), ['reviews']);
  t.equal(inDefault.outboundTrafficPolicy, 'ALLOW_ANY');
  const other = idx.sidecarScope(idx.makeProxy({ type: 'sidecar', namespace: 'other', labels: {}, ips: ['1.1.1.2'], metadata: {} }));
  t.same(other.services.map((s) => s.hostname), ['reviews.default.svc.cluster.local'], 'only the imported host');
  t.equal(other.outboundTrafficPolicy, 'REGISTRY_ONLY');
  t.equal(other.sidecar?.name, 'default');
  const noSidecar = idx.sidecarScope(idx.makeProxy({ type: 'sidecar', namespace: 'third', labels: {}, ips: ['1.1.1.3'], metadata: {} }));
  t.notOk(noSidecar.services.some((s) => s.hostname === 'db.default.svc.cluster.local'), 'exportTo "." hides db from other namespaces');
});

t.test('DestinationRule lookup and merge', async (t) => {
  const idx = index(BOOKINFO);
  const proxy = idx.makeProxy({ type: 'sidecar', namespace: 'default', labels: {}, ips: ['1.1.1.1'], metadata: {} });
  const reviews = idx.servicesByHost.get('reviews.default.svc.cluster.local')![0];
  const dr = idx.destinationRule(proxy, reviews);
  t.equal(dr?.name, 'reviews', 'oldest rule leads');
  t.same(dr?.spec.subsets.map((s: any) => `${s.name}=${s.labels.version}`), ['v1=v1', 'v2=v2', 'v3=v3'], 'subsets unioned, first name wins');
  t.equal(dr?.spec.trafficPolicy.loadBalancer.simple, 'ROUND_ROBIN', 'first top-level policy wins');
  t.equal(dr?.mergedFrom?.length, 2);
  const fromOther = idx.destinationRule(idx.makeProxy({ type: 'sidecar', namespace: 'other', labels: {}, ips: [], metadata: {} }), reviews);
  t.equal(fromOther?.name, 'reviews', 'exported rule of the service namespace');
});

t.test('PeerAuthentication composition', async (t) => {
  const idx = index(`${BOOKINFO}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: mesh, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ns, namespace: default}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ratings, namespace: default}
spec:
  selector: {matchLabels: {app: ratings}}
  portLevelMtls: {"7070": {mode: DISABLE}}
`);
  t.equal(idx.workloadMtlsMode('default', { app: 'reviews' }, 9080), 'PERMISSIVE', 'namespace beats mesh');
  t.equal(idx.workloadMtlsMode('default', { app: 'ratings' }, 7070), 'DISABLE', 'port level');
  t.equal(idx.workloadMtlsMode('default', { app: 'ratings' }, 8000), 'PERMISSIVE', 'unset workload mode inherits');
  t.equal(idx.workloadMtlsMode('prod', {}, 80), 'STRICT', 'mesh-wide');
  const db = idx.servicesByHost.get('db.default.svc.cluster.local')![0];
  t.equal(idx.serviceMtlsMode(db, 3306), 'DISABLE', 'headless with plaintext endpoints');
});

t.test('service targets of an ad-hoc proxy by labels', async (t) => {
  const idx = index(BOOKINFO);
  const targets = idx.serviceTargets(idx.makeProxy({ type: 'sidecar', namespace: 'default', labels: { app: 'reviews' }, ips: ['9.9.9.9'], metadata: {} }));
  t.same(targets.map((x) => `${x.service.name}:${x.port.port}->${x.targetPort}`), ['reviews:9080->9080']);
  const gw = idx.proxies.find((p) => p.type === 'router')!;
  t.same(idx.gatewaysFor(gw), []);
});
