// The REST API over a real port and a real PostgreSQL: every route, every refusal, and that a
// refused request stores nothing.

import t from 'tap';
import { call, startTestServer } from '../support/server.js';

const manifests = (image = 'example.com/web:1') => `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: 10.96.0.50
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-v1
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, version: v1}
      annotations: {sidecar.istio.io/inject: "true"}
    spec:
      containers:
      - {name: web, image: ${image}}
`;

t.test('REST', async (t) => {
  const { url, store, db } = await startTestServer(t, { bodyLimit: 256 * 1024 });

  await t.test('create with JSON returns 201, revision 1, an ETag and the manifests as sent', async (t) => {
    const res = await call(url, 'POST', '/api/v1/scenarios', {
      name: 'shop',
      description: 'the shop',
      labels: { team: 'payments', env: 'prod' },
      resources: manifests(),
      mesh: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
      message: 'first',
      author: 'ana',
    });
    t.equal(res.status, 201);
    t.equal(res.body.name, 'shop');
    t.equal(res.body.revision, 1);
    t.equal(res.body.resources, manifests());
    t.equal(res.body.objects.length, 2);
    t.equal(res.body.objects[0].metadata.namespace, 'default');
    t.same(res.body.mesh, { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    t.equal(res.body.review.state, 'draft');
    t.match(res.body.contentHash, /^[0-9a-f]{64}$/);
    t.equal(res.headers.get('etag'), res.body.etag);
    t.ok(res.headers.get('x-request-id'), 'request id header');
  });

  await t.test('a raw multi-document YAML body creates a scenario named by the query', async (t) => {
    const res = await call(url, 'POST', '/api/v1/scenarios?name=raw-yaml&message=raw', manifests());
    t.equal(res.status, 201);
    t.equal(res.body.name, 'raw-yaml');
    t.equal(res.body.message, 'raw');
    t.equal(res.body.resources, manifests());
  });

  await t.test('a YAML request object and a JSON array of objects are accepted', async (t) => {
    const yamlBody = `name: yaml-object\nlabels: {team: search}\nresources: |\n${manifests().replace(/^/gm, '  ')}`;
    const a = await call(url, 'POST', '/api/v1/scenarios', yamlBody);
    t.equal(a.status, 201);
    t.same(a.body.labels, { team: 'search' });
    const array = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } }];
    const b = await call(url, 'POST', '/api/v1/scenarios?name=json-array', array);
    t.equal(b.status, 201, JSON.stringify(b.body));
    t.match(b.body.resources, /kind: Service/);
    t.equal(b.body.objects[0].metadata.name, 'a');
  });

  await t.test('the same name again is a 409 problem document', async (t) => {
    const res = await call(url, 'POST', '/api/v1/scenarios', { name: 'shop', resources: manifests() });
    t.equal(res.status, 409);
    t.match(res.headers.get('content-type'), /^application\/problem\+json/);
    t.match(res.body, { status: 409, title: 'Conflict', detail: /already exists/ });
  });

  await t.test('get latest, get by revision, 304 on If-None-Match, 404s', async (t) => {
    const latest = await call(url, 'GET', '/api/v1/scenarios/shop');
    t.equal(latest.status, 200);
    t.equal(latest.body.revision, 1);
    const byNumber = await call(url, 'GET', '/api/v1/scenarios/shop?revision=1');
    t.equal(byNumber.body.etag, latest.body.etag);
    const cached = await call(url, 'GET', '/api/v1/scenarios/shop', undefined, { 'if-none-match': latest.body.etag });
    t.equal(cached.status, 304);
    t.equal((await call(url, 'GET', '/api/v1/scenarios/shop?revision=9')).status, 404);
    const missing = await call(url, 'GET', '/api/v1/scenarios/nope');
    t.equal(missing.status, 404);
    t.equal(missing.body.title, 'Not found');
  });

  await t.test('adding a revision needs If-Match: 428 without, 412 when stale, 201 when latest', async (t) => {
    const first = await call(url, 'GET', '/api/v1/scenarios/shop');
    const body = { resources: manifests('example.com/web:2'), message: 'new image', author: 'bo' };
    const without = await call(url, 'POST', '/api/v1/scenarios/shop/revisions', body);
    t.equal(without.status, 428);
    t.match(without.body.detail, /If-Match/);
    const stale = await call(url, 'POST', '/api/v1/scenarios/shop/revisions', body, { 'if-match': '"1.1.0000000000000000"' });
    t.equal(stale.status, 412);
    const ok = await call(url, 'POST', '/api/v1/scenarios/shop/revisions', body, { 'if-match': first.body.etag });
    t.equal(ok.status, 201);
    t.equal(ok.body.revision, 2);
    t.equal(ok.body.latestRevision, 2);
    t.not(ok.body.etag, first.body.etag);
    t.equal(ok.headers.get('etag'), ok.body.etag);
    const again = await call(url, 'POST', '/api/v1/scenarios/shop/revisions', body, { 'if-match': first.body.etag });
    t.equal(again.status, 412, 'the old ETag is stale now');
    const one = await call(url, 'GET', '/api/v1/scenarios/shop?revision=1');
    t.equal(one.body.resources, manifests(), 'revision 1 is unchanged');
    t.equal((await call(url, 'POST', '/api/v1/scenarios/nope/revisions', body, { 'if-match': '*' })).status, 404);
  });

  await t.test('revisions are listed newest first', async (t) => {
    const res = await call(url, 'GET', '/api/v1/scenarios/shop/revisions');
    t.equal(res.status, 200);
    t.same(
      res.body.items.map((r: any) => [r.revision, r.message, r.author, r.review.state]),
      [
        [2, 'new image', 'bo', 'draft'],
        [1, 'first', 'ana', 'draft'],
      ],
    );
  });

  await t.test('the diff names each changed object and field', async (t) => {
    const res = await call(url, 'GET', '/api/v1/scenarios/shop/diff?from=1&to=2');
    t.equal(res.status, 200);
    t.same(res.body.added, []);
    t.same(res.body.removed, []);
    t.equal(res.body.unchanged, 1);
    t.same(res.body.changed, [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'default',
        name: 'web-v1',
        changes: [{ path: 'spec.template.spec.containers[0].image', from: 'example.com/web:1', to: 'example.com/web:2' }],
      },
    ]);
    const latest = await call(url, 'GET', '/api/v1/scenarios/shop/diff?from=1');
    t.equal(latest.body.to, 2, 'to defaults to the latest revision');
    t.equal((await call(url, 'GET', '/api/v1/scenarios/shop/diff?from=1&to=7')).status, 404);
    t.equal((await call(url, 'GET', '/api/v1/scenarios/shop/diff')).status, 400);
  });

  await t.test('review states move along allowed transitions and are kept as history', async (t) => {
    const path = '/api/v1/scenarios/shop/revisions/2/review';
    const skip = await call(url, 'POST', path, { state: 'approved', reviewer: 'cy' });
    t.equal(skip.status, 409, 'draft cannot be approved directly');
    t.equal((await call(url, 'POST', path, { state: 'in_review', reviewer: 'bo' })).status, 201);
    const approved = await call(url, 'POST', path, { state: 'approved', reviewer: 'cy', comment: 'ship it' });
    t.equal(approved.status, 201);
    t.match(approved.body, { state: 'approved', reviewer: 'cy', comment: 'ship it' });
    const bad = await call(url, 'POST', path, { state: 'merged' });
    t.equal(bad.status, 400);
    t.equal(bad.body.errors[0].path, 'body.state');
    const history = await call(url, 'GET', '/api/v1/scenarios/shop/revisions/2/reviews');
    t.same(history.body.items.map((r: any) => r.state), ['draft', 'in_review', 'approved']);
    const latest = await call(url, 'GET', '/api/v1/scenarios/shop');
    t.equal(latest.body.review.state, 'approved');
    const one = await call(url, 'GET', '/api/v1/scenarios/shop/revisions/1');
    t.equal(one.body.review.state, 'draft', 'reviews are per revision');
  });

  await t.test('list: pages by cursor, filters by labels', async (t) => {
    for (const name of ['list-a', 'list-b', 'list-c']) {
      const res = await call(url, 'POST', '/api/v1/scenarios', { name, labels: { suite: 'list' }, resources: manifests() });
      t.equal(res.status, 201);
    }
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await call(url, 'GET', `/api/v1/scenarios?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      t.equal(res.status, 200);
      t.ok(res.body.items.length <= 2);
      names.push(...res.body.items.map((s: any) => s.name));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    t.same(names, ['json-array', 'list-a', 'list-b', 'list-c', 'raw-yaml', 'shop', 'yaml-object']);
    t.equal(pages, 4);
    const filtered = await call(url, 'GET', '/api/v1/scenarios?label=suite=list');
    t.same(filtered.body.items.map((s: any) => s.name), ['list-a', 'list-b', 'list-c']);
    const both = await call(url, 'GET', '/api/v1/scenarios?label=team=payments,env=prod');
    t.same(both.body.items.map((s: any) => s.name), ['shop']);
    const none = await call(url, 'GET', '/api/v1/scenarios?label=team=payments&label=env=dev');
    t.same(none.body.items, []);
    t.equal((await call(url, 'GET', '/api/v1/scenarios?label=novalue')).status, 400);
    t.equal((await call(url, 'GET', '/api/v1/scenarios?cursor=!!!')).status, 400);
  });

  await t.test('bad input: status, message, every problem listed, nothing stored', async (t) => {
    const before = await store.count();
    const invalid = `apiVersion: v1
kind: Service
metadata:
  name: ok
spec:
  ports: [{port: 80}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
spec:
  hosts: [a]
---
kind: DestinationRule
metadata:
  name: no-api-version
`;
    const manifestErrors = await call(url, 'POST', '/api/v1/scenarios', { name: 'broken', resources: invalid });
    t.equal(manifestErrors.status, 400);
    t.match(manifestErrors.headers.get('content-type'), /^application\/problem\+json/);
    t.match(manifestErrors.body, { type: 'about:blank', title: 'Invalid input', status: 400 });
    t.same(
      manifestErrors.body.errors.map((e: any) => [e.document, e.kind, e.path]),
      [
        [1, 'VirtualService', 'metadata.name'],
        [2, 'DestinationRule', 'apiVersion'],
      ],
    );
    for (const e of manifestErrors.body.errors) t.match(e.message, /required/);

    const syntax = await call(url, 'POST', '/api/v1/scenarios', { name: 'broken', resources: 'a: [1, 2\nb: c' });
    t.equal(syntax.status, 400);
    t.match(syntax.body.errors[0].message, /YAML syntax error/);

    const badName = await call(url, 'POST', '/api/v1/scenarios', { name: 'Not_A_Label', resources: manifests() });
    t.equal(badName.status, 400);
    t.equal(badName.body.errors[0].path, 'name');
    t.match(badName.body.errors[0].message, /DNS-1123/);
    const tooLong = await call(url, 'POST', '/api/v1/scenarios', { name: 'a'.repeat(64), resources: manifests() });
    t.equal(tooLong.status, 400);

    const missing = await call(url, 'POST', '/api/v1/scenarios', { name: 'no-resources' });
    t.equal(missing.status, 400);
    t.equal(missing.body.errors[0].path, 'body.resources');

    const badLabels = await call(url, 'POST', '/api/v1/scenarios', { name: 'bad-labels', labels: { 'a b': 'x' }, resources: manifests() });
    t.equal(badLabels.status, 400);
    t.equal(badLabels.body.errors[0].path, 'labels.a b');

    const badJson = await call(url, 'POST', '/api/v1/scenarios', '{"name": ', { 'content-type': 'application/json' });
    t.equal(badJson.status, 400);
    t.match(badJson.body.errors[0].message, /JSON syntax error/);

    const huge = await call(url, 'POST', '/api/v1/scenarios', { name: 'huge', resources: `# ${'x'.repeat(300 * 1024)}\n${manifests()}` });
    t.equal(huge.status, 413);
    t.equal(huge.body.status, 413);
    t.equal(huge.body.detail, `request body is larger than ${256 * 1024} bytes (BODY_LIMIT)`);

    const badRevision = await call(
      url,
      'POST',
      '/api/v1/scenarios/shop/revisions',
      { resources: invalid },
      { 'if-match': (await call(url, 'GET', '/api/v1/scenarios/shop')).body.etag },
    );
    t.equal(badRevision.status, 400);
    t.equal((await call(url, 'GET', '/api/v1/scenarios/shop')).body.revision, 2, 'no revision was added');
    t.equal(await store.count(), before, 'no scenario was added');
  });

  await t.test('a field of the wrong value is one problem that names what is accepted', async (t) => {
    const review = await call(url, 'POST', '/api/v1/scenarios/shop/revisions/1/review', { state: 'done' });
    t.equal(review.status, 400);
    t.same(review.body.errors.map((e: any) => [e.path, e.message]), [
      ['body.state', 'must be one of "draft", "in_review", "approved", "rejected"'],
    ]);

    const trace = await call(url, 'POST', '/api/v1/scenarios/shop/trace', {
      proxy: { type: 'gateway' },
      request: { port: 80, mode: 'sideways' },
    });
    t.equal(trace.status, 400);
    t.same(trace.body.errors.map((e: any) => [e.path, e.message]), [
      ['body.proxy', `must match one of: (pod: must have required property 'pod') or (type: must be one of "sidecar", "router")`],
      ['body.request.mode', 'must be one of "outbound", "inbound", "gateway"'],
    ]);

    const proxyAsString = await call(url, 'POST', '/api/v1/scenarios/shop/translate', { proxy: 'default/web-v1' });
    t.same(proxyAsString.body.errors.map((e: any) => [e.path, e.message]), [['body.proxy', 'must be object']]);
  });

  await t.test('translate of a stored scenario with no body at all: every proxy', async (t) => {
    const res = await call(url, 'POST', '/api/v1/scenarios/shop/translate');
    t.equal(res.status, 200, JSON.stringify(res.body));
    t.same(res.body, (await call(url, 'POST', '/api/v1/scenarios/shop/translate', {})).body);
    t.ok(Array.isArray(res.body.proxies));
  });

  await t.test('a raw manifest without ?name: the problem points at the query string', async (t) => {
    const res = await call(url, 'POST', '/api/v1/scenarios', manifests());
    t.equal(res.status, 400);
    t.equal(res.body.errors[0].path, 'querystring.name');
    t.match(res.body.errors[0].message, /in the query string \(\?name=\.\.\.\)/);
  });

  await t.test('kinds the engine does not use are kept, with warnings', async (t) => {
    const withConfigMap = `${manifests()}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n`;
    const res = await call(url, 'POST', '/api/v1/scenarios', { name: 'with-configmap', resources: withConfigMap });
    t.equal(res.status, 201);
    t.equal(res.body.resources, withConfigMap, 'the manifests are stored as sent');
    t.ok(res.body.warnings.some((w: any) => w.kind === 'ConfigMap'), 'a warning names the ConfigMap');
  });

  await t.test('delete takes the revisions with it', async (t) => {
    const revisionsBefore = await db.prisma.revision.count();
    const reviewsBefore = await db.prisma.review.count();
    const res = await call(url, 'DELETE', '/api/v1/scenarios/shop');
    t.equal(res.status, 204);
    t.equal(await db.prisma.revision.count(), revisionsBefore - 2, 'both revisions are gone');
    t.equal(await db.prisma.review.count(), reviewsBefore - 4, 'and their reviews');
    t.equal((await call(url, 'GET', '/api/v1/scenarios/shop')).status, 404);
    t.equal((await call(url, 'DELETE', '/api/v1/scenarios/shop')).status, 404);
  });

  await t.test('operations: health, readiness, OpenAPI, unknown routes', async (t) => {
    t.same((await call(url, 'GET', '/healthz')).body, { status: 'ok' });
    t.same((await call(url, 'GET', '/readyz')).body, { status: 'ready' });
    const openapi = await call(url, 'GET', '/openapi.json');
    t.equal(openapi.status, 200);
    t.match(openapi.body.openapi, /^3\./);
    for (const path of ['/api/v1/scenarios', '/api/v1/scenarios/{name}/revisions', '/api/v1/translate', '/api/v1/trace']) {
      t.ok(openapi.body.paths[path], `OpenAPI has ${path}`);
    }
    const page = await fetch(`${url}/docs/`);
    t.equal(page.status, 200);
    t.match(await page.text(), /swagger/i);
    const unknown = await call(url, 'GET', '/api/v1/nothing');
    t.equal(unknown.status, 404);
    t.match(unknown.headers.get('content-type'), /problem\+json/);
  });
});
