// istioctl x describe pod over HTTP against a real PostgreSQL: REST JSON and text, stateless and per
// stored revision, GraphQL's Revision.describe, and bad input as 400 problems.

import t from 'tap';
import { bookinfoManifests } from '../../src/store/seed.js';
import { call, startTestServer } from '../support/server.js';

t.test('describe', async (t) => {
  const { url } = await startTestServer(t);
  const resources = await bookinfoManifests();

  await t.test('stateless, JSON: the description, its text, warnings and analysis', async (t) => {
    const res = await call(url, 'POST', '/api/v1/describe', { resources, pod: 'default/productpage-v1' });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    t.match(res.body.description, {
      pod: { namespace: 'default', name: /^productpage-v1-/, proxy: 'sidecar' },
      services: [{ name: 'productpage', ports: [{ port: 9080, protocol: 'HTTP', destinationRule: { name: 'productpage', matchingSubsets: ['v1'] } }] }],
      ingress: [{ gateway: { name: 'bookinfo-gateway' }, virtualService: { name: 'bookinfo' } }],
    });
    t.match(res.body.text, /^Pod: productpage-v1-/);
    t.ok(Array.isArray(res.body.warnings) && Array.isArray(res.body.analysis));
  });

  await t.test('stateless, text: what istioctl prints', async (t) => {
    const res = await call(url, 'POST', '/api/v1/describe', { resources, pod: 'default/reviews-v2' }, { accept: 'text/plain' });
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^text\/plain/);
    t.match(res.body, /Service: reviews\n   Port: http 9080\/HTTP targets pod port 9080\nDestinationRule: reviews for "reviews\.default\.svc\.cluster\.local"\n   Matching subsets: v2\n/);
  });

  await t.test('bad input: an unknown pod, a missing pod field', async (t) => {
    const noPod = await call(url, 'POST', '/api/v1/describe', { resources, pod: 'default/nothing' });
    t.equal(noPod.status, 400);
    t.match(noPod.body.errors, [{ path: 'proxy.pod', message: /default\/nothing/ }]);
    const missing = await call(url, 'POST', '/api/v1/describe', { resources });
    t.equal(missing.status, 400);
    t.match(JSON.stringify(missing.body), /pod/);
  });

  await t.test('stored scenario: latest and a given revision, REST and GraphQL', async (t) => {
    const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'describe-bookinfo', resources });
    t.equal(created.status, 201);
    // Revision 2 sends every reviews request to v1: reviews-v2 is no longer reached.
    const v1Only = resources.replace(/  - match:\n    - headers:\n        end-user:\n          exact: jason\n    route:\n    - destination:\n        host: reviews\n        subset: v2\n/, '').replace(/      weight: 90\n    - destination:\n        host: reviews\n        subset: v2\n      weight: 10\n/, '');
    t.not(v1Only, resources, 'the second revision changes the reviews routes');
    const added = await call(url, 'POST', '/api/v1/scenarios/describe-bookinfo/revisions', { resources: v1Only }, { 'if-match': created.headers.get('etag')! });
    t.equal(added.status, 201);
    const reaches = (body: any) => body.description.services[0].ports[0].virtualService.routes.some((r: any) => r.reachesPod);
    const first = await call(url, 'POST', '/api/v1/scenarios/describe-bookinfo/describe?revision=1', { pod: 'default/reviews-v2' });
    t.equal(first.status, 200, JSON.stringify(first.body).slice(0, 300));
    t.ok(reaches(first.body), 'revision 1: v2 is reached');
    const latest = await call(url, 'POST', '/api/v1/scenarios/describe-bookinfo/describe', { pod: 'default/reviews-v2' });
    t.equal(latest.status, 200);
    t.notOk(reaches(latest.body), 'latest (revision 2): v2 is not reached');
    const gql = await call(url, 'POST', '/graphql', {
      query: `{ scenario(name: "describe-bookinfo") { at(revision: 1) { describe(pod: "default/reviews-v2") { text warnings description } } } }`,
    });
    t.equal(gql.status, 200, JSON.stringify(gql.body));
    const d = gql.body.data.scenario.at.describe;
    t.match(d.text, /Matching subsets: v2/);
    t.match(d.description, { pod: { name: /^reviews-v2-/ } });
    const unknown = await call(url, 'POST', '/api/v1/scenarios/no-such-scenario/describe', { pod: 'default/reviews-v2' });
    t.equal(unknown.status, 404);
  });
});
