// The Envoy config diff on real manifests: a canary weight change on bookinfo reaches exactly the
// proxies that route to reviews; order changes of named lists are no change except for routes;
// proxies keep their identity across revisions; summary detail leaves the fields out.

import t from 'tap';
import { compileScenario, envoyDiff, readLiveProxyConfig } from '../../src/engine.js';
import { diffFields } from '../../src/diff/fields.js';
import { readSample } from '../support/samples.js';

const bookinfo = readSample('bookinfo');
/** bookinfo with the reviews canary at 50/50 instead of 90/10. */
const canary5050 = bookinfo.replace(/weight: 90(\s+- destination:\s+host: reviews\s+subset: v2\s+)weight: 10/, 'weight: 50$1weight: 50');

t.test('a canary weight change shows the changed route on exactly the proxies that route to reviews', async (t) => {
  t.not(canary5050, bookinfo, 'the sample has the 90/10 canary');
  const before = compileScenario({ resources: bookinfo });
  const diff = envoyDiff(before, compileScenario({ resources: canary5050 }));

  // Who routes to reviews, read off the generated config: route configurations with a reviews virtual host.
  const reviewsRoutes = new Map<string, string[]>();
  for (const p of before.translate().proxies) {
    const routes = p.configDump.configs.find((c) => String(c['@type']).endsWith('RoutesConfigDump')) as any;
    const names = routes.dynamic_route_configs
      .map((r: any) => r.route_config)
      .filter((rc: any) => rc.virtual_hosts.some((vh: any) => vh.name.startsWith('reviews.default.svc.cluster.local:')))
      .map((rc: any) => rc.name)
      .sort();
    reviewsRoutes.set(`${p.namespace}/${p.name}`, names);
  }
  t.ok([...reviewsRoutes.values()].some((n) => n.length === 0), 'some proxy (the ingress gateway) does not route to reviews');

  for (const p of diff.proxies) {
    const key = `${p.proxy.namespace}/${p.proxy.name}`;
    const expected = reviewsRoutes.get(key)!;
    t.equal(p.status, expected.length ? 'changed' : 'unchanged', `${key} status`);
    t.same(p.changes.map((c) => `${c.kind} ${c.name} ${c.change}`), expected.map((n) => `routes ${n} changed`), `${key} changes`);
    for (const c of p.changes) {
      const weights = Object.fromEntries(c.fields!.map((f) => [f.path.replace(/^.*clusters\[outbound\|9080\|(v\d)\|.*$/, '$1'), [f.before, f.after]]));
      t.same(weights, { v1: [90, 50], v2: [10, 50] }, `${key} ${c.name}: only the two weights`);
      t.ok(c.fields!.every((f) => f.path.startsWith(`virtual_hosts[reviews.default.svc.cluster.local:`)), 'in the reviews virtual host');
      t.ok(c.provenance.before.includes('VirtualService default/reviews') && c.provenance.after.includes('VirtualService default/reviews'), 'names the VirtualService');
    }
  }
  t.equal(diff.summary.changed, [...reviewsRoutes.values()].filter((n) => n.length).length);
  t.equal(diff.summary.unchanged + diff.summary.changed, diff.summary.proxies);
  t.same(diff.summary.resources.routes, { added: 0, removed: 0, changed: diff.proxies.reduce((n, p) => n + p.changes.length, 0) });
  t.match(diff.text, /the same change on \d+ proxies of namespace default: route 9080: virtual host reviews\.default\.svc\.cluster\.local:9080, .*weights v1 90 → 50, v2 10 → 50 \(from .*VirtualService default\/reviews/);
  t.equal(diff.text.split('\n').length, 1 + new Set([...reviewsRoutes.values()].flat()).size, 'a summary line and one line per changed route');
});

t.test('route order is behaviour: swapping two VirtualService routes is a reorder', async (t) => {
  const jason = '  - match:\n    - headers:\n        end-user:\n          exact: jason\n    route:\n    - destination:\n        host: reviews\n        subset: v2\n';
  const kim = jason.replace('jason', 'kim').replace('v2', 'v3');
  t.ok(bookinfo.includes(jason));
  const kimFirst = bookinfo.replace(jason, kim + jason);
  const jasonFirst = bookinfo.replace(jason, jason + kim);
  const diff = envoyDiff(compileScenario({ resources: kimFirst }), compileScenario({ resources: jasonFirst }), { proxy: { pod: 'default/productpage-v1' } });
  const change = diff.proxies[0].changes.find((c) => c.name === '9080')!;
  t.equal(change.fields!.length, 1, 'only the order');
  t.match(change.fields![0], { path: 'virtual_hosts[reviews.default.svc.cluster.local:9080].routes', reorder: true });
  const [before, after] = [change.fields![0].before as string[], change.fields![0].after as string[]];
  t.equal(before.length, 3);
  t.same([after[0], after[1], after[2]], [before[1], before[0], before[2]]);
  t.match(diff.text, /virtual host reviews\.default\.svc\.cluster\.local:9080: routes reordered/);
});

t.test('reordering named lists alone is no change; a changed entry is named by its key', async (t) => {
  const scenario = compileScenario({ resources: bookinfo });
  const xds = scenario.xds(scenario.proxy({ pod: 'default/productpage-v1' }));
  const rc = xds.routes.find((r) => r.name === '9080')!;
  t.same(diffFields(rc, { ...rc, virtual_hosts: [...(rc.virtual_hosts ?? [])].reverse() }), []);
  const inbound = xds.listeners.find((l) => l.name === 'virtualInbound')!;
  t.ok(new Set(inbound.filter_chains.map((c) => c.name)).size < inbound.filter_chains.length, 'filter chains share names');
  t.same(diffFields(inbound, { ...inbound, filter_chains: [...inbound.filter_chains].reverse() }), [], 'filter chains matched by name and match');
  const cla = xds.endpoints.find((e) => e.endpoints.some((l) => l.lb_endpoints.length > 1)) ?? xds.endpoints[0];
  const reversed = { ...cla, endpoints: cla.endpoints.map((l) => ({ ...l, lb_endpoints: [...l.lb_endpoints].reverse() })).reverse() };
  t.same(diffFields(cla, reversed), []);
  const moved = { ...cla, endpoints: cla.endpoints.map((l, i) => (i === 0 ? { ...l, lb_endpoints: l.lb_endpoints.map((e, j) => (j === 0 ? { ...e, load_balancing_weight: 7 } : e)) } : l)) };
  const [change] = diffFields(cla, moved);
  const address = cla.endpoints[0].lb_endpoints[0].endpoint.address.socket_address!;
  t.equal(change.path, `endpoints[*].lb_endpoints[${address.address}:${address.port_value}].load_balancing_weight`);
  t.same([change.before, change.after], [cla.endpoints[0].lb_endpoints[0].load_balancing_weight, 7]);
});

t.test('proxies keep their names across revisions: a new Deployment is one added proxy', async (t) => {
  const extra = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: aaa-first
  namespace: default
spec:
  selector:
    matchLabels: {app: aaa}
  template:
    metadata:
      labels: {app: aaa}
    spec:
      containers:
      - name: app
        image: example/aaa
---
`;
  const diff = envoyDiff(compileScenario({ resources: bookinfo }), compileScenario({ resources: extra + bookinfo }), { detail: 'summary' });
  t.equal(diff.summary.added, 1);
  t.equal(diff.summary.removed, 0);
  t.match(diff.proxies.find((p) => p.status === 'added'), { proxy: { namespace: 'default', name: /^aaa-first-/ } });
  t.equal(diff.detail, 'summary');
  t.ok(diff.proxies.every((p) => p.changes.every((c) => c.fields === undefined)), 'summary detail leaves out fields');
  t.match(diff.text, /default\/aaa-first-\S+: new proxy/);
});

t.test('the same revision twice: every proxy unchanged', async (t) => {
  const scenario = compileScenario({ resources: bookinfo });
  const diff = envoyDiff(scenario, compileScenario({ resources: bookinfo }));
  t.equal(diff.summary.unchanged, diff.summary.proxies);
  t.match(diff.text, /no Envoy config changes/);
});

t.test('a live dump stands for the proxy its bootstrap names', async (t) => {
  const scenario = compileScenario({ resources: bookinfo });
  const [productpage] = scenario.translate({ pod: 'default/productpage-v1' }).proxies;
  const bootstrap = { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: { node: { id: productpage.id } } };
  const dump = { configs: [bootstrap, ...productpage.configDump.configs] };
  const same = envoyDiff(readLiveProxyConfig(dump), scenario);
  t.same(same.proxies.map((p) => [p.proxy.name, p.status]), [[productpage.name, 'unchanged']], 'only that proxy, and its dump equals its translation');
  const changed = envoyDiff(readLiveProxyConfig(dump), compileScenario({ resources: canary5050 }));
  t.same(changed.proxies[0].changes.map((c) => c.name), ['80', '9080']);
  t.same(changed.proxies[0].changes[0].provenance.before, [], 'a dump has no provenance');
});
