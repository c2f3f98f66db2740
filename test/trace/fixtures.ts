// Small hand-written Envoy configs and a fake mesh index for the tracer's tests.

import type { MeshIndex, Proxy } from '../../src/mesh/types.js';
import type {
  Cluster,
  ClusterLoadAssignment,
  Filter,
  FilterChain,
  FilterChainMatch,
  Listener,
  ListenerFilter,
  RouteConfiguration,
  TransportSocket,
} from '../../src/xds/envoy.js';
import { TYPE_URL } from '../../src/xds/envoy.js';
import type { GeneratedXds } from '../../src/xds/types.js';
import type { TraceContext } from '../../src/trace/index.js';

export const tlsInspector: ListenerFilter = {
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' },
};
export const httpInspector: ListenerFilter = {
  name: 'envoy.filters.listener.http_inspector',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector' },
};

export const listener = (name: string, address: string, port: number, chains: FilterChain[], extra: Partial<Listener> = {}): Listener => ({
  name,
  address: { socket_address: { address, port_value: port } },
  filter_chains: chains,
  ...extra,
});

export const tcpProxy = (cluster: string): Filter => ({
  name: 'envoy.filters.network.tcp_proxy',
  typed_config: { '@type': TYPE_URL.tcpProxy, stat_prefix: cluster, cluster },
});

export const rds = (routeConfigName: string): Filter => ({
  name: 'envoy.filters.network.http_connection_manager',
  typed_config: { '@type': TYPE_URL.hcm, stat_prefix: 'x', rds: { route_config_name: routeConfigName } },
});

export const inlineRoutes = (rc: RouteConfiguration): Filter => ({
  name: 'envoy.filters.network.http_connection_manager',
  typed_config: { '@type': TYPE_URL.hcm, stat_prefix: 'x', route_config: rc },
});

export const chain = (name: string, match: FilterChainMatch | undefined, filters: Filter[], transportSocket?: TransportSocket): FilterChain => ({
  name,
  ...(match ? { filter_chain_match: match } : {}),
  filters,
  ...(transportSocket ? { transport_socket: transportSocket } : {}),
});

/** A downstream TLS socket: Istio mTLS = certificate "default" + client certificate required. */
export const downstreamTls = (certificate: string, requireClientCertificate: boolean): TransportSocket => ({
  name: 'envoy.transport_sockets.tls',
  typed_config: {
    '@type': TYPE_URL.downstreamTls,
    common_tls_context: { tls_certificate_sds_secret_configs: [{ name: certificate }] },
    require_client_certificate: requireClientCertificate,
  },
});

export const istioMtlsUpstream = (sni = ''): TransportSocket => ({
  name: 'envoy.transport_sockets.tls',
  typed_config: {
    '@type': TYPE_URL.upstreamTls,
    common_tls_context: { tls_certificate_sds_secret_configs: [{ name: 'default' }], alpn_protocols: ['istio-peer-exchange', 'istio'] },
    ...(sni ? { sni } : {}),
  },
});

export const simpleTlsUpstream = (sni: string): TransportSocket => ({
  name: 'envoy.transport_sockets.tls',
  typed_config: { '@type': TYPE_URL.upstreamTls, common_tls_context: {}, sni },
});

/** An EDS cluster with Istio's auto-mTLS transport socket matches. */
export const edsCluster = (name: string): Cluster => ({
  name,
  type: 'EDS',
  eds_cluster_config: { eds_config: { ads: {} }, service_name: name },
  transport_socket_matches: [
    { name: 'tlsMode-istio', match: { tlsMode: 'istio' }, transport_socket: istioMtlsUpstream() },
    { name: 'tlsMode-disabled', match: {}, transport_socket: { name: 'envoy.transport_sockets.raw_buffer', typed_config: { '@type': TYPE_URL.rawBuffer } } },
  ],
});

export const endpoint = (address: string, port: number, opts: { istio?: boolean; health?: 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' } = {}) => ({
  endpoint: { address: { socket_address: { address, port_value: port } } },
  ...(opts.health ? { health_status: opts.health } : {}),
  ...(opts.istio ? { metadata: { filter_metadata: { 'envoy.transport_socket_match': { tlsMode: 'istio' } } } } : {}),
});

export const assignment = (clusterName: string, endpoints: ReturnType<typeof endpoint>[], priority?: number): ClusterLoadAssignment => ({
  cluster_name: clusterName,
  endpoints: [{ lb_endpoints: endpoints, ...(priority !== undefined ? { priority } : {}) }],
});

export const originalDst = (name: string): Cluster => ({ name, type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' });

export function xds(parts: Partial<GeneratedXds>): GeneratedXds {
  return {
    listeners: [],
    routes: [],
    clusters: [],
    endpoints: [],
    provenance: { listeners: {}, routes: {}, virtualHosts: {}, clusters: {}, endpoints: {} },
    ...parts,
  };
}

export function proxy(type: 'sidecar' | 'router', namespace: string, name: string, ip: string, labels: Record<string, string> = {}): Proxy {
  return {
    type,
    id: `${type}~${ip}~${name}.${namespace}~${namespace}.svc.cluster.local`,
    name,
    namespace,
    labels,
    ips: [ip],
    metadata: {},
    pod: `${namespace}/${name}`,
  };
}

/** A tracer context over a few proxies and their configs; only what the tracer reads from the index. */
export function context(entries: [Proxy, GeneratedXds][], services: { host: string; meshExternal: boolean }[] = []): TraceContext {
  const byIp = new Map<string, Proxy>();
  for (const [p] of entries) for (const ip of p.ips) byIp.set(ip, p);
  const configs = new Map(entries.map(([p, x]) => [p.id, x]));
  const index = {
    proxies: entries.map(([p]) => p),
    proxyByIp: (ip: string) => byIp.get(ip),
    servicesByHost: new Map(services.map((s) => [s.host, [{ hostname: s.host, meshExternal: s.meshExternal }]])),
    // Workload identities (spiffe://<trust domain>/...) and, to name a STRICT PeerAuthentication, the mTLS mode.
    mesh: { trustDomain: 'cluster.local' },
    mtlsMode: () => 'PERMISSIVE',
  } as unknown as MeshIndex;
  return {
    index,
    xdsFor: (p) => {
      const x = configs.get(p.id);
      if (!x) throw new Error(`no config for ${p.id}`);
      return x;
    },
  };
}
