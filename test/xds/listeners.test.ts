// Sidecar listeners from small meshes: outbound per-port listeners and their conflicts,
// virtualOutbound per outbound policy, virtualInbound chains per PeerAuthentication mode.

import t from 'tap';
import { parseManifests } from '../../src/manifests/index.js';
import { buildMeshIndex } from '../../src/mesh/index.js';
import type { MeshIndex, Proxy } from '../../src/mesh/types.js';
import type { FilterChain, Listener } from '../../src/xds/envoy.js';
import { TYPE_URL } from '../../src/xds/envoy.js';
import { buildListeners } from '../../src/xds/listeners/index.js';
import { checkEnvoyResource } from '../../src/envoy/protos.js';

function mesh(yaml: string, meshConfig: Record<string, unknown> = {}, features: Record<string, boolean | number> = {}): MeshIndex {
  const parsed = parseManifests(yaml);
  return buildMeshIndex(parsed.objects, meshConfig, { configDomain: '', features });
}

const sidecar = (index: MeshIndex, labels: Record<string, string> = {}, ip = '10.0.0.9'): Proxy =>
  index.makeProxy({ type: 'sidecar', namespace: 'shop', labels, ips: [ip], metadata: {} });

const byName = (ls: Listener[], name: string): Listener => {
  const l = ls.find((x) => x.name === name);
  if (!l) throw new Error(`no listener ${name} in ${ls.map((x) => x.name).join(', ')}`);
  return l;
};

const tcpCluster = (c: FilterChain | undefined): string | undefined =>
  c?.filters.map((f) => f.typed_config?.cluster as string | undefined).find(Boolean);
const rdsName = (c: FilterChain | undefined): string | undefined =>
  c?.filters.map((f) => (f.typed_config?.rds as { route_config_name?: string } | undefined)?.route_config_name).find(Boolean);

const SERVICES = `
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  clusterIP: 10.96.0.10
  selector: {app: cart}
  ports:
  - {name: http-web, port: 8000, targetPort: 8080}
  - {name: grpc-api, port: 9000}
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: shop}
spec:
  clusterIP: 10.96.0.11
  ports:
  - {name: tcp-db, port: 5432}
  - {name: sniffed, port: 7000}
`;

t.test('outbound listeners per port class', async (t) => {
  const index = mesh(SERVICES);
  const { listeners, provenance } = buildListeners(index, sidecar(index));
  t.same(
    listeners.map((l) => l.name),
    ['0.0.0.0_8000', '0.0.0.0_9000', '10.96.0.11_5432', '10.96.0.11_7000', 'virtualOutbound', 'virtualInbound'],
  );

  const http = byName(listeners, '0.0.0.0_8000');
  t.equal(http.bind_to_port, false);
  t.equal(http.traffic_direction, 'OUTBOUND');
  t.same(http.filter_chains[0].filter_chain_match, { transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c'] });
  t.equal(rdsName(http.filter_chains[0]), '8000');
  t.equal(http.default_filter_chain?.name, 'PassthroughFilterChain');
  t.equal(tcpCluster(http.default_filter_chain), 'PassthroughCluster');
  t.same(http.listener_filters?.map((f) => f.name), ['envoy.filters.listener.http_inspector']);

  const tcp = byName(listeners, '10.96.0.11_5432');
  t.equal(tcp.filter_chains.length, 1);
  t.equal(tcp.filter_chains[0].filter_chain_match, undefined, 'a lone TCP chain matches everything');
  t.equal(tcpCluster(tcp.filter_chains[0]), 'outbound|5432||ledger.shop.svc.cluster.local');
  t.equal(tcp.default_filter_chain, undefined);

  const auto = byName(listeners, '10.96.0.11_7000');
  t.equal(rdsName(auto.filter_chains[0]), 'ledger.shop.svc.cluster.local:7000', 'sniffed port on a VIP gets a per-service route');
  t.equal(tcpCluster(auto.default_filter_chain), 'outbound|7000||ledger.shop.svc.cluster.local');

  t.same(provenance['10.96.0.11_5432'], [{ kind: 'Service', namespace: 'shop', name: 'ledger' }]);
  for (const l of listeners) t.same(checkEnvoyResource(TYPE_URL.listener, l).errors, [], `${l.name} is valid Envoy`);
});

t.test('TCP over HTTP on one port merges and sniffs; TLS without VIP matches SNI', async (t) => {
  const index = mesh(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: web, namespace: shop}
spec:
  hosts: [web.example.org]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 443, name: tls, protocol: TLS}, {number: 80, name: http, protocol: HTTP}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: raw, namespace: shop}
spec:
  hosts: [raw.example.org]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 80, name: tcp, protocol: TCP}]
`);
  const { listeners } = buildListeners(index, sidecar(index));
  const tls = byName(listeners, '0.0.0.0_443');
  t.same(tls.filter_chains[0].filter_chain_match, { server_names: ['web.example.org'] });
  t.equal(tcpCluster(tls.filter_chains[0]), 'outbound|443||web.example.org');
  t.same(tls.listener_filters?.map((f) => f.name), ['envoy.filters.listener.tls_inspector']);

  const p80 = byName(listeners, '0.0.0.0_80');
  t.equal(rdsName(p80.filter_chains[0]), '80');
  t.equal(tcpCluster(p80.default_filter_chain), 'outbound|80||raw.example.org', 'the TCP service becomes the default chain');
});

t.test('SE CIDR addresses give prefix_ranges; identical masked CIDRs conflict', async (t) => {
  const index = mesh(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: a, namespace: shop}
spec:
  hosts: [a.internal]
  addresses: [192.168.7.5/24]
  resolution: NONE
  ports: [{number: 6000, name: tcp, protocol: TCP}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: b, namespace: shop}
spec:
  hosts: [b.internal]
  addresses: [192.168.7.0/24]
  resolution: NONE
  ports: [{number: 6000, name: tcp, protocol: TCP}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: c, namespace: shop}
spec:
  hosts: [c.internal]
  addresses: [10.20.0.0/16]
  resolution: NONE
  ports: [{number: 6000, name: tcp, protocol: TCP}]
`);
  const l = byName(buildListeners(index, sidecar(index)).listeners, '0.0.0.0_6000');
  t.same(
    l.filter_chains.map((c) => [c.filter_chain_match?.prefix_ranges, tcpCluster(c)]),
    [
      [[{ address_prefix: '192.168.7.5', prefix_len: 24 }], 'outbound|6000||a.internal'],
      [[{ address_prefix: '10.20.0.0', prefix_len: 16 }], 'outbound|6000||c.internal'],
    ],
  );
  t.equal(l.default_filter_chain?.name, 'PassthroughFilterChain');
});

const HEADLESS = `
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: tcp, port: 3307}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-1, namespace: shop, labels: {kubernetes.io/service-name: db}}
endpoints:
- addresses: [10.0.0.9]
- addresses: [10.0.0.21]
ports: [{name: tcp, port: 3307}]
`;

t.test('headless TCP service: one listener per endpoint, own IP skipped', async (t) => {
  const index = mesh(HEADLESS);
  const names = buildListeners(index, sidecar(index)).listeners.map((l) => l.name);
  t.ok(names.includes('10.0.0.21_3307'));
  t.notOk(names.includes('10.0.0.9_3307'), 'the proxy does not get a listener for itself');
});

t.test('headless TCP service with PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER: /32 chains on the wildcard', async (t) => {
  const index = mesh(HEADLESS, {}, { PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER: true });
  const l = byName(buildListeners(index, sidecar(index)).listeners, '0.0.0.0_3307');
  t.same(l.filter_chains.map((c) => c.filter_chain_match?.prefix_ranges), [[{ address_prefix: '10.0.0.21', prefix_len: 32 }]]);
  t.equal(tcpCluster(l.filter_chains[0]), 'outbound|3307||db.shop.svc.cluster.local');
});

t.test('virtualOutbound and catch-alls follow the outbound traffic policy', async (t) => {
  for (const [mode, cluster] of [
    ['ALLOW_ANY', 'PassthroughCluster'],
    ['REGISTRY_ONLY', 'BlackHoleCluster'],
  ] as const) {
    const index = mesh(SERVICES, { outboundTrafficPolicy: { mode } });
    const { listeners } = buildListeners(index, sidecar(index));
    const vo = byName(listeners, 'virtualOutbound');
    t.same(vo.filter_chains.map((c) => c.name), ['virtualOutbound-blackhole', 'virtualOutbound-catchall-tcp']);
    t.equal(vo.use_original_dst, true);
    t.equal(tcpCluster(vo.filter_chains[1]), cluster, mode);
    t.equal(tcpCluster(byName(listeners, '0.0.0.0_8000').default_filter_chain), cluster);
  }
});

t.test('Sidecar egress port and bind give their own listener', async (t) => {
  const index = mesh(`${SERVICES}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress:
  - port: {number: 8000, protocol: HTTP, name: egress-http}
    bind: 127.0.0.1
    hosts: [shop/cart.shop.svc.cluster.local]
  - hosts: [shop/*]
`);
  const { listeners, provenance } = buildListeners(index, sidecar(index));
  const l = byName(listeners, '127.0.0.1_8000');
  t.equal(rdsName(l.filter_chains[0]), '8000');
  t.equal(l.filter_chains[0].filter_chain_match, undefined, 'HTTP on a specific bind is not sniffed');
  t.ok(listeners.some((x) => x.name === '0.0.0.0_8000'), 'the catch-all egress still binds the wildcard');
  t.ok(provenance['127.0.0.1_8000'].some((r) => r.kind === 'Sidecar'));
});

const INBOUND = `
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  clusterIP: 10.96.0.10
  selector: {app: cart}
  ports:
  - {name: http-web, port: 8000, targetPort: 8080}
  - {name: tcp-raw, port: 7070}
  - {name: sniffed, port: 7100}
`;

const inboundChains = (yaml: string) => {
  const index = mesh(yaml);
  const vi = byName(buildListeners(index, sidecar(index, { app: 'cart' })).listeners, 'virtualInbound');
  return { vi, chains: vi.filter_chains };
};

t.test('virtualInbound under PERMISSIVE (default)', async (t) => {
  const { vi, chains } = inboundChains(INBOUND);
  t.equal(chains[0].name, 'virtualInbound-blackhole');
  const port8080 = chains.filter((c) => c.filter_chain_match?.destination_port === 8080);
  t.same(
    port8080.map((c) => [c.name, c.filter_chain_match?.transport_protocol, c.filter_chain_match?.application_protocols, Boolean(c.transport_socket)]),
    [
      ['0.0.0.0_8080', 'tls', ['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'], true],
      ['0.0.0.0_8080', 'raw_buffer', undefined, false],
    ],
  );
  const hcm = port8080[1].filters.find((f) => f.name === 'envoy.filters.network.http_connection_manager')!.typed_config!;
  const rc = hcm.route_config as { name: string; virtual_hosts: { name: string; routes: { route: { cluster: string } }[] }[] };
  t.equal(rc.name, 'inbound|8080||');
  t.equal(rc.virtual_hosts[0].name, 'inbound|http|8000', 'vhost carries the service port');
  t.equal(rc.virtual_hosts[0].routes[0].route.cluster, 'inbound|8080||');
  t.equal(hcm.stat_prefix, 'inbound_0.0.0.0_8080;');

  const tcp = chains.filter((c) => c.filter_chain_match?.destination_port === 7070);
  t.same(tcp.map((c) => c.filter_chain_match?.transport_protocol), ['tls', 'tls', 'raw_buffer']);
  t.equal(tcpCluster(tcp[2]), 'inbound|7070||');
  t.equal(chains.filter((c) => c.filter_chain_match?.destination_port === 7100).length, 5, 'sniffed port: five chains');
  t.same(
    chains.filter((c) => !c.filter_chain_match?.destination_port).map((c) => c.name),
    ['virtualInbound-catchall-http', 'virtualInbound-catchall-http', 'virtualInbound', 'virtualInbound', 'virtualInbound'],
  );
  t.same(vi.listener_filters?.map((f) => f.name), [
    'envoy.filters.listener.original_dst',
    'envoy.filters.listener.tls_inspector',
    'envoy.filters.listener.http_inspector',
  ]);
  t.same(checkEnvoyResource(TYPE_URL.listener, vi).errors, []);
});

t.test('virtualInbound under STRICT and DISABLE', async (t) => {
  const pa = (mode: string) => `${INBOUND}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: ${mode}}}
`;
  const strict = inboundChains(pa('STRICT')).chains.filter((c) => c.filter_chain_match?.destination_port === 8080);
  t.equal(strict.length, 1);
  t.equal(strict[0].filter_chain_match?.transport_protocol, 'tls');
  const ctx = strict[0].transport_socket?.typed_config as unknown as { require_client_certificate?: boolean; common_tls_context: { tls_certificate_sds_secret_configs: { name: string }[] } };
  t.equal(ctx.require_client_certificate, true);
  t.equal(ctx.common_tls_context.tls_certificate_sds_secret_configs[0].name, 'default');

  const disabled = inboundChains(pa('DISABLE'));
  t.same(
    disabled.chains.filter((c) => c.filter_chain_match?.destination_port === 8080).map((c) => c.filter_chain_match?.transport_protocol),
    ['raw_buffer'],
  );
  t.notOk(disabled.vi.listener_filters?.some((f) => f.name === 'envoy.filters.listener.tls_inspector'), 'no chain needs TLS inspection');
});

t.test('DNS auto-allocated addresses bind listeners only for proxies that capture DNS', async (t) => {
  const index = mesh(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: shop}
spec:
  hosts: [db.example.org]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 5433, name: tcp, protocol: TCP}]
`);
  // The mesh index allocates it (auto_allocation.go); set here to test the listener side alone.
  index.services.find((s) => s.hostname === 'db.example.org')!.autoAllocatedAddress = '240.240.0.7';
  const capturing = index.makeProxy({
    type: 'sidecar',
    namespace: 'shop',
    labels: {},
    ips: ['10.0.0.9'],
    metadata: { DNS_CAPTURE: 'true', DNS_AUTO_ALLOCATE: 'true' },
  });
  t.ok(buildListeners(index, capturing).listeners.some((l) => l.name === '240.240.0.7_5433'));
  t.ok(buildListeners(index, sidecar(index)).listeners.some((l) => l.name === '0.0.0.0_5433'));
});

t.test('HCM tracing follows MeshConfig when no Telemetry provider applies (tracing.go legacy branch)', async (t) => {
  const hcmOf = (index: MeshIndex, proxy: Proxy) => {
    const l = byName(buildListeners(index, proxy).listeners, '0.0.0.0_8000');
    return l.filter_chains[0].filters.find((f) => f.name === 'envoy.filters.network.http_connection_manager')!.typed_config!;
  };
  const tracing = hcmOf(mesh(SERVICES), sidecar(mesh(SERVICES), { app: 'cart' })).tracing as Record<string, any>;
  t.same(
    { client: tracing.client_sampling, random: tracing.random_sampling, overall: tracing.overall_sampling },
    { client: { value: 100 }, random: { value: 1 }, overall: { value: 100 } },
    'PILOT_TRACE_SAMPLING defaults to 1%',
  );
  t.same(
    tracing.custom_tags.map((c: { tag: string }) => c.tag),
    [
      'istio.authorization.dry_run.allow_policy.name',
      'istio.authorization.dry_run.allow_policy.result',
      'istio.authorization.dry_run.deny_policy.name',
      'istio.authorization.dry_run.deny_policy.result',
      'istio.canonical_revision',
      'istio.canonical_service',
      'istio.cluster_id',
      'istio.mesh_id',
      'istio.namespace',
    ],
  );
  const literal = (tag: string) => tracing.custom_tags.find((c: { tag: string }) => c.tag === tag).literal.value;
  t.same([literal('istio.canonical_service'), literal('istio.canonical_revision'), literal('istio.namespace')], ['cart', 'latest', 'shop']);

  const tuned = mesh(SERVICES, { defaultConfig: { tracing: { sampling: 50, enableIstioTags: false, customTags: { team: { literal: { value: 'a' } } } } } });
  const own = hcmOf(tuned, sidecar(tuned)).tracing as Record<string, any>;
  t.same(own.random_sampling, { value: 50 });
  t.same(own.custom_tags, [{ tag: 'team', literal: { value: 'a' } }], 'enableIstioTags false keeps only the configured tags');

  const off = mesh(SERVICES, { enableTracing: false });
  t.equal(hcmOf(off, sidecar(off)).tracing, undefined);
});

t.test('listeners that own a socket accept one connection per socket event', async (t) => {
  const index = mesh(SERVICES);
  const { listeners } = buildListeners(index, sidecar(index));
  t.equal(byName(listeners, 'virtualOutbound').max_connections_to_accept_per_socket_event, 1);
  t.equal(byName(listeners, 'virtualInbound').max_connections_to_accept_per_socket_event, 1);
  t.equal(byName(listeners, '0.0.0.0_8000').max_connections_to_accept_per_socket_event, undefined, 'iptables-captured listeners do not bind');
  const unlimited = mesh(SERVICES, {}, { MAX_CONNECTIONS_PER_SOCKET_EVENT_LOOP: 0 });
  t.equal(byName(buildListeners(unlimited, sidecar(unlimited)).listeners, 'virtualOutbound').max_connections_to_accept_per_socket_event, undefined);
});

t.test('MeshConfig pathNormalization sets the HCM path handling (buildHTTPConnectionManager)', async (t) => {
  const pathFields = (normalization?: string) => {
    const index = mesh(SERVICES, normalization ? { pathNormalization: { normalization } } : {});
    const l = byName(buildListeners(index, sidecar(index)).listeners, '0.0.0.0_8000');
    const hcm = l.filter_chains[0].filters.find((f) => f.name === 'envoy.filters.network.http_connection_manager')!.typed_config!;
    return [hcm.normalize_path, hcm.merge_slashes, hcm.path_with_escaped_slashes_action];
  };
  t.same(pathFields(), [true, undefined, 'KEEP_UNCHANGED']);
  t.same(pathFields('NONE'), [false, undefined, 'KEEP_UNCHANGED']);
  t.same(pathFields('MERGE_SLASHES'), [true, true, 'KEEP_UNCHANGED']);
  t.same(pathFields('DECODE_AND_MERGE_SLASHES'), [true, true, 'UNESCAPE_AND_FORWARD']);
});

t.test('Sidecar egress captureMode NONE binds a real port on 127.0.0.1 (buildSidecarOutboundListeners bindToPort)', async (t) => {
  const sidecarNone = (extra: string) => mesh(`${SERVICES}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress:
  - port: {number: 9000, protocol: HTTP, name: http}
    captureMode: NONE
    hosts: [shop/*]${extra}
  - hosts: ['*/*']
`);
  const index = sidecarNone('');
  const { listeners } = buildListeners(index, sidecar(index));
  const bound = byName(listeners, '127.0.0.1_9000');
  t.equal(bound.bind_to_port, undefined, 'the listener owns its socket');
  t.equal(bound.max_connections_to_accept_per_socket_event, 1);
  t.same(bound.address, { socket_address: { address: '127.0.0.1', port_value: 9000 } });
  t.equal(byName(listeners, '0.0.0.0_8000').bind_to_port, false, 'the catch-all egress listener stays captured');
  for (const l of listeners) t.same(checkEnvoyResource(TYPE_URL.listener, l).errors, [], `${l.name} is valid Envoy`);

  const low = mesh(`${SERVICES}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.96.0.12
  ports:
  - {name: http, port: 80}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress:
  - port: {number: 80, protocol: HTTP, name: http}
    captureMode: NONE
    hosts: [shop/*]
`);
  const unprivileged = low.makeProxy({ type: 'sidecar', namespace: 'shop', labels: {}, ips: ['10.0.0.9'], metadata: { UNPRIVILEGED_POD: 'true' } });
  t.notOk(buildListeners(low, unprivileged).listeners.some((l) => l.name === '127.0.0.1_80'), 'an unprivileged pod cannot bind port 80');
  t.ok(buildListeners(low, sidecar(low)).listeners.some((l) => l.name === '127.0.0.1_80'));
});
