// A cluster dump as input: `kubectl get -A -o yaml` of a bookinfo cluster (test/support/fixtures/bookinfo-cluster-dump.yaml), where
// Endpoints and EndpointSlices both list every pod, Deployments come with their pods, one pod is
// terminating and one endpoint sits in two slices. Each endpoint must reach EDS once, as istiod sends it.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { load } from 'js-yaml';
import { compileScenario, type CompiledScenario } from '../../src/engine.js';
import { repoRoot } from '../support/cases.js';

const DUMP = readFileSync(path.join(repoRoot, 'test/support/fixtures/bookinfo-cluster-dump.yaml'), 'utf8');
const dumpItems = (load(DUMP) as { items: any[] }).items;

/** Every lb endpoint of every EDS assignment a proxy gets, as "cluster address:port health". */
function edsOf(scenario: CompiledScenario, pod: string): string[] {
  const proxy = scenario.proxy({ pod });
  return scenario.xds(proxy).endpoints.flatMap((cla: any) =>
    (cla.endpoints ?? []).flatMap((l: any) =>
      (l.lb_endpoints ?? []).map((e: any) => `${cla.cluster_name} ${e.endpoint.address.socket_address.address}:${e.endpoint.address.socket_address.port_value} ${e.health_status}`),
    ),
  );
}

const podName = (prefix: string) => dumpItems.find((o) => o.kind === 'Pod' && o.metadata.name.startsWith(prefix) && !o.metadata.deletionTimestamp).metadata.name;
const mpl = (s: CompiledScenario) => s.analysis.filter((m) => m.code.startsWith('MPL'));

t.test('the dump reads: a kind: List with status, managedFields and kinds meshplan does not use', async (t) => {
  const s = compileScenario({ resources: DUMP });
  t.equal(s.index.proxies.length, 7, 'six bookinfo sidecars and the ingress gateway; istiod and kube-dns are not proxies');
  t.notOk(s.warnings.some((w) => /unknown field/.test(w)), 'no unknown-field warnings for status or managedFields');
  t.ok(s.warnings.some((w) => /ReplicaSet .* not used by meshplan/.test(w)), 'ReplicaSets are named as ignored');
  t.match(mpl(s), [{ code: 'MPL0004', name: 'MeshConfigMapNotRead', resource: { kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' }, path: 'data.mesh', document: 0 }], 'every Service has slices: only the mesh config left unread is said');
});

t.test('each endpoint once in EDS although Endpoints and EndpointSlices (two of them for reviews) list it', async (t) => {
  const s = compileScenario({ resources: DUMP });
  const eds = edsOf(s, `default/${podName('productpage-v1')}`);
  t.ok(eds.length > 10);
  t.same(eds.filter((e, i) => eds.indexOf(e) !== i), [], 'no endpoint twice');
  const reviews = eds.filter((e) => e.startsWith('outbound|9080||reviews.'));
  const pods = dumpItems.filter((o) => o.kind === 'Pod' && o.metadata.labels.app === 'reviews');
  const terminating = pods.find((p) => p.metadata.deletionTimestamp);
  t.equal(pods.length, 4, 'the dump has four reviews pods, one terminating');
  t.same(reviews.sort(), pods.filter((p) => p !== terminating).map((p) => `outbound|9080||reviews.default.svc.cluster.local ${p.status.podIP}:9080 HEALTHY`).sort());
  t.same(eds.filter((e) => e.startsWith('outbound|9080|v1|reviews.')).length, 1, 'subset v1: its one pod');
  // The Deployments are not expanded again beside their pods.
  t.same(s.index.proxies.map((p) => p.name).filter((n) => n.startsWith('reviews-')).length, 3);
});

t.test('locality from the nodes the pods run on', async (t) => {
  const s = compileScenario({ resources: DUMP });
  const proxy = s.proxy({ pod: `default/${podName('productpage-v1')}` });
  const cla = s.xds(proxy).endpoints.find((c: any) => c.cluster_name === 'outbound|9080||details.default.svc.cluster.local') as any;
  t.match(cla.endpoints[0].locality, { region: 'europe-west1', zone: /^europe-west1-[bc]$/ });
});

const without = (kind: string) => dumpItems.filter((o) => o.kind !== kind);

t.test('only Endpoints: the same EDS (from the pods the selectors pick), and a message on each Endpoints', async (t) => {
  const both = compileScenario({ resources: DUMP });
  const endpointsOnly = compileScenario({ resources: without('EndpointSlice') });
  const slicesOnly = compileScenario({ resources: without('Endpoints') });
  const pod = `default/${podName('reviews-v1')}`;
  // The API server's own Endpoints say skip-mirror (it writes its slice itself): without that slice, no endpoints.
  const apiServer = (e: string) => e.includes('|kubernetes.default.');
  t.same(edsOf(endpointsOnly, pod), edsOf(both, pod).filter((e) => !apiServer(e)));
  t.same(edsOf(slicesOnly, pod), edsOf(both, pod));
  const endpointNotes = (x: CompiledScenario) => mpl(x).filter((m) => m.code !== 'MPL0004');
  t.same(endpointNotes(slicesOnly), []);
  const messages = endpointNotes(endpointsOnly);
  const endpointsObjects = dumpItems.filter((o) => o.kind === 'Endpoints');
  t.equal(messages.length, endpointsObjects.length, 'one message per Endpoints object');
  t.match(messages.find((m) => m.resource.name === 'reviews'), { code: 'MPL0002', name: 'EndpointsWithoutSlices', level: 'Info', resource: { kind: 'Endpoints', namespace: 'default' }, message: /istiod reads only EndpointSlices.*from the 3 pod\(s\)/ });
  t.match(messages.find((m) => m.resource.name === 'kubernetes'), { path: 'metadata.labels', message: /skip-mirror.*no endpoints/ });
});

const SELECTORLESS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: app, image: client}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: shop}
spec: {clusterIP: 10.96.0.40, ports: [{name: http, port: 80, targetPort: 8080}]}
`;

t.test('a Service without a selector and only Endpoints: read as the mirrored slices', async (t) => {
  const endpoints = `---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: shop}
subsets:
- addresses: [{ip: 192.168.1.10}, {ip: 192.168.1.11}, {ip: 192.168.1.13, targetRef: {kind: Pod, name: gone, namespace: shop}}]
  notReadyAddresses: [{ip: 192.168.1.12}]
  ports: [{name: http, port: 8080}]
`;
  const s = compileScenario({ resources: SELECTORLESS + endpoints });
  t.same(edsOf(s, 'shop/client').filter((e) => e.includes('legacy')), [
    'outbound|80||legacy.shop.svc.cluster.local 192.168.1.10:8080 HEALTHY',
    'outbound|80||legacy.shop.svc.cluster.local 192.168.1.11:8080 HEALTHY',
  ], 'the not-ready address is mirrored without a terminating condition: istiod counts it as terminating');
  t.match(mpl(s), [
    { code: 'MPL0002', resource: { kind: 'Endpoints', name: 'legacy' }, document: 3, message: /mirrors/ },
    { code: 'MPL0003', resource: { kind: 'Endpoints', name: 'legacy' }, document: 3, message: /192\.168\.1\.13 names Pod shop\/gone/ },
  ]);
  t.equal(mpl(s)[1].path, undefined, 'no slice path on the Endpoints');
});

t.test("slice conditions as istiod reads them, and endpoints naming pods it does not know", async (t) => {
  const slice = `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: legacy-abc, namespace: shop, labels: {kubernetes.io/service-name: legacy}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- {addresses: [192.168.1.10]}
- {addresses: [192.168.1.11], conditions: {ready: false, serving: false, terminating: false}}
- {addresses: [192.168.1.12], conditions: {ready: false}}
- {addresses: [192.168.1.13], conditions: {ready: false, serving: true, terminating: true}}
- {addresses: [192.168.1.14], targetRef: {kind: Pod, name: gone, namespace: shop}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: legacy-fqdn, namespace: shop, labels: {kubernetes.io/service-name: legacy}}
addressType: FQDN
ports: [{name: http, port: 8080}]
endpoints:
- {addresses: [db.example.com]}
`;
  const s = compileScenario({ resources: SELECTORLESS + slice });
  t.same(edsOf(s, 'shop/client').filter((e) => e.includes('legacy')), [
    'outbound|80||legacy.shop.svc.cluster.local 192.168.1.10:8080 HEALTHY',
    'outbound|80||legacy.shop.svc.cluster.local 192.168.1.11:8080 UNHEALTHY',
  ], 'ready unset: healthy; not ready and not terminating: unhealthy; not ready, terminating or unset: left out; FQDN slices skipped');
  t.match(mpl(s), [{ code: 'MPL0003', level: 'Warning', resource: { kind: 'EndpointSlice', name: 'legacy-abc' }, path: 'endpoints[4].targetRef', message: /192\.168\.1\.14 names Pod shop\/gone/ }]);
});

t.test('a request from outside reaches productpage through the dump\'s gateway, at the pod\'s own address', async (t) => {
  const s = compileScenario({ resources: DUMP });
  const gateway = `istio-system/${podName('istio-ingressgateway')}`;
  const result = s.trace({ pod: gateway }, { port: 8080, host: 'bookinfo.example', path: '/productpage' });
  t.equal(result.error, null, JSON.stringify(result.error));
  const productpage = dumpItems.find((o) => o.kind === 'Pod' && o.metadata.labels.app === 'productpage');
  t.match(result.hops[0], { cluster: 'outbound|9080||productpage.default.svc.cluster.local', endpoint: { address: productpage.status.podIP, port: 9080 } });
});

t.test('a Deployment stands for its pods only when the input lacks them', async (t) => {
  const deployment = (name: string, labels: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec: {replicas: 2, selector: {matchLabels: {${labels}}}, template: {metadata: {labels: {${labels}}}, spec: {containers: [{name: app, image: app}]}}}
`;
  const pod = `---
apiVersion: v1
kind: Pod
metadata: {name: web-v2-7d9f-abcde, namespace: shop, labels: {app: web, version: v2, pod-template-hash: 7d9f}, ownerReferences: [{kind: ReplicaSet, name: web-v2-7d9f}]}
spec: {containers: [{name: app, image: app}]}
status: {podIP: 10.0.0.9}
`;
  const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n';
  const names = (resources: string) => compileScenario({ resources }).index.proxies.map((p) => p.name);
  t.same(names(ns + deployment('web-v2', 'app: web, version: v2') + pod), ['web-v2-7d9f-abcde'], "the Deployment's own pod, once");
  // A broader selector matches the pod too, but another ReplicaSet owns it: web's two replicas are still expanded.
  t.equal(names(ns + deployment('web', 'app: web') + pod).length, 3);
  t.equal(names(ns + deployment('web-v2', 'app: web, version: v2')).length, 2, 'no pods given: the replicas');
});
