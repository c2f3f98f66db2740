// Example bodies for the OpenAPI document, one (or more) per operation that takes a body, on a small
// mesh of our own; test/api/openapi.test.ts sends each one to its operation and expects it accepted.

const MESH = `apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec:
  selector: {app: productpage}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: productpage-v1, namespace: default}
spec:
  selector: {matchLabels: {app: productpage, version: v1}}
  template:
    metadata: {labels: {app: productpage, version: v1}}
    spec: {containers: [{name: productpage, image: example/productpage:1}]}
`;

const SIDECAR = { pod: 'default/productpage-v1' };
const REQUEST = { mode: 'outbound', port: 9080, host: 'productpage', path: '/' };

const ROUTE_TEST = {
  test_name: 'productpage',
  input: { authority: 'productpage:9080', path: '/', method: 'GET' },
  validate: { cluster_name: 'outbound|9080||productpage.default.svc.cluster.local' },
};
const ROUTE_CONFIG = {
  name: '9080',
  virtual_hosts: [
    {
      name: 'productpage.default.svc.cluster.local:9080',
      domains: ['productpage', 'productpage:9080'],
      routes: [{ match: { prefix: '/' }, route: { cluster: 'outbound|9080||productpage.default.svc.cluster.local' } }],
    },
  ],
};
const EXPECTATIONS = {
  expectations: [{ name: 'productpage answers', proxy: SIDECAR, request: REQUEST, expect: { cluster: 'outbound|9080||productpage.default.svc.cluster.local', error: null } }],
};
/** A live proxy's dump as Envoy prints it, cut to its bootstrap node here (a real one carries every section). */
const LIVE_DUMP = {
  configs: [
    {
      '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
      bootstrap: { node: { id: 'sidecar~10.1.0.1~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local' } },
    },
  ],
};

/** Examples by "METHOD url" (fastify's route pattern). */
export const BODY_EXAMPLES: Record<string, unknown[]> = {
  'POST /api/v1/scenarios': [
    { name: 'shop', description: 'The shop team’s mesh', labels: { team: 'shop' }, message: 'first version', author: 'ana', resources: MESH },
  ],
  'POST /api/v1/scenarios/:name/revisions': [{ message: 'same mesh, new revision', author: 'ana', resources: MESH }],
  'POST /api/v1/scenarios/:name/revisions/:revision/review': [{ state: 'in_review', reviewer: 'ana', comment: 'please look at the routes' }],
  'POST /api/v1/translate': [{ resources: MESH, proxy: SIDECAR }],
  'POST /api/v1/trace': [{ resources: MESH, proxy: SIDECAR, request: REQUEST }],
  'POST /api/v1/proxy-config': [{ resources: MESH, proxy: SIDECAR, kinds: ['listeners', 'routes'] }],
  'POST /api/v1/scenarios/:name/translate': [{ proxy: SIDECAR }, {}],
  'POST /api/v1/scenarios/:name/trace': [{ proxy: SIDECAR, request: REQUEST }],
  'POST /api/v1/scenarios/:name/proxy-config': [{ proxy: SIDECAR, kinds: ['clusters'] }],
  'POST /api/v1/describe': [{ resources: MESH, pod: SIDECAR.pod }],
  'POST /api/v1/scenarios/:name/describe': [{ pod: SIDECAR.pod }],
  'POST /api/v1/analyze': [{ resources: MESH }],
  'POST /api/v1/route-check': [
    { routeConfig: ROUTE_CONFIG, tests: [ROUTE_TEST], coverage: 'basic' },
    { resources: MESH, proxy: SIDECAR, routeConfig: '9080', tests: [ROUTE_TEST] },
  ],
  'POST /api/v1/scenarios/:name/route-check': [{ proxy: SIDECAR, routeConfig: '9080', tests: [ROUTE_TEST] }],
  'POST /api/v1/verify': [{ resources: MESH, expectations: EXPECTATIONS }],
  'POST /api/v1/scenarios/:name/verify': [{ expectations: EXPECTATIONS }],
  'POST /api/v1/envoy-diff': [{ before: { resources: MESH }, after: { resources: MESH.replace('port: 9080', 'port: 9081') }, proxy: SIDECAR, detail: 'summary' }],
  'POST /api/v1/scenarios/:name/drift': [{ configDump: LIVE_DUMP, proxy: SIDECAR }],
  'POST /api/v1/tokens': [{ name: 'ana', role: 'reviewer', expires: '30d' }],
};

/** @fastify/swagger's transform: examples on bodies, and only the API's operations (GraphQL's routes are its own API). */
export function openapiTransform({ schema, url, route }: { schema: Record<string, any>; url: string; route: { method: string | string[] } }) {
  if (url === '/graphql' || url.startsWith('/graphiql')) return { schema: { ...schema, hide: true }, url };
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const examples = methods.map((m) => BODY_EXAMPLES[`${m} ${url}`]).find(Boolean);
  if (!examples || !schema?.body) return { schema, url };
  return { schema: { ...schema, body: { ...schema.body, examples } }, url };
}
