import t from 'tap';
import type { ProxyXds } from '../../src/xds/envoy.js';
import { buildClusters } from '../../src/xds/clusters/index.js';
import { buildEndpoints } from '../../src/xds/endpoints/index.js';
import { toConfigDump } from '../../src/xds/configdump.js';
import { readConfigDump } from '../../src/dump/read.js';
import { dumpXds } from '../../src/dump/view.js';
import { generatedSource, renderProxyConfig, type ProxyConfigKind, type ProxyConfigRequest } from '../../src/proxy-config/index.js';
import { describeRouteDomains } from '../../src/proxy-config/routes.js';
import { tabwrite, TABLE } from '../../src/proxy-config/tabwriter.js';
import { BOOKINFO, index } from '../mesh/fixtures.js';

function bookinfoXds(): ProxyXds {
  const idx = index(BOOKINFO);
  const proxy = idx.makeProxy({ type: 'sidecar', namespace: 'default', labels: { app: 'reviews' }, ips: ['9.9.9.9'], metadata: {} });
  const { clusters } = buildClusters(idx, proxy);
  const { endpoints } = buildEndpoints(idx, proxy, clusters);
  const listeners: ProxyXds['listeners'] = [
    {
      name: '0.0.0.0_9080',
      address: { socket_address: { address: '0.0.0.0', port_value: 9080 } },
      filter_chains: [
        {
          filter_chain_match: { transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c'] },
          filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': 'x', rds: { route_config_name: '9080' } } }],
        },
      ],
      default_filter_chain: {
        name: 'PassthroughFilterChain',
        filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': 'x', cluster: 'PassthroughCluster' } }],
      },
    },
  ];
  const routes: ProxyXds['routes'] = [
    {
      name: '9080',
      virtual_hosts: [
        {
          name: 'reviews.default.svc.cluster.local:9080',
          domains: ['reviews.default.svc.cluster.local', 'reviews', 'reviews.default.svc', 'reviews.default', '10.96.0.20'],
          routes: [
            {
              match: { prefix: '/' },
              route: { cluster: 'outbound|9080|v1|reviews.default.svc.cluster.local' },
              metadata: { filter_metadata: { istio: { config: '/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews' } } },
            },
          ],
        },
        { name: 'allow_any', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'PassthroughCluster' } }] },
      ],
    },
  ];
  return { listeners, routes, clusters, endpoints };
}

/** One kind's table of generated config, as proxy-config answers it. */
const table = (xds: ProxyXds, kind: ProxyConfigKind, request: Partial<ProxyConfigRequest> = {}) =>
  renderProxyConfig(generatedSource(xds), { kinds: [kind], now: new Date(0), ...request }).tables[0];

t.test('clusters table', async (t) => {
  const clusters = table(bookinfoXds(), 'clusters');
  t.same(clusters.headers, ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE']);
  t.same(clusters.rows.find((r) => r[0] === 'reviews.default.svc.cluster.local' && r[2] === 'v1'), [
    'reviews.default.svc.cluster.local', '9080', 'v1', 'outbound', 'EDS', 'reviews.default',
  ]);
  t.same(clusters.rows.find((r) => r[0] === 'BlackHoleCluster'), ['BlackHoleCluster', '-', '-', '-', 'STATIC', '']);
  t.same(clusters.rows.find((r) => r[3] === 'inbound'), ['', '9080', '-', 'inbound', 'ORIGINAL_DST', 'reviews.default'], 'inbound cluster takes the DR policy');
});

t.test('endpoints table', async (t) => {
  const rows = table(bookinfoXds(), 'endpoints').rows;
  t.ok(rows.some((r) => r[0] === 'api.example.com:443' && r[3] === 'outbound|443||api.example.com'), 'inline DNS endpoints');
  t.equal(rows.filter((r) => r[3] === 'outbound|9080|v1|reviews.default.svc.cluster.local').length, 2);
  t.ok(rows.every((r) => r[1] === 'HEALTHY' && r[2] === 'OK'));
});

t.test('listeners and routes tables', async (t) => {
  const xds = bookinfoXds();
  t.same(table(xds, 'listeners').rows, [
    ['0.0.0.0', '9080', 'Trans: raw_buffer; App: http/1.1,h2c', 'Route: 9080'],
    ['0.0.0.0', '9080', 'ALL', 'PassthroughCluster'],
  ]);
  // istioctl's unexpandDomains drops the .svc and .svc.cluster.local forms of a listed short name only.
  t.same(table(xds, 'routes').rows, [['9080', 'reviews.default.svc.cluster.local:9080', 'reviews, reviews.default + 1 more...', '/*', 'reviews.default']]);
  t.same(table(xds, 'routes', { verbose: false }).rows, [['9080', '2']]);
  t.equal(describeRouteDomains(['a.example.com']), 'a.example.com');
  t.equal(tabwrite('A\tBB\nxxx\ty\n', TABLE), 'A       BB\nxxx     y\n');
});

t.test('config dump round trip', async (t) => {
  const xds = bookinfoXds();
  const dump = toConfigDump(xds);
  t.same(dump.configs.map((c) => c['@type']), [
    'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
    'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
    'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
    'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
  ]);
  const cluster = (dump.configs[0] as any).dynamic_active_clusters[0].cluster;
  t.equal(cluster['@type'], 'type.googleapis.com/envoy.config.cluster.v3.Cluster');
  const { dump: read } = readConfigDump(dump);
  const { provenance: _none, ...readBack } = dumpXds(read!);
  t.same(readBack, xds);
  t.same(JSON.stringify(toConfigDump(bookinfoXds())), JSON.stringify(dump), 'deterministic');
});
