// istioctl proxy-config tables over HTTP (REST JSON and text, GraphQL), stateless and per stored
// revision, and pods named by their Deployment.

import t from 'tap';
import { bookinfoManifests } from '../../src/store/seed.js';
import { call, startTestServer } from '../support/server.js';

t.test('proxy-config', async (t) => {
  const { url } = await startTestServer(t);
  const resources = await bookinfoManifests();
  const reviewsV1 = { pod: 'default/reviews-v1' }; // a Deployment: its first pod

  await t.test('stateless, JSON: the four tables of one proxy', async (t) => {
    const res = await call(url, 'POST', '/api/v1/proxy-config', { resources, proxy: reviewsV1 });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    t.match(res.body.proxy, { type: 'sidecar', namespace: 'default', name: /^reviews-v1-/ });
    t.same(res.body.tables.map((x: any) => x.kind), ['listeners', 'routes', 'clusters', 'endpoints']);
    const clusters = res.body.tables.find((x: any) => x.kind === 'clusters');
    t.same(clusters.headers, ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE']);
    t.ok(
      clusters.rows.some((r: string[]) => r.join(' ') === 'reviews.default.svc.cluster.local 9080 v2 outbound EDS reviews.default'),
      'the v2 subset cluster with its DestinationRule',
    );
  });

  await t.test('stateless, text: what istioctl prints, for the kinds asked', async (t) => {
    const res = await call(url, 'POST', '/api/v1/proxy-config', { resources, proxy: reviewsV1, kinds: ['routes'] }, { accept: 'text/plain' });
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^text\/plain/);
    // One kind: exactly istioctl's text, no heading line.
    t.match(res.body, /^NAME +VHOST NAME +DOMAINS +MATCH +VIRTUAL SERVICE\n/);
    t.match(res.body, /9080 +reviews\.default\.svc\.cluster\.local:9080 +reviews\.default\.svc\.cluster\.local\., reviews \+ 2 more\.\.\. +\/\* +reviews\.default/);
    t.notMatch(res.body, /istioctl proxy-config/);
    const two = await call(url, 'POST', '/api/v1/proxy-config', { resources, proxy: reviewsV1, kinds: ['routes', 'clusters'] }, { accept: 'text/plain' });
    t.match(two.body, /^# istioctl proxy-config routes\n[\s\S]*\n\n# istioctl proxy-config clusters\nSERVICE FQDN/, 'several kinds: each after its heading');
  });

  await t.test("generated config: istioctl's filters, --verbose=false and -o json", async (t) => {
    const ask = (extra: object) => call(url, 'POST', '/api/v1/proxy-config', { resources, proxy: reviewsV1, ...extra });
    const ratings = await ask({ kinds: ['clusters'], filter: { fqdn: 'ratings', subset: 'v1' } });
    t.same(ratings.body.tables[0].rows, [['ratings.default.svc.cluster.local', '9080', 'v1', 'outbound', 'EDS', 'ratings.default']]);
    const short = await ask({ kinds: ['listeners'], filter: { port: 15006 }, verbose: false });
    t.same(short.body.tables[0].headers, ['ADDRESSES', 'PORT', 'TYPE']);
    t.same(short.body.tables[0].rows, [['0.0.0.0', '15006', 'HTTP+TCP']]);
    const json = await ask({ kinds: ['routes'], filter: { name: '9080' }, output: 'json' });
    t.same(JSON.parse(json.body.text).map((rc: any) => rc.name), ['9080'], '-o json: the filtered route configurations');
    const badFilter = await ask({ kinds: ['clusters'], filter: { port: 'http' } });
    t.equal(badFilter.status, 400);
    t.match(badFilter.body.errors, [{ path: 'filter.port' }]);
  });

  await t.test('bad input: unknown pod and unknown kind are 400 problems', async (t) => {
    const noPod = await call(url, 'POST', '/api/v1/proxy-config', { resources, proxy: { pod: 'default/nothing' } });
    t.equal(noPod.status, 400);
    t.match(noPod.body.errors, [{ path: 'proxy.pod', message: /default\/nothing/ }]);
    const badKind = await call(url, 'POST', '/api/v1/proxy-config', { resources, proxy: reviewsV1, kinds: ['secrets'] });
    t.equal(badKind.status, 400);
  });

  await t.test('stored scenario: REST and GraphQL', async (t) => {
    const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'pc-bookinfo', resources });
    t.equal(created.status, 201);
    const rest = await call(url, 'POST', '/api/v1/scenarios/pc-bookinfo/proxy-config?revision=1', { proxy: reviewsV1, kinds: ['listeners'] });
    t.equal(rest.status, 200);
    t.ok(rest.body.tables[0].rows.some((r: string[]) => r[1] === '15006'), 'virtualInbound rows');
    const gql = await call(url, 'POST', '/graphql', {
      query: `{ scenario(name: "pc-bookinfo") { latest { proxyConfig(proxy: {pod: "default/reviews-v1"}, kinds: [endpoints]) {
        proxy { name } tables { kind headers } text } } } }`,
    });
    t.equal(gql.status, 200, JSON.stringify(gql.body));
    const pc = gql.body.data.scenario.latest.proxyConfig;
    t.same(pc.tables, [{ kind: 'endpoints', headers: ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'] }]);
    t.match(pc.text, /10\.1\.0\.\d+:9080 +HEALTHY +OK +outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local/);
  });
});

t.test('a refused manifest lists its errors and, beside them, the warnings that explain them', async (t) => {
  const { url } = await startTestServer(t);
  const res = await call(
    url,
    'POST',
    '/api/v1/translate',
    `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bad}
spec:
  hosts: reviews
  http:
  - route:
    - destination: {hots: reviews}
`,
  );
  t.equal(res.status, 400);
  t.match(res.headers.get('content-type'), /application\/problem\+json/);
  t.match(res.body.errors, [{ document: 0, kind: 'VirtualService', object: 'default/bad', path: 'spec.hosts', message: /array/ }]);
  t.same(
    res.body.warnings.map((w: any) => [w.path, w.message]),
    [
      ['spec.http[0].route[0].destination.host', 'required field is missing'],
      ['spec.http[0].route[0].destination.hots', 'unknown field "hots"'],
    ],
  );
});
