// Reading a live Envoy's /config_dump: every section, listener states, proto or JSON field names,
// unknown extension types kept, and what is refused (with where and why).

import t from 'tap';
import { readConfigDump } from '../../src/dump/read.js';
import { dumpProxy, dumpXds } from '../../src/dump/view.js';
import { goSortSlice } from '../../src/util/go-sort.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';
const listener = (name: string, port: number) => ({
  '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
  name,
  address: { socket_address: { address: '0.0.0.0', port_value: port } },
  filter_chains: [{ filters: [{ name: 'custom', typed_config: { '@type': 'type.googleapis.com/acme.v1.Unknown', someField: { nestedKey: 1 } } }] }],
});

const dump = {
  configs: [
    {
      '@type': `${ADMIN}BootstrapConfigDump`,
      bootstrap: { node: { id: 'router~10.1.0.7~gw-abc-def.istio-system~istio-system.svc.cluster.local', metadata: { LABELS: { app: 'gw' }, CLUSTER_ID: 'Kubernetes' } } },
    },
    {
      '@type': `${ADMIN}ClustersConfigDump`,
      static_clusters: [{ cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'agent', type: 'STATIC' } }],
      dynamic_active_clusters: [{ cluster: { '@type': 'type.googleapis.com/envoy.api.v2.Cluster', name: 'outbound|80||a.default.svc.cluster.local', type: 'EDS' } }],
      dynamic_warming_clusters: [{ cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'warming' } }],
    },
    {
      '@type': `${ADMIN}ListenersConfigDump`,
      dynamic_listeners: [
        { name: 'l1', active_state: { listener: listener('l1', 80) }, draining_state: { listener: listener('l1', 80) } },
        { name: 'l2', warming_state: { listener: listener('l2', 81) } },
        { name: 'l3', error_state: { details: 'bind failed' } },
      ],
    },
    { '@type': `${ADMIN}ScopedRoutesConfigDump`, inline_scoped_route_configs: [{ name: 's' }] },
    { '@type': `${ADMIN}RoutesConfigDump`, static_route_configs: [{ route_config: { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: 'static' } }] },
    { '@type': `${ADMIN}EcdsConfigDump`, ecds_filters: [{ ecds_filter: { '@type': 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig', name: 'e1' } }] },
    { '@type': `${ADMIN}EcdsConfigDump`, ecds_filters: [{ ecds_filter: { '@type': 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig', name: 'e2' } }] },
    { '@type': `${ADMIN}FutureConfigDump`, anything: true },
  ],
};

t.test('every section, listener states, unknown types kept', async (t) => {
  const { dump: d, problems } = readConfigDump(dump);
  t.same(problems, []);
  t.same(d!.sections, ['BootstrapConfigDump', 'ClustersConfigDump', 'ListenersConfigDump', 'ScopedRoutesConfigDump', 'RoutesConfigDump', 'EcdsConfigDump', 'EcdsConfigDump', 'FutureConfigDump']);
  t.same(d!.clusters!.dynamicActive.map((c) => c.name), ['outbound|80||a.default.svc.cluster.local'], 'a v2 type URL is read as v3, as istioctl does');
  t.same(d!.clusters!.dynamicWarming.map((c) => c.name), ['warming']);
  t.same(d!.listeners!.dynamic.map((l) => [l.name, !!l.active, !!l.warming, !!l.draining, !!l.errorState]), [
    ['l1', true, false, true, false],
    ['l2', false, true, false, false],
    ['l3', false, false, false, true],
  ]);
  t.same(d!.listeners!.dynamic[0].active!.filter_chains[0].filters[0].typed_config, { '@type': 'type.googleapis.com/acme.v1.Unknown', some_field: { nested_key: 1 } }, 'an unknown extension is kept (in proto field names)');
  t.same(d!.ecds!.map((e) => e.name), ['e1', 'e2'], 'ECDS sections add up');
  t.same(d!.scopedRoutes!.inline, [{ name: 's' }]);
  t.same(d!.other, [{ '@type': `${ADMIN}FutureConfigDump`, anything: true }]);
  const xds = dumpXds(d!);
  t.same(xds.listeners.map((l) => l.name), ['l1'], 'what Envoy serves: active listeners only');
  t.same(xds.clusters.map((c) => c.name), ['outbound|80||a.default.svc.cluster.local', 'agent'], 'dynamic, then static');
  t.same(dumpProxy(d!), {
    type: 'router', id: 'router~10.1.0.7~gw-abc-def.istio-system~istio-system.svc.cluster.local', name: 'gw-abc-def', namespace: 'istio-system',
    labels: { app: 'gw' }, ips: ['10.1.0.7'], metadata: { LABELS: { app: 'gw' }, CLUSTER_ID: 'Kubernetes' },
  });
});

t.test('JSON names (as Go prints them) read as proto names; Struct keys stay as they are', async (t) => {
  const { dump: d } = readConfigDump({
    configs: [
      { '@type': `${ADMIN}BootstrapConfigDump`, bootstrap: { node: { userAgentBuildVersion: { version: { majorNumber: 1 } }, metadata: { clusterID: 'x' } } } },
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        dynamicActiveClusters: [
          {
            cluster: {
              name: 'c',
              transportSocketMatches: [{ name: 'tlsMode-istio', match: { tlsMode: 'istio' } }],
              metadata: { filterMetadata: { istio: { configPath: '/x' } } },
            },
          },
        ],
      },
    ],
  });
  t.same(d!.bootstrap, { node: { user_agent_build_version: { version: { major_number: 1 } }, metadata: { clusterID: 'x' } } });
  t.same(d!.clusters!.dynamicActive[0], {
    name: 'c',
    transport_socket_matches: [{ name: 'tlsMode-istio', match: { tlsMode: 'istio' } }],
    metadata: { filter_metadata: { istio: { configPath: '/x' } } },
  });
});

t.test('a dump whose only JSON name is in a Metadata message is read in proto names too', async (t) => {
  const { dump: d } = readConfigDump({
    configs: [{ '@type': `${ADMIN}ClustersConfigDump`, static_clusters: [{ cluster: { name: 'c', metadata: { filterMetadata: { istio: { config: '/x' } } } } }] }],
  });
  t.same(d!.clusters!.static[0].metadata, { filter_metadata: { istio: { config: '/x' } } });
  const untouched = { configs: [{ '@type': `${ADMIN}BootstrapConfigDump`, bootstrap: { node: { metadata: { clusterID: 'x' } } } }] };
  t.equal(readConfigDump(untouched).dump!.bootstrap, untouched.configs[0].bootstrap, 'a dump in proto names is read as it is, not copied');
});

t.test('not a dump: a problem that says what was expected, and where', async (t) => {
  const expected = /expected an Envoy config dump: \{"configs": \[\.\.\.\]\}/;
  t.match(readConfigDump([1, 2]).problems, [{ path: 'configDump', message: expected }]);
  t.match(readConfigDump({ proxies: [] }).problems, [{ path: 'configDump.configs', message: /got an object with "proxies"/ }]);
  t.match(readConfigDump({ configs: [{ name: 'x' }] }).problems, [{ path: 'configDump.configs[0]', message: /has no "@type"/ }]);
  t.match(readConfigDump({ configs: [{ '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener' }] }).problems, [
    { path: 'configDump.configs[0].@type', message: /expected an admin section type/ },
  ]);
  const wrong = readConfigDump({
    configs: [
      { '@type': `${ADMIN}ClustersConfigDump`, dynamic_active_clusters: { cluster: {} } },
      { '@type': `${ADMIN}ListenersConfigDump`, static_listeners: [{ listener: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster' } }] },
    ],
  });
  t.match(wrong.problems, [
    { path: 'configDump.configs[0].dynamic_active_clusters', message: 'expected a list, got object' },
    { path: 'configDump.configs[1].static_listeners[0].listener.@type', message: /expected a \.\.\.Listener/ },
  ]);
  t.equal(wrong.dump, undefined);
});

t.test("Go's sort.Slice port sorts like a sort for strict orders, at every size it switches strategy on", async (t) => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (const n of [0, 1, 12, 13, 49, 50, 51, 200, 1000]) {
    const items = Array.from({ length: n }, () => random() % 97);
    const sorted = [...items].sort((a, b) => a - b);
    t.same(goSortSlice([...items], (a, b) => a < b), sorted, `${n} items`);
    t.same(goSortSlice([...sorted].reverse(), (a, b) => a < b), sorted, `${n} items, descending`);
  }
});
