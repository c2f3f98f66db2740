// CDS for one proxy (pilot/pkg/networking/core/cluster.go buildClusters, cluster_builder.go,
// cluster_traffic_policy.go, cluster_tls.go; networking/util GetPortLevelTrafficPolicy, MergeSubsetTrafficPolicy).

import { dedupeSources, type SourceRef } from '../../manifests/types.js';
import { adsConfigSource } from '../config-sources.js';
import { configSources, type IstioConfig, type MeshIndex, type Proxy, type Service, type ServicePort } from '../../mesh/types.js';
import type { Cluster, Json } from '../envoy.js';
import {
  BLACKHOLE_CLUSTER,
  INBOUND_PASSTHROUGH_CLUSTER,
  PASSTHROUGH_CLUSTER,
  dnsSrvSubsetKey,
  inboundClusterName,
  statPrefix,
  subsetKey,
} from '../names.js';
import { localityLbEndpoints } from '../endpoints/localities.js';
import { autoMtlsMatches, istioMutualSocket, originationSocket } from '../tls/upstream.js';
import { deepFreeze, memoFor } from './cache.js';
import { idOf } from '../../util/identity.js';
import { scopeView } from '../scope-view.js';

const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const HTTP_PROTOCOL_OPTIONS_TYPE = `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS}`;
const MAX_UINT32 = 4294967295;
/** (MaxInt64 - 999999999) / 1e9 seconds: inbound ORIGINAL_DST clusters never clean up. */
const NO_CLEANUP = '9223372035s';
const INBOUND_PASSTHROUGH_BIND = '127.0.0.6';


const METADATA_EXCHANGE_FILTER = {
  name: 'istio.metadata_exchange',
  typed_config: {
    '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct',
    type_url: 'type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange',
    value: { protocol: 'istio-peer-exchange', enable_discovery: true },
  },
};

/** Built once: every outbound cluster refers to the same frozen objects (istiod's are shared protos too). */
const METADATA_EXCHANGE_FILTERS = deepFreeze([METADATA_EXCHANGE_FILTER]);
const EDS_CONFIG = deepFreeze(adsConfigSource());

const PASSTHROUGH_PROTOCOL_OPTIONS = {
  '@type': HTTP_PROTOCOL_OPTIONS_TYPE,
  common_http_protocol_options: { idle_timeout: '300s' },
  use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} },
};

const defaultThresholds = () => ({
  max_connections: MAX_UINT32,
  max_pending_requests: MAX_UINT32,
  max_requests: MAX_UINT32,
  max_retries: MAX_UINT32,
});

/** The thresholds of a cluster without a connection pool. */
const DEFAULT_CIRCUIT_BREAKERS = deepFreeze({ thresholds: [defaultThresholds()] });

const isHttp2 = (p: ServicePort) => p.protocol === 'HTTP2' || p.protocol === 'GRPC' || p.protocol === 'GRPC-Web';

export interface ClusterStage {
  clusters: Cluster[];
  provenance: Record<string, SourceRef[]>;
  /** The leading clusters every proxy of the same outbound scope shares (same objects, same order); the EDS ones are among them. */
  shared: readonly Cluster[];
}

/** A traffic policy as written in a DestinationRule (networking.v1 TrafficPolicy JSON). */
type TrafficPolicy = Record<string, any>;

/** GetPortLevelTrafficPolicy: a matching portLevelSettings entry replaces the four policies, without inheritance. */
export function portLevelPolicy(policy: TrafficPolicy | undefined, port: number): { policy?: TrafficPolicy; portLevel: boolean } {
  if (!policy) return { policy, portLevel: false };
  const pl = (policy.portLevelSettings ?? []).find((s: any) => Number(s?.port?.number) === port);
  if (!pl) return { policy, portLevel: false };
  const { portLevelSettings: _ignored, connectionPool: _c, loadBalancer: _l, outlierDetection: _o, tls: _t, ...rest } = policy;
  return {
    policy: { ...rest, connectionPool: pl.connectionPool, loadBalancer: pl.loadBalancer, outlierDetection: pl.outlierDetection, tls: pl.tls },
    portLevel: true,
  };
}

/** MergeSubsetTrafficPolicy: subset fields override the rule's, field by field (all four with port-level). */
export function subsetPolicy(top: TrafficPolicy | undefined, subset: TrafficPolicy | undefined, port: number): TrafficPolicy | undefined {
  const original = portLevelPolicy(top, port).policy;
  if (!subset) return original;
  const { policy: sub, portLevel } = portLevelPolicy(subset, port);
  if (!original) return sub;
  const merged: TrafficPolicy = { ...original };
  for (const f of ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'] as const) {
    if (sub?.[f] !== undefined || portLevel) merged[f] = sub?.[f];
  }
  if (sub?.proxyProtocol !== undefined) merged.proxyProtocol = sub.proxyProtocol;
  return merged;
}

/** Mesh defaultTrafficPolicy fills connectionPool / outlierDetection the rule leaves unset. */
function withMeshDefaults(index: MeshIndex, policy: TrafficPolicy | undefined): TrafficPolicy | undefined {
  const def = index.mesh.defaultTrafficPolicy as TrafficPolicy | undefined;
  if (!def) return policy;
  return { ...policy, connectionPool: policy?.connectionPool ?? def.connectionPool, outlierDetection: policy?.outlierDetection ?? def.outlierDetection };
}

const configPath = (dr: IstioConfig) => `/apis/networking.istio.io/v1/namespaces/${dr.namespace}/destination-rule/${dr.name}`;

const protocolOptions = (c: Cluster): Record<string, any> => {
  const all = ((c.typed_extension_protocol_options as Record<string, any>) ??= {});
  return (all[HTTP_PROTOCOL_OPTIONS] ??= { '@type': HTTP_PROTOCOL_OPTIONS_TYPE });
};

/** setUpstreamProtocol: h2 for HTTP2/gRPC ports, downstream protocol for sniffed ports on sidecars. */
function applyUpstreamProtocol(c: Cluster, port: ServicePort, sidecar: boolean): void {
  if (isHttp2(port)) protocolOptions(c).explicit_http_config = { http2_protocol_options: {} };
  else if (sidecar && port.protocol === '') protocolOptions(c).use_downstream_protocol_config = { http_protocol_options: {}, http2_protocol_options: {} };
}

/** A connection pool's circuit breakers, one frozen object per pool (the ports and subsets of a rule share it). */
const circuitBreakersByPool = new WeakMap<object, NonNullable<Cluster['circuit_breakers']>>();

function circuitBreakers(pool: any): NonNullable<Cluster['circuit_breakers']> {
  const known = typeof pool === 'object' ? circuitBreakersByPool.get(pool) : undefined;
  if (known) return known;
  const t: Record<string, number> = defaultThresholds();
  const http = pool.http ?? {};
  const tcp = pool.tcp ?? {};
  if (http.http2MaxRequests > 0) t.max_requests = Number(http.http2MaxRequests);
  if (http.http1MaxPendingRequests > 0) t.max_pending_requests = Number(http.http1MaxPendingRequests);
  if (http.maxRetries > 0) t.max_retries = Number(http.maxRetries);
  if (tcp.maxConnections > 0) t.max_connections = Number(tcp.maxConnections);
  const breakers = deepFreeze({ thresholds: [t] });
  if (typeof pool === 'object') circuitBreakersByPool.set(pool, breakers);
  return breakers;
}

function applyConnectionPool(c: Cluster, pool: any, port: ServicePort): void {
  if (!pool) return;
  const http = pool.http ?? {};
  const tcp = pool.tcp ?? {};
  if (tcp.connectTimeout) c.connect_timeout = tcp.connectTimeout;
  c.circuit_breakers = circuitBreakers(pool);
  if (tcp.tcpKeepalive) {
    const k = tcp.tcpKeepalive;
    c.upstream_connection_options = {
      tcp_keepalive: {
        ...(k.probes ? { keepalive_probes: Number(k.probes) } : {}),
        ...(k.time ? { keepalive_time: durationSeconds(k.time) } : {}),
        ...(k.interval ? { keepalive_interval: durationSeconds(k.interval) } : {}),
      },
    };
  }
  const idle = http.idleTimeout ?? tcp.idleTimeout;
  const common: Record<string, unknown> = {};
  if (idle) common.idle_timeout = idle;
  if (http.maxRequestsPerConnection > 0) common.max_requests_per_connection = Number(http.maxRequestsPerConnection);
  if (tcp.maxConnectionDuration) common.max_connection_duration = tcp.maxConnectionDuration;
  if (Object.keys(common).length > 0) protocolOptions(c).common_http_protocol_options = common;
  if (http.h2UpgradePolicy === 'UPGRADE' && port.protocol === 'HTTP' && !isHttp2(port)) {
    protocolOptions(c).explicit_http_config = { http2_protocol_options: {} };
  }
  if (http.useClientProtocol) {
    const opts = protocolOptions(c);
    delete opts.explicit_http_config;
    opts.use_downstream_protocol_config = { http_protocol_options: {}, http2_protocol_options: {} };
  }
}

/** Keepalive durations are whole seconds (uint32) in Envoy. */
const durationSeconds = (d: string): number => Math.floor(Number(String(d).replace(/s$/, '')) || 0);

function applyLoadBalancer(c: Cluster, lb: any): void {
  (c.common_lb_config as Record<string, unknown>).healthy_panic_threshold ??= {};
  if (c.type === 'ORIGINAL_DST') {
    c.lb_policy = 'CLUSTER_PROVIDED';
    return;
  }
  switch (lb?.simple) {
    case 'RANDOM':
      c.lb_policy = 'RANDOM';
      break;
    case 'ROUND_ROBIN':
      delete c.lb_policy;
      break;
    case 'PASSTHROUGH':
      c.lb_policy = 'CLUSTER_PROVIDED';
      c.type = 'ORIGINAL_DST';
      delete c.load_assignment;
      delete c.eds_cluster_config;
      break;
    default:
      c.lb_policy = 'LEAST_REQUEST';
  }
  if (lb?.warmup || lb?.warmupDurationSecs) {
    const duration = lb.warmup?.duration ?? lb.warmupDurationSecs;
    const key = c.lb_policy === 'LEAST_REQUEST' ? 'least_request_lb_config' : c.lb_policy === undefined ? 'round_robin_lb_config' : undefined;
    if (key) c[key] = { slow_start_config: { slow_start_window: duration } };
  }
  const hash = lb?.consistentHash;
  if (hash) {
    if (hash.maglev) {
      c.lb_policy = 'MAGLEV';
      if (hash.maglev.tableSize) c.maglev_lb_config = { table_size: String(hash.maglev.tableSize) };
    } else {
      c.lb_policy = 'RING_HASH';
      const size = hash.ringHash?.minimumRingSize ?? hash.minimumRingSize ?? 1024;
      c.ring_hash_lb_config = { minimum_ring_size: String(size) };
    }
  }
  if (lb?.localityLbSetting?.distribute) (c.common_lb_config as Record<string, unknown>).locality_weighted_lb_config = {};
}

function applyOutlierDetection(c: Cluster, od: any): void {
  if (!od) return;
  const out: Record<string, unknown> = {};
  const five = od.consecutive5xxErrors ?? od.consecutiveErrors;
  if (five !== undefined) {
    out.consecutive_5xx = Number(five);
    out.enforcing_consecutive_5xx = Number(five) > 0 ? 100 : 0;
  }
  if (od.consecutiveGatewayErrors !== undefined) {
    out.consecutive_gateway_failure = Number(od.consecutiveGatewayErrors);
    out.enforcing_consecutive_gateway_failure = Number(od.consecutiveGatewayErrors) > 0 ? 100 : 0;
  }
  if (od.interval) out.interval = od.interval;
  if (od.baseEjectionTime) out.base_ejection_time = od.baseEjectionTime;
  if (od.maxEjectionPercent > 0) out.max_ejection_percent = Number(od.maxEjectionPercent);
  if (od.splitExternalLocalOriginErrors) {
    out.split_external_local_origin_errors = true;
    if (od.consecutiveLocalOriginFailures !== undefined) {
      out.consecutive_local_origin_failure = Number(od.consecutiveLocalOriginFailures);
      out.enforcing_consecutive_local_origin_failure = 100;
    }
  }
  out.enforcing_success_rate = 0;
  c.outlier_detection = out;
  const min = Number(od.minHealthPercent ?? 0);
  (c.common_lb_config as Record<string, unknown>).healthy_panic_threshold = min > 0 ? { value: min } : {};
}

export interface OutboundTarget {
  service: Service;
  port: ServicePort;
  subset?: { name: string; labels?: Record<string, string> };
  policy?: TrafficPolicy;
  rule?: IstioConfig;
}

/** Spiffe identities of the service's endpoints plus an SE's subjectAltNames, sorted (push_context ServiceAccounts). */
function serviceAccounts(index: MeshIndex, service: Service): readonly string[] {
  const byService = memoFor(serviceAccountTables, index, () => new Map<Service, readonly string[]>());
  let sans = byService.get(service);
  // Frozen: it keys the shared TLS contexts (tls/upstream.ts).
  if (!sans) byService.set(service, (sans = Object.freeze(collectServiceAccounts(index, service))));
  return sans;
}
const serviceAccountTables = new WeakMap<MeshIndex, Map<Service, readonly string[]>>();

/** The `services` entry of an outbound cluster's istio metadata, one frozen list per service. */
const metadataServices = new WeakMap<Service, readonly Json[]>();
function metadataServicesOf(service: Service): readonly Json[] {
  return memoFor(metadataServices, service, () =>
    deepFreeze([{ host: service.hostname, name: service.registry === 'External' ? service.hostname : service.name, namespace: service.namespace }]),
  );
}

function collectServiceAccounts(index: MeshIndex, service: Service): string[] {
  const td = index.mesh.trustDomain;
  const sans = new Set<string>(service.subjectAltNames ?? []);
  for (const p of service.ports) {
    for (const ep of index.endpoints(service, p)) if (ep.serviceAccount) sans.add(`spiffe://${td}/ns/${ep.namespace}/sa/${ep.serviceAccount}`);
  }
  return [...sans].sort();
}

function discoveryType(service: Service, proxy: Proxy): NonNullable<Cluster['type']> {
  switch (service.resolution) {
    case 'DNSLB':
      return 'STRICT_DNS';
    case 'DNSRoundRobinLB':
      return 'LOGICAL_DNS';
    case 'Passthrough':
      return proxy.type === 'router' ? 'EDS' : 'ORIGINAL_DST';
    default:
      return 'EDS';
  }
}

function buildOutboundCluster(index: MeshIndex, proxy: Proxy, t: OutboundTarget, name: string, sniDnat: boolean): Cluster | undefined {
  const { service, port } = t;
  const type = discoveryType(service, proxy);
  const c: Cluster = { name, type };
  c.connect_timeout = index.mesh.connectTimeout;
  c.common_lb_config = {};
  c.alt_stat_name = statPrefix(name);
  if (type === 'EDS') c.eds_cluster_config = { eds_config: EDS_CONFIG, service_name: name };
  const drTlsMode: string | undefined = t.policy?.tls?.mode;
  if (type === 'STRICT_DNS' || type === 'LOGICAL_DNS') {
    const { localities } = localityLbEndpoints(index, service, port, { subsetLabels: t.subset?.labels, drTlsMode });
    if (localities.length === 0) return undefined;
    c.dns_lookup_family = 'V4_ONLY';
    c.typed_dns_resolver_config = {
      name: 'envoy.network.dns_resolver.cares',
      typed_config: { '@type': 'type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig', udp_max_queries: 100 },
    };
    c.dns_jitter = '0.100s';
    c.dns_refresh_rate = String(index.mesh.dnsRefreshRate ?? '60s');
    c.respect_dns_ttl = true;
    c.load_assignment = { cluster_name: name, endpoints: localities };
  }
  c.circuit_breakers = DEFAULT_CIRCUIT_BREAKERS;
  applyUpstreamProtocol(c, port, proxy.type === 'sidecar');

  const metadata: Record<string, unknown> = { services: metadataServicesOf(service) };
  if (t.rule) metadata.config = configPath(t.rule);
  if (t.subset) metadata.subset = t.subset.name;
  if (service.meshExternal) metadata.external = true;
  c.metadata = { filter_metadata: { istio: metadata } };

  const policy = withMeshDefaults(index, t.policy);
  applyConnectionPool(c, policy?.connectionPool, port);
  applyLoadBalancer(c, policy?.loadBalancer);
  applyOutlierDetection(c, policy?.outlierDetection);
  c.filters = METADATA_EXCHANGE_FILTERS;

  if (!sniDnat) applyUpstreamTls(index, proxy, c, t, policy?.tls);
  return c;
}

/** buildUpstreamTLSSettings: DR tls when set, else auto mTLS for in-mesh services. */
function applyUpstreamTls(index: MeshIndex, proxy: Proxy, c: Cluster, t: OutboundTarget, tls: any): void {
  const http2 = isHttp2(t.port);
  const sni = dnsSrvSubsetKey('outbound', t.subset?.name ?? '', t.service.hostname, t.port.port);
  const mode: string | undefined = tls?.mode;
  if (mode === 'ISTIO_MUTUAL') {
    const sans: readonly string[] = tls.subjectAltNames?.length ? tls.subjectAltNames : serviceAccounts(index, t.service);
    c.transport_socket = istioMutualSocket(tls.sni ?? sni, sans, http2);
    return;
  }
  if (mode === 'SIMPLE' || mode === 'MUTUAL') {
    // A sidecar cannot read Kubernetes secrets unless the rule targets it by workload selector.
    if (proxy.type === 'sidecar' && tls.credentialName && !String(tls.credentialName).startsWith('configmap://') && !t.rule?.spec.workloadSelector) return;
    // A ServiceEntry's subjectAltNames (and endpoint identities) stand in when the rule names no SANs.
    const sans: readonly string[] = tls.subjectAltNames?.length ? tls.subjectAltNames : t.service.registry === 'External' ? serviceAccounts(index, t.service) : [];
    c.transport_socket = originationSocket(index.mesh, tls, http2, sans);
    if (!tls.sni) {
      const opts = protocolOptions(c);
      opts.upstream_http_protocol_options = { auto_sni: true, auto_san_validation: true };
    }
    (c.metadata!.filter_metadata!.istio as Record<string, unknown>).alpn_override = 'false';
    return;
  }
  if (mode === 'DISABLE' || (mode !== undefined && mode !== 'UNSET')) return;
  if (!index.mesh.enableAutoMtls || t.service.meshExternal || c.type === 'ORIGINAL_DST') return;
  if (index.serviceMtlsMode(t.service, t.port.port) === 'DISABLE') return;
  c.transport_socket_matches = autoMtlsMatches(sni, serviceAccounts(index, t.service), http2);
}

/** One cluster per visible service port and subset: what it is built from, its policy resolved only when built. */
interface TargetRef {
  service: Service;
  port: ServicePort;
  rule?: IstioConfig;
  subset?: { name: string; labels?: Record<string, string>; trafficPolicy?: TrafficPolicy };
}

function outboundTargets(index: MeshIndex, proxy: Proxy, services: Service[], rules: ReadonlyMap<Service, IstioConfig | undefined> | undefined): TargetRef[] {
  const targets: TargetRef[] = [];
  for (const service of services) {
    if (service.resolution === 'Alias') continue;
    const rule = rules ? rules.get(service) : index.destinationRule(proxy, service);
    for (const port of service.ports) {
      if (port.protocol === 'UDP') continue;
      targets.push({ service, port, rule });
      for (const subset of rule?.spec.subsets ?? []) targets.push({ service, port, rule, subset });
    }
  }
  return targets;
}

function resolveTarget({ service, port, rule, subset }: TargetRef): { target: OutboundTarget; sources: SourceRef[] } {
  const top = rule?.spec.trafficPolicy as TrafficPolicy | undefined;
  const target: OutboundTarget = subset
    ? { service, port, rule, subset: { name: subset.name, labels: subset.labels }, policy: subsetPolicy(top, subset.trafficPolicy, port.port) }
    : { service, port, rule, policy: portLevelPolicy(top, port.port).policy };
  return { target, sources: clusterSources(service, rule) };
}

/** A cluster's provenance: its service and rule, one frozen list per pair (the ports and subsets share it). */
const sourcesByService = new WeakMap<Service, Map<IstioConfig | undefined, SourceRef[]>>();
function clusterSources(service: Service, rule: IstioConfig | undefined): SourceRef[] {
  const byRule = memoFor(sourcesByService, service, () => new Map<IstioConfig | undefined, SourceRef[]>());
  return memoFor(byRule, rule, () => deepFreeze(dedupeSources([...service.sources, ...(rule ? configSources(rule) : [])])));
}

function blackHoleCluster(index: MeshIndex): Cluster {
  return { name: BLACKHOLE_CLUSTER, type: 'STATIC', connect_timeout: index.mesh.connectTimeout, alt_stat_name: statPrefix(BLACKHOLE_CLUSTER) };
}

function passthroughCluster(index: MeshIndex): Cluster {
  return {
    name: PASSTHROUGH_CLUSTER,
    type: 'ORIGINAL_DST',
    connect_timeout: index.mesh.connectTimeout,
    lb_policy: 'CLUSTER_PROVIDED',
    circuit_breakers: { thresholds: [defaultThresholds()] },
    typed_extension_protocol_options: { [HTTP_PROTOCOL_OPTIONS]: PASSTHROUGH_PROTOCOL_OPTIONS },
    alt_stat_name: statPrefix(PASSTHROUGH_CLUSTER),
    filters: [METADATA_EXCHANGE_FILTER],
  };
}

function inboundPassthroughCluster(index: MeshIndex): Cluster {
  const { filters: _f, ...c } = passthroughCluster(index);
  return {
    ...c,
    name: INBOUND_PASSTHROUGH_CLUSTER,
    alt_stat_name: statPrefix(PASSTHROUGH_CLUSTER),
    upstream_bind_config: { source_address: { address: INBOUND_PASSTHROUGH_BIND, port_value: 0 } },
  };
}

/** A STATIC single-endpoint assignment (Sidecar ingress defaultEndpoint, LOCALHOST inbound policy). */
const staticAssignment = (name: string, address: string, port: number) => ({
  cluster_name: name,
  endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: port } } } }] }],
});

function inboundCluster(
  index: MeshIndex,
  proxy: Proxy,
  clusterPort: number,
  servicePort: ServicePort | undefined,
  services: Service[],
  endpoint: { address: string; port: number } | undefined,
): { cluster: Cluster; sources: SourceRef[] } {
  const name = inboundClusterName(clusterPort);
  const c: Cluster = { name, type: endpoint ? 'STATIC' : 'ORIGINAL_DST' };
  c.connect_timeout = index.mesh.connectTimeout;
  if (!endpoint) c.lb_policy = 'CLUSTER_PROVIDED';
  c.common_lb_config = {};
  c.alt_stat_name = statPrefix(name);
  if (endpoint) c.load_assignment = staticAssignment(name, endpoint.address, endpoint.port);
  else c.cleanup_interval = NO_CLEANUP;
  if (servicePort) applyUpstreamProtocol(c, servicePort, true);
  const sources: SourceRef[] = [];
  if (services.length > 0 && !services[0].meshExternal) {
    const seen = new Set<string>();
    const list: Json[] = [];
    for (const s of services) {
      if (seen.has(s.hostname)) continue;
      seen.add(s.hostname);
      list.push({ host: s.hostname, name: s.registry === 'External' ? s.hostname : s.name, namespace: s.namespace });
      sources.push(...s.sources);
    }
    c.metadata = { filter_metadata: { istio: { services: list } } };
  }
  let policy: TrafficPolicy | undefined;
  if (services[0] && servicePort) {
    const rule = index.destinationRule(proxy, services[0]);
    if (rule?.spec.trafficPolicy) {
      policy = portLevelPolicy(rule.spec.trafficPolicy, servicePort.port).policy;
      ((c.metadata ??= { filter_metadata: { istio: {} } }).filter_metadata!.istio as Record<string, unknown>).config = configPath(rule);
      sources.push(...configSources(rule));
    }
  }
  policy = withMeshDefaults(index, policy);
  const sidecarPool = index.sidecarScope(proxy).sidecar?.spec.inboundConnectionPool;
  const ingressPool = (index.sidecarScope(proxy).sidecar?.spec.ingress ?? []).find((i: any) => Number(i?.port?.number) === clusterPort)?.connectionPool;
  const pool = ingressPool ?? sidecarPool ?? policy?.connectionPool;
  c.circuit_breakers = { thresholds: [defaultThresholds()] };
  if (pool) applyConnectionPool(c, pool, servicePort ?? { name: '', port: clusterPort, protocol: '' });
  if (!endpoint) c.upstream_bind_config = { source_address: { address: INBOUND_PASSTHROUGH_BIND, port_value: 0 } };
  return { cluster: c, sources };
}

function inboundClusters(index: MeshIndex, proxy: Proxy): { cluster: Cluster; sources: SourceRef[] }[] {
  const scope = index.sidecarScope(proxy);
  const ingress: any[] = scope.sidecar?.spec.ingress ?? [];
  const out: { cluster: Cluster; sources: SourceRef[] }[] = [];
  if (ingress.length === 0) {
    const localhost = (index.mesh.inboundTrafficPolicy as any)?.mode === 'LOCALHOST';
    const byPort = new Map<number, ReturnType<MeshIndex['serviceTargets']>>();
    for (const t of index.serviceTargets(proxy)) byPort.set(t.targetPort, [...(byPort.get(t.targetPort) ?? []), t]);
    for (const [port, targets] of [...byPort].sort((a, b) => a[0] - b[0])) {
      const built = inboundCluster(index, proxy, port, targets[0].port, targets.map((t) => t.service), localhost ? { address: '127.0.0.1', port } : undefined);
      out.push(built);
    }
    return out;
  }
  const targets = index.serviceTargets(proxy);
  for (const il of ingress) {
    const port = Number(il.port?.number);
    const servicePort = { name: il.port?.name ?? '', port, protocol: (String(il.port?.protocol ?? '').toUpperCase() || '') as ServicePort['protocol'] };
    const endpoint = parseDefaultEndpoint(il.defaultEndpoint, proxy);
    const services = targets.filter((t) => t.targetPort === port || t.port.port === port).map((t) => t.service);
    const built = inboundCluster(index, proxy, port, servicePort, services, endpoint);
    built.sources.push(scope.sidecar!.source);
    out.push(built);
  }
  return out;
}

/** Sidecar ingress defaultEndpoint: `127.0.0.1:8080`, `0.0.0.0:8080` (= the instance IP); unix sockets are not modelled. */
function parseDefaultEndpoint(value: string | undefined, proxy: Proxy): { address: string; port: number } | undefined {
  if (!value || value.startsWith('unix://')) return undefined;
  const i = value.lastIndexOf(':');
  const host = value.slice(0, i);
  const port = Number(value.slice(i + 1));
  if (!Number.isInteger(port)) return undefined;
  if (host === '0.0.0.0') return { address: proxy.ips.find((ip) => ip.includes('.')) ?? '127.0.0.1', port };
  if (host === '[::]') return { address: proxy.ips.find((ip) => ip.includes(':')) ?? '::1', port };
  return { address: host.replace(/^\[|\]$/g, ''), port };
}

/** Gateway servers with tls.mode AUTO_PASSTHROUGH get SNI-DNAT clusters for every service port and subset. */
function hasAutoPassthrough(index: MeshIndex, proxy: Proxy): boolean {
  return index.gatewaysFor(proxy).some((g) => (g.spec.servers ?? []).some((s: any) => s?.tls?.mode === 'AUTO_PASSTHROUGH'));
}

export function buildClusters(index: MeshIndex, proxy: Proxy): ClusterStage {
  const head = sharedHead(index, proxy);
  if (proxy.type === 'router') return head;
  const clusters = [...head.clusters];
  const own: Record<string, SourceRef[]> = {};
  const add = (c: Cluster, sources: SourceRef[]) => {
    if (head.provenance[c.name] || own[c.name]) return;
    clusters.push(c);
    own[c.name] = sources;
  };
  for (const { cluster, sources } of inboundClusters(index, proxy)) add(cluster, dedupeSources(sources));
  add(inboundPassthroughCluster(index), []);
  let provenance: Record<string, SourceRef[]> | undefined;
  return {
    clusters,
    shared: head.clusters,
    // The head's thousands of entries plus the proxy's few, copied only when someone reads them.
    get provenance() {
      return (provenance ??= { ...head.provenance, ...own });
    },
  };
}

/** Heads by the outbound list they start with (one list per scope view), per proxy type. */
const heads = new WeakMap<OutboundCluster[], Partial<Record<Proxy['type'], ClusterStage>>>();

/**
 * What proxies of one scope view share: the outbound clusters, BlackHole and, for sidecars,
 * Passthrough (cluster_builder.go order), built once and frozen.
 */
function sharedHead(index: MeshIndex, proxy: Proxy): ClusterStage {
  const outbound = outboundClusters(index, proxy);
  let byType = heads.get(outbound);
  if (!byType) heads.set(outbound, (byType = {}));
  const known = byType[proxy.type];
  if (known) return known;
  const clusters: Cluster[] = [];
  const provenance: Record<string, SourceRef[]> = {};
  const add = (c: Cluster | undefined, sources: SourceRef[]) => {
    if (!c || provenance[c.name]) return;
    clusters.push(c);
    provenance[c.name] = sources;
  };
  for (const { cluster, sources } of outbound) add(cluster, sources);
  add(blackHoleCluster(index), []);
  if (proxy.type === 'sidecar') add(passthroughCluster(index), []);
  const head = deepFreeze({ clusters, provenance, shared: clusters });
  byType[proxy.type] = head;
  return head;
}

interface OutboundCluster {
  cluster: Cluster;
  sources: SourceRef[];
}

/** Outbound clusters by scope view, and each cluster by what it is built from (shared across views). */
interface OutboundTables {
  byScope: Map<string, OutboundCluster[]>;
  /** By service, port, then proxy type, SNI-DNAT, rule and subset. */
  byTarget: Map<Service, Map<ServicePort, Map<string, OutboundCluster | undefined>>>;
}
const outboundTables = new WeakMap<MeshIndex, OutboundTables>();

/** What each outbound cluster was built from: the endpoints stage reads its service, port and rule here. */
const clusterTargets = new WeakMap<Cluster, OutboundTarget>();
export const outboundTargetOf = (cluster: Cluster): OutboundTarget | undefined => clusterTargets.get(cluster);

/** The proxy's outbound clusters, unique by name, in order; shared with every proxy that sees the same. */
function outboundClusters(index: MeshIndex, proxy: Proxy): OutboundCluster[] {
  const tables = memoFor(outboundTables, index, () => ({ byScope: new Map(), byTarget: new Map() }));
  const autoPassthrough = proxy.type === 'router' && hasAutoPassthrough(index, proxy);
  const view = scopeView(index, proxy);
  const key = view === undefined ? undefined : `${idOf(view)}|${autoPassthrough}`;
  const cached = key === undefined ? undefined : tables.byScope.get(key);
  if (cached) return cached;

  const targets = outboundTargets(index, proxy, index.sidecarScope(proxy).services, view?.destinationRules);
  const built = (ref: TargetRef, sniDnat: boolean): OutboundCluster | undefined => {
    // Everything a cluster depends on: the policy and subset come from the rule, the rest from the proxy type.
    const byPort = memoFor(tables.byTarget, ref.service, () => new Map<ServicePort, Map<string, OutboundCluster | undefined>>());
    const byRest = memoFor(byPort, ref.port, () => new Map<string, OutboundCluster | undefined>());
    const targetKey = `${proxy.type}|${sniDnat}|${ref.rule ? idOf(ref.rule) : ''}|${ref.subset?.name ?? ''}`;
    if (byRest.has(targetKey)) return byRest.get(targetKey);
    const { target, sources } = resolveTarget(ref);
    const name = (sniDnat ? dnsSrvSubsetKey : subsetKey)('outbound', target.subset?.name ?? '', target.service.hostname, target.port.port);
    const cluster = buildOutboundCluster(index, proxy, target, name, sniDnat);
    if (cluster) clusterTargets.set(cluster, target);
    const entry = cluster ? deepFreeze({ cluster, sources }) : undefined;
    byRest.set(targetKey, entry);
    return entry;
  };
  const out: OutboundCluster[] = [];
  const names = new Set<string>();
  for (const sniDnat of autoPassthrough ? [false, true] : [false]) {
    for (const t of targets) {
      const entry = built(t, sniDnat);
      if (!entry || names.has(entry.cluster.name)) continue;
      names.add(entry.cluster.name);
      out.push(entry);
    }
  }
  if (key !== undefined) tables.byScope.set(key, out);
  return out;
}

