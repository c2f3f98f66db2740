import t from 'tap';
import { compileScenario } from '../../src/engine.js';
import { parseManifests } from '../../src/manifests/index.js';
import { convertHttpRoutes } from '../../src/mesh/convert/httproute.js';
import { resolveMeshConfig, resolveOptions } from '../../src/mesh/meshconfig.js';

const convert = (yaml: string) => {
  const parsed = parseManifests(yaml);
  const problems = parsed.problems.filter((p) => p.severity === 'error');
  if (problems.length) throw new Error(JSON.stringify(problems));
  const warnings: string[] = [];
  const virtualServices = convertHttpRoutes(parsed.objects, { mesh: resolveMeshConfig({}), options: resolveOptions({}), warnings });
  return { virtualServices, warnings, byName: new Map(virtualServices.map((vs) => [`${vs.metadata.namespace}/${vs.metadata.name}`, vs])) };
};

const service = (name: string, namespace: string, ip: string) => `
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  clusterIP: ${ip}
  selector: {app: ${name}}
  ports: [{name: http, port: 9080}, {name: http-admin, port: 9081}]`;

const route = (name: string, namespace: string, created: string, spec: string) => `
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${namespace}, creationTimestamp: "${created}"}
spec:
${spec}`;

const SERVICES = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: frontend, labels: {istio-injection: enabled}}
${service('reviews', 'shop', '10.96.1.10')}
${service('reviews-v2', 'shop', '10.96.1.11')}
${service('ratings', 'shop', '10.96.1.12')}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: shop}
spec:
  hosts: [payments.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 80, name: http, protocol: HTTP}]`;

// A producer route on port 9080 of reviews, in the service's own namespace.
const PRODUCER = route(
  'reviews-canary',
  'shop',
  '2024-01-01T00:00:00Z',
  `  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  hostnames: [ignored.example.com]
  rules:
  - backendRefs:
    - {name: reviews, port: 9080, weight: 90}
    - {name: reviews-v2, port: 9080, weight: 10}
  - matches:
    - path: {type: PathPrefix, value: /api/}
      headers: [{name: x-canary, value: "true"}]
    - path: {type: Exact, value: /admin}
      method: POST
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Route, value: canary}, {name: x-route, value: ignored}]
        remove: [x-debug]
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2/}}
    timeouts: {request: 1500ms}
    backendRefs: [{name: reviews-v2, port: 9080}]
  - matches: [{path: {type: RegularExpression, value: "/pay/.*"}}]
    filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: ratings, port: 9080}, fraction: {numerator: 1, denominator: 4}}
    backendRefs: [{group: networking.istio.io, kind: Hostname, name: payments.example.com, port: 80}]
  - matches: [{path: {type: Exact, value: /old}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /new}, statusCode: 301}`,
);

// A consumer route in frontend for every port of reviews: it applies to frontend's proxies only.
const CONSUMER = route(
  'reviews-from-frontend',
  'frontend',
  '2025-01-01T00:00:00Z',
  `  parentRefs: [{group: "", kind: Service, name: reviews, namespace: shop}]
  rules:
  - backendRefs: [{name: ratings, namespace: shop, port: 9080}]`,
);

t.test('a producer route becomes one gateway-semantics VirtualService for the service host and port', async (t) => {
  const { byName, warnings } = convert(SERVICES + PRODUCER);
  t.same(warnings, []);
  const vs = byName.get('shop/shop~9080~reviews.shop.svc.cluster.local');
  t.ok(vs, 'named by namespace/port/host');
  t.same(vs!.metadata.annotations, {
    'internal.istio.io/parents': 'HTTPRoute/reviews-canary.shop',
    'internal.istio.io/route-semantics': 'gateway',
  });
  t.same(vs!.derivedFrom, { kind: 'HTTPRoute', namespace: 'shop', name: 'reviews-canary' });
  t.same(vs!.spec.hosts, ['reviews.shop.svc.cluster.local'], 'hostnames are ignored for mesh parents');
  t.same(vs!.spec.gateways, ['mesh']);
  t.equal(vs!.spec.exportTo, undefined, 'a producer route applies to every namespace');
  t.same(
    vs!.spec.http.map((r: any) => [r.name, r.match]),
    [
      ['shop.reviews-canary.1', [{ uri: { exact: '/admin' }, method: { exact: 'POST' }, port: 9080 }]],
      ['shop.reviews-canary.3', [{ uri: { exact: '/old' }, port: 9080 }]],
      ['shop.reviews-canary.1', [{ uri: { prefix: '/api' }, headers: { 'x-canary': { exact: 'true' } }, port: 9080 }]],
      ['shop.reviews-canary.0', [{ uri: { prefix: '/' }, port: 9080 }]],
      ['shop.reviews-canary.2', [{ uri: { regex: '/pay/.*' }, port: 9080 }]],
    ],
    'one route per match, Exact > Prefix > regex and longer paths first, the port of the parent on every match',
  );
  const [admin, redirect, , split, pay] = vs!.spec.http;
  t.same(redirect.redirect, { redirectCode: 301, derivePort: 'FROM_REQUEST_PORT', uri: '/new' });
  t.equal(redirect.route, undefined);
  t.same(admin.headers, { request: { remove: ['x-debug'], set: { 'x-route': 'canary' } } });
  t.same(admin.rewrite, { uri: '/v2' });
  t.equal(admin.timeout, '1.500s');
  t.same(admin.route, [{ destination: { host: 'reviews-v2.shop.svc.cluster.local', port: { number: 9080 } }, weight: 0 }]);
  t.same(
    split.route.map((d: any) => [d.destination.host, d.weight]),
    [
      ['reviews.shop.svc.cluster.local', 90],
      ['reviews-v2.shop.svc.cluster.local', 10],
    ],
  );
  t.same(pay.route[0].destination, { host: 'payments.example.com', port: { number: 80 } });
  t.same(pay.mirrors, [{ destination: { host: 'ratings.shop.svc.cluster.local', port: { number: 9080 } }, percentage: { value: 25 } }]);
});

t.test('routes of several HTTPRoutes with one key merge, oldest first; consumer routes stay in their namespace', async (t) => {
  const older = route(
    'old',
    'shop',
    '2020-01-01T00:00:00Z',
    `  parentRefs: [{group: "", kind: Service, name: ratings}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]`,
  );
  const newer = route(
    'new',
    'shop',
    '2021-01-01T00:00:00Z',
    `  parentRefs: [{group: "", kind: Service, name: ratings}]
  rules:
  - backendRefs: [{name: reviews-v2, port: 9080}]
  - matches: [{path: {value: /only-new}}]
    backendRefs: [{name: reviews-v2, port: 9081}]`,
  );
  const { byName, virtualServices } = convert(SERVICES + newer + older + CONSUMER);
  t.same(
    virtualServices.map((vs) => `${vs.metadata.namespace}/${vs.metadata.name}`),
    ['frontend/frontend~reviews.shop.svc.cluster.local', 'shop/shop~ratings.shop.svc.cluster.local'],
  );
  const merged = byName.get('shop/shop~ratings.shop.svc.cluster.local')!;
  t.equal(merged.metadata.annotations!['internal.istio.io/parents'], 'HTTPRoute/old.shop,HTTPRoute/new.shop');
  t.same(
    merged.spec.http.map((r: any) => r.route[0].destination.host + ':' + r.route[0].destination.port.number),
    ['reviews-v2.shop.svc.cluster.local:9081', 'reviews.shop.svc.cluster.local:9080', 'reviews-v2.shop.svc.cluster.local:9080'],
    'the longer prefix first, then the equal "/" prefixes of the older route before the newer',
  );
  t.same(byName.get('frontend/frontend~reviews.shop.svc.cluster.local')!.spec.exportTo, ['.']);
});

t.test('routes istiod cannot convert yield no VirtualService, with a warning', async (t) => {
  const { virtualServices, warnings } = convert(
    SERVICES +
      route(
        'bad-filter',
        'shop',
        '2024-01-01T00:00:00Z',
        `  parentRefs: [{group: "", kind: Service, name: reviews}]
  rules:
  - filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Thing, name: x}}]
    backendRefs: [{name: reviews, port: 9080}]`,
      ) +
      route(
        'no-port',
        'shop',
        '2024-01-01T00:00:00Z',
        `  parentRefs: [{group: "", kind: Service, name: reviews}]
  rules: [{backendRefs: [{name: reviews}]}]`,
      ) +
      route(
        'missing-parent',
        'shop',
        '2024-01-01T00:00:00Z',
        `  parentRefs: [{group: "", kind: Service, name: nowhere}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]`,
      ),
  );
  t.same(virtualServices, []);
  t.same(warnings, [
    'HTTPRoute shop/bad-filter: unsupported filter type "ExtensionRef"; istiod generates no mesh routes for it',
    'HTTPRoute shop/missing-parent: parent Service shop/nowhere not found; istiod does not accept the route for it',
    'HTTPRoute shop/no-port: port is required in backendRef; istiod generates no mesh routes for it',
  ]);
});

const WORKLOADS = `
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-1, namespace: shop, labels: {app: reviews}}
spec: {containers: [{name: app, image: reviews}]}
status: {podIP: 10.2.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v2-1, namespace: shop, labels: {app: reviews-v2}}
spec: {containers: [{name: app, image: reviews}]}
status: {podIP: 10.2.1.11}
---
apiVersion: v1
kind: Pod
metadata: {name: ratings-1, namespace: shop, labels: {app: ratings}}
spec: {containers: [{name: app, image: ratings}]}
status: {podIP: 10.2.1.12}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: frontend, labels: {app: web}}
spec: {containers: [{name: app, image: web}]}
status: {podIP: 10.2.2.1}`;

t.test('a sidecar routes by the HTTPRoutes that apply to its namespace', async (t) => {
  const scenario = compileScenario({ resources: SERVICES + WORKLOADS + PRODUCER + CONSUMER });
  t.same(scenario.warnings, []);
  const call = (pod: string, port: number, path: string, method = 'GET') =>
    scenario.trace({ pod }, { mode: 'outbound', address: '10.96.1.10', port, host: 'reviews.shop.svc.cluster.local', path, method }).hops[0];

  const inShop = call('shop/ratings-1', 9080, '/admin', 'POST');
  t.equal(inShop.routeConfig, '9080');
  t.equal(inShop.route, 'shop.reviews-canary.1');
  t.equal(inShop.cluster, 'outbound|9080||reviews-v2.shop.svc.cluster.local', 'the producer route applies in the service namespace');
  t.equal(call('shop/ratings-1', 9080, '/pay/1').route, 'shop.reviews-canary.0', 'the "/" prefix outranks the regex, as Gateway API orders them');
  t.equal(call('shop/ratings-1', 9081, '/api').cluster, 'outbound|9081||reviews.shop.svc.cluster.local', 'the route is bound to port 9080 only');

  const fromFrontend = call('frontend/web-1', 9080, '/pay/1');
  t.equal(fromFrontend.cluster, 'outbound|9080||ratings.shop.svc.cluster.local', 'the consumer route wins in its own namespace');
  t.equal(call('frontend/web-1', 9081, '/').cluster, 'outbound|9080||ratings.shop.svc.cluster.local', 'on every port');

  const { provenance } = scenario.translate({ pod: 'frontend/web-1' }).proxies[0];
  const vhost = Object.entries(provenance.resources.virtualHosts ?? {}).find(([k]) => k.startsWith('9080/reviews.shop.svc.cluster.local'));
  t.ok(vhost?.[1].includes('HTTPRoute frontend/reviews-from-frontend'), 'provenance names the HTTPRoute');
});

t.test('a ServiceEntry parent yields one VirtualService per host of the entry; v1beta1 reads the same', async (t) => {
  const { virtualServices, warnings } = convert(
    SERVICES +
      route(
        'pay',
        'shop',
        '2024-01-01T00:00:00Z',
        `  parentRefs: [{group: networking.istio.io, kind: ServiceEntry, name: payments}]
  rules: [{backendRefs: [{name: ratings, port: 9080}]}]`,
      ).replace('gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'),
  );
  t.same(warnings, []);
  t.same(
    virtualServices.map((vs) => [vs.metadata.name, vs.spec.hosts, vs.spec.exportTo]),
    [['shop~payments.example.com', ['payments.example.com'], undefined]],
  );
});
