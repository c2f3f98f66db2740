// Analyze over HTTP against a real PostgreSQL: the stateless endpoint (never refusing what it can read),
// a stored scenario's analysis, the same messages on write, translate and trace answers, and GraphQL.

import t from 'tap';
import { call, startTestServer } from '../support/server.js';

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1, labels: {app: reviews, version: v1}}
spec:
  containers: [{name: reviews, image: reviews:1}, {name: istio-proxy, image: proxyv2}]
`;

const BROKEN_ROUTE = `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v2}
`;

t.test('analyze', async (t) => {
  const { url } = await startTestServer(t);

  await t.test('stateless: Istio codes, names and levels, with the resource, path and document', async (t) => {
    const res = await call(url, 'POST', '/api/v1/analyze', { resources: SERVICE + BROKEN_ROUTE });
    t.equal(res.status, 200);
    t.same(res.body.messages, [
      {
        code: 'IST0101',
        name: 'ReferencedResourceNotFound',
        level: 'Error',
        resource: { kind: 'VirtualService', namespace: 'default', name: 'reviews' },
        path: 'spec.http[0].route[0].destination.subset',
        document: 2,
        message: 'Referenced host+subset in destinationrule not found: "reviews+v2"',
      },
    ]);
  });

  await t.test('never refuses what it can read: unknown kinds, stray documents, schema errors as IST0106', async (t) => {
    const res = await call(url, 'POST', '/api/v1/analyze', {
      resources: `apiVersion: config.istio.io/v1alpha2
kind: QuotaSpec
metadata: {name: q}
---
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: bad}
spec:
  host: 42
  trafficPolicy: {loadBalancer: {simple: FASTEST}}
`,
    });
    t.equal(res.status, 200);
    const schema = res.body.messages.filter((m: any) => m.code === 'IST0106');
    t.same(schema.map((m: any) => [m.resource.name, m.document, m.path]), [
      ['bad', 2, 'spec.host'],
      ['bad', 2, 'spec.trafficPolicy.loadBalancer.simple'],
    ]);
    const syntax = await call(url, 'POST', '/api/v1/analyze', { resources: 'kind: [unclosed' });
    t.equal(syntax.status, 400, 'YAML that cannot be read is a 400');
    t.match(syntax.body.errors, [{ message: /YAML syntax error/ }]);
  });

  await t.test('stored scenarios: analysis on create, on read and at /analyze; translate and trace carry it', async (t) => {
    const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'canary', resources: SERVICE + BROKEN_ROUTE });
    t.equal(created.status, 201);
    t.match(created.body.analysis, [{ code: 'IST0101', resource: { name: 'reviews' } }]);
    const read = await call(url, 'GET', '/api/v1/scenarios/canary');
    t.same(read.body.analysis, created.body.analysis);
    const analyzed = await call(url, 'POST', '/api/v1/scenarios/canary/analyze?revision=1');
    t.same(analyzed.body.messages, created.body.analysis);
    const translated = await call(url, 'POST', '/api/v1/scenarios/canary/translate', { proxy: { pod: 'default/reviews-v1' } });
    t.same(translated.body.analysis, created.body.analysis);
    t.notOk(translated.body.warnings.some((w: string) => /503/.test(w)), 'the old warning strings are gone');
    const traced = await call(url, 'POST', '/api/v1/scenarios/canary/trace', { proxy: { pod: 'default/reviews-v1' }, request: { port: 9080, host: 'reviews' } });
    t.same(traced.body.analysis, created.body.analysis);
    t.equal((await call(url, 'POST', '/api/v1/scenarios/nothing/analyze')).status, 404);
  });

  await t.test("writes and translates refuse what Istio's webhook refuses (400 naming the field); analyze reports it", async (t) => {
    const bad = SERVICE + BROKEN_ROUTE.replace('  - route:', '  - timeout: fast\n    route:');
    for (const [path, body] of [
      ['/api/v1/translate', { resources: bad }],
      ['/api/v1/scenarios', { name: 'refused', resources: bad }],
    ] as const) {
      const res = await call(url, 'POST', path, body);
      t.equal(res.status, 400, path);
      t.match(res.body.errors, [{ document: 2, kind: 'VirtualService', object: 'default/reviews', path: 'spec.http[0].timeout', message: /not a duration/ }], path);
    }
    t.equal((await call(url, 'GET', '/api/v1/scenarios/refused')).status, 404, 'nothing stored');
    const analyzed = await call(url, 'POST', '/api/v1/analyze', { resources: bad });
    t.equal(analyzed.status, 200);
    t.match(analyzed.body.messages, [{ code: 'IST0101' }, { code: 'IST0106', path: 'spec.http[0].timeout' }]);
  });

  await t.test('GraphQL: Revision.analysis', async (t) => {
    const res = await call(url, 'POST', '/graphql', {
      query: '{ scenario(name: "canary") { latest { analysis { code name level resource { kind namespace name } path document message } } } }',
    });
    t.equal(res.status, 200, JSON.stringify(res.body));
    t.match(res.body.data.scenario.latest.analysis, [{ code: 'IST0101', level: 'Error', resource: { kind: 'VirtualService', name: 'reviews' }, document: 2 }]);
  });
});
