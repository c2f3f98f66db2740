// The Envoy config diff over HTTP against a real PostgreSQL: a canary weight change on bookinfo
// shows exactly the changed route on exactly the proxies that route to reviews, nothing on the
// others; `from` defaults; one proxy; the stateless body with resources or a live dump; GraphQL;
// refusals name where and why.

import t from 'tap';
import { call, startTestServer } from '../support/server.js';
import { readSample } from '../support/samples.js';

const bookinfo = readSample('bookinfo');
const canary5050 = bookinfo.replace(/weight: 90(\s+- destination:\s+host: reviews\s+subset: v2\s+)weight: 10/, 'weight: 50$1weight: 50');

const routeConfigs = (proxy: any): any[] =>
  proxy.configDump.configs.find((c: any) => c['@type'].endsWith('RoutesConfigDump')).dynamic_route_configs.map((r: any) => r.route_config);

t.test('Envoy diff over HTTP', async (t) => {
  const { url } = await startTestServer(t);
  t.not(canary5050, bookinfo);
  const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'shop', resources: bookinfo });
  t.equal(created.status, 201);
  const added = await call(url, 'POST', '/api/v1/scenarios/shop/revisions', { resources: canary5050, message: 'reviews 50/50' }, { 'if-match': created.headers.get('etag')! });
  t.equal(added.status, 201);

  // Who routes to reviews, from revision 1's translation over HTTP: the route configurations with a reviews virtual host.
  const translated = await call(url, 'POST', '/api/v1/scenarios/shop/translate?revision=1');
  t.equal(translated.status, 200);
  const routesToReviews = new Map<string, string[]>(
    translated.body.proxies.map((p: any) => [
      `${p.namespace}/${p.name}`,
      routeConfigs(p)
        .filter((rc) => rc.virtual_hosts.some((vh: any) => vh.name.startsWith('reviews.default.svc.cluster.local:')))
        .map((rc) => rc.name)
        .sort(),
    ]),
  );
  const reaching = [...routesToReviews].filter(([, names]) => names.length > 0).map(([key]) => key);
  t.ok(reaching.length > 0 && reaching.length < routesToReviews.size, 'some proxies route to reviews, some do not');

  await t.test('a canary weight change: exactly the changed route on exactly the proxies that route to reviews', async (t) => {
    const res = await call(url, 'GET', '/api/v1/scenarios/shop/envoy-diff?from=1&to=2');
    t.equal(res.status, 200);
    t.match(res.body, { from: 1, to: 2, detail: 'full' });
    t.same(res.body.proxies.map((p: any) => `${p.proxy.namespace}/${p.proxy.name}`).sort(), [...routesToReviews.keys()].sort(), 'every proxy, once');
    for (const p of res.body.proxies) {
      const key = `${p.proxy.namespace}/${p.proxy.name}`;
      const names = routesToReviews.get(key)!;
      t.equal(p.status, names.length ? 'changed' : 'unchanged', key);
      t.same(p.changes.map((c: any) => [c.kind, c.name, c.change]), names.map((n) => ['routes', n, 'changed']), `${key}: the routes to reviews, nothing else`);
      for (const c of p.changes) {
        t.same(
          c.fields.map((f: any) => [f.path.match(/clusters\[outbound\|9080\|(v\d)\|reviews\.default\.svc\.cluster\.local\]\.weight$/)?.[1], f.before, f.after]),
          [['v1', 90, 50], ['v2', 10, 50]],
          `${key} ${c.name}: the two weights`,
        );
        t.ok(c.fields.every((f: any) => f.path.startsWith('virtual_hosts[reviews.default.svc.cluster.local:')));
        t.ok(c.provenance.after.includes('VirtualService default/reviews'), 'the VirtualService behind it');
      }
    }
    t.match(res.body.summary, { proxies: routesToReviews.size, changed: reaching.length, unchanged: routesToReviews.size - reaching.length, added: 0, removed: 0 });
    t.same(res.body.summary.resources.routes, { added: 0, removed: 0, changed: reaching.reduce((n, k) => n + routesToReviews.get(k)!.length, 0) });
    for (const kind of ['listeners', 'clusters', 'endpoints']) t.same(res.body.summary.resources[kind], { added: 0, removed: 0, changed: 0 }, kind);
    t.match(res.body.text, new RegExp(`the same change on ${reaching.length} proxies of namespace default: route 9080: .*weights v1 90 → 50, v2 10 → 50`));
  });

  await t.test('from defaults to the predecessor, to to the latest; one proxy by name; summary detail', async (t) => {
    const res = await call(url, 'GET', '/api/v1/scenarios/shop/envoy-diff?proxy=default/productpage-v1&detail=summary');
    t.equal(res.status, 200);
    t.match(res.body, { from: 1, to: 2, detail: 'summary', summary: { proxies: 1, changed: 1 } });
    t.match(res.body.proxies[0], { proxy: { namespace: 'default', name: /^productpage-v1-/, type: 'sidecar' }, status: 'changed' });
    t.ok(res.body.proxies[0].changes.length > 0 && res.body.proxies[0].changes.every((c: any) => c.fields === undefined), 'no fields');
  });

  await t.test('stateless: two inline meshes, and a live dump on one side', async (t) => {
    const res = await call(url, 'POST', '/api/v1/envoy-diff', { before: { resources: bookinfo }, after: { resources: canary5050 } });
    t.equal(res.status, 200);
    t.match(res.body.summary, { proxies: routesToReviews.size, changed: reaching.length });
    const productpage = translated.body.proxies.find((p: any) => p.name.startsWith('productpage-v1-'));
    const dump = await call(url, 'POST', '/api/v1/envoy-diff', {
      before: { configDump: productpage.configDump },
      after: { resources: canary5050 },
      proxy: { pod: 'default/productpage-v1' },
    });
    t.equal(dump.status, 200);
    t.same(dump.body.proxies[0].changes.map((c: any) => c.name), routesToReviews.get(`default/${productpage.name}`));
    t.same(dump.body.proxies[0].changes[0].provenance.before, [], 'a dump has no provenance');
  });

  await t.test('GraphQL Revision.envoyDiff', async (t) => {
    const res = await call(url, 'POST', '/graphql', {
      query: `{ scenario(name: "shop") { latest { envoyDiff(proxy: {pod: "default/productpage-v1"}) {
        from to detail summary { changed unchanged } text
        proxies { proxy { name } status changes { kind name change fields { path before after } provenance { after } } } } } } }`,
    });
    t.equal(res.status, 200);
    t.notOk(res.body.errors);
    const diff = res.body.data.scenario.latest.envoyDiff;
    t.match(diff, { from: 1, to: 2, detail: 'full', summary: { changed: 1, unchanged: 0 } });
    t.same(diff.proxies[0].changes.map((c: any) => c.name), routesToReviews.get(`default/${diff.proxies[0].proxy.name}`));
    t.same(diff.proxies[0].changes[0].fields.map((f: any) => [f.before, f.after]), [[90, 50], [10, 50]]);
  });

  await t.test('refusals say where and why', async (t) => {
    const first = await call(url, 'GET', '/api/v1/scenarios/shop/envoy-diff?to=1');
    t.equal(first.status, 400);
    t.match(first.body, { errors: [{ path: 'from', message: /first/ }] });
    const noPod = await call(url, 'GET', '/api/v1/scenarios/shop/envoy-diff?proxy=default/nope');
    t.equal(noPod.status, 400);
    t.match(noPod.body, { errors: [{ path: 'proxy.pod', message: /default\/nope/ }] });
    t.equal((await call(url, 'GET', '/api/v1/scenarios/none/envoy-diff')).status, 404);
    t.equal((await call(url, 'GET', '/api/v1/scenarios/shop/envoy-diff?from=9')).status, 404);
    const badDetail = await call(url, 'GET', '/api/v1/scenarios/shop/envoy-diff?detail=some');
    t.equal(badDetail.status, 400);
    t.match(badDetail.body, { errors: [{ path: /detail/ }] });
    const badBody = await call(url, 'POST', '/api/v1/envoy-diff', { before: { resources: bookinfo } });
    t.equal(badBody.status, 400);
    t.match(badBody.body, { errors: [{ path: 'body.after' }] });
    const badManifest = await call(url, 'POST', '/api/v1/envoy-diff', { before: { resources: bookinfo }, after: { resources: 'kind: [' } });
    t.equal(badManifest.status, 400);
  });
});
