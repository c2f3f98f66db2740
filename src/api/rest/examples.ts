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
};

/** @fastify/swagger's transform: examples on bodies, and only the API's operations (GraphQL's routes are its own API). */
export function openapiTransform({ schema, url, route }: { schema: Record<string, any>; url: string; route: { method: string | string[] } }) {
  if (url === '/graphql' || url.startsWith('/graphiql')) return { schema: { ...schema, hide: true }, url };
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const examples = methods.map((m) => BODY_EXAMPLES[`${m} ${url}`]).find(Boolean);
  if (!examples || !schema?.body) return { schema, url };
  return { schema: { ...schema, body: { ...schema.body, examples } }, url };
}
