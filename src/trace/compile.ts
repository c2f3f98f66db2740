// Lookup structures over one proxy's generated xDS, built once per GeneratedXds (and per listener,
// route configuration and virtual host on first use) so that a trace is a few map lookups.

import type {
  Cluster,
  ClusterLoadAssignment,
  FilterChain,
  Listener,
  ListenerFilter,
  ProxyXds,
  RouteConfiguration,
  TypedConfig,
} from '../xds/envoy.js';
import { TYPE_URL } from '../xds/envoy.js';
import { memo } from '../router/memo.js';
import { parseCidr, type Cidr } from './ip.js';

export interface CompiledXds {
  xds: ProxyXds;
  /** "address:port" → the first listener bound there (its address or one of its additional addresses). */
  listenerByAddress: Map<string, Listener>;
  listenerByName: Map<string, Listener>;
  routeConfigByName: Map<string, RouteConfiguration>;
  clusterByName: Map<string, Cluster>;
  loadAssignmentByName: Map<string, ClusterLoadAssignment>;
}

const xdsCache = new WeakMap<ProxyXds, CompiledXds>();

export function compileXds(xds: ProxyXds): CompiledXds {
  let compiled = xdsCache.get(xds);
  if (compiled) return compiled;
  compiled = {
    xds,
    listenerByAddress: new Map(),
    listenerByName: new Map(),
    routeConfigByName: new Map(),
    clusterByName: new Map(),
    loadAssignmentByName: new Map(),
  };
  for (const l of xds.listeners) {
    if (!compiled.listenerByName.has(l.name)) compiled.listenerByName.set(l.name, l);
    for (const key of listenerAddressKeys(l)) {
      if (!compiled.listenerByAddress.has(key)) compiled.listenerByAddress.set(key, l);
    }
  }
  for (const rc of xds.routes) if (!compiled.routeConfigByName.has(rc.name)) compiled.routeConfigByName.set(rc.name, rc);
  for (const c of xds.clusters) if (!compiled.clusterByName.has(c.name)) compiled.clusterByName.set(c.name, c);
  for (const cla of xds.endpoints) {
    if (!compiled.loadAssignmentByName.has(cla.cluster_name)) compiled.loadAssignmentByName.set(cla.cluster_name, cla);
  }
  xdsCache.set(xds, compiled);
  return compiled;
}

function listenerAddressKeys(l: Listener): string[] {
  const addresses = [l.address, ...((l.additional_addresses as { address?: Listener['address'] }[] | undefined) ?? []).map((a) => a.address)];
  const keys: string[] = [];
  for (const a of addresses) {
    const sa = a?.socket_address;
    if (sa) keys.push(addressKey(sa.address, sa.port_value ?? 0));
  }
  return keys;
}

export const addressKey = (address: string, port: number): string => `${address}:${port}`;


// ---- listeners and filter chains ----

export interface CompiledListener {
  listener: Listener;
  tlsInspector?: ListenerFilter;
  httpInspector?: ListenerFilter;
  chains: CompiledChain[];
  defaultChain?: CompiledChain;
}

export type SourceType = 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL';

export interface CompiledChain {
  chain: FilterChain;
  /** The chain's name ("" when unnamed, as the simulation reports it). */
  name: string;
  /** How steps refer to it: its name, else its position. */
  label: string;
  destinationPort?: number;
  prefixRanges: Cidr[];
  serverNames: string[];
  transportProtocol: string;
  applicationProtocols: string[];
  directSourcePrefixRanges: Cidr[];
  sourceType: SourceType;
  sourcePrefixRanges: Cidr[];
  sourcePorts: number[];
  downstreamTls?: DownstreamTls;
  hcm?: HttpConnectionManager;
  tcpProxy?: TcpProxy;
}

export interface DownstreamTls {
  /** Istio's mesh mTLS: the SDS certificate "default" and a required client certificate (as the simulation tells). */
  requiresMtls: boolean;
  requireClientCertificate: boolean;
  certificate: string | null;
}

export interface HttpConnectionManager {
  rds?: string;
  inline?: RouteConfiguration;
}

export interface WeightedClusterRef {
  name: string;
  weight: number;
}

export interface TcpProxy {
  cluster?: string;
  weightedClusters?: WeightedClusterRef[];
}

const listenerCache = new WeakMap<Listener, CompiledListener>();

export const compileListener = (l: Listener): CompiledListener => memo(listenerCache, l, buildListener);

const isFilter = (f: { name: string; typed_config?: TypedConfig }, name: string, type: string): boolean =>
  f.name === name || f.typed_config?.['@type'] === type;

function buildListener(l: Listener): CompiledListener {
  const filters = l.listener_filters ?? [];
  return {
    listener: l,
    tlsInspector: filters.find((f) =>
      isFilter(f, 'envoy.filters.listener.tls_inspector', 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector'),
    ),
    httpInspector: filters.find((f) =>
      isFilter(f, 'envoy.filters.listener.http_inspector', 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector'),
    ),
    chains: (l.filter_chains ?? []).map((c, i) => compileChain(c, c.name || `#${i}`)),
    defaultChain: l.default_filter_chain ? compileChain(l.default_filter_chain, l.default_filter_chain.name || 'default_filter_chain') : undefined,
  };
}

function cidrs(ranges: { address_prefix: string; prefix_len?: number }[] | undefined): Cidr[] {
  const out: Cidr[] = [];
  for (const r of ranges ?? []) {
    const c = parseCidr(r.address_prefix, r.prefix_len ?? 0);
    if (c) out.push(c);
  }
  return out;
}

function compileChain(chain: FilterChain, label: string): CompiledChain {
  const m = chain.filter_chain_match ?? {};
  const extra = m as { direct_source_prefix_ranges?: { address_prefix: string; prefix_len?: number }[] };
  return {
    chain,
    name: chain.name ?? '',
    label,
    destinationPort: m.destination_port || undefined,
    prefixRanges: cidrs(m.prefix_ranges),
    serverNames: (m.server_names ?? []).map((s) => s.toLowerCase()),
    transportProtocol: m.transport_protocol ?? '',
    applicationProtocols: m.application_protocols ?? [],
    directSourcePrefixRanges: cidrs(extra.direct_source_prefix_ranges),
    sourceType: m.source_type ?? 'ANY',
    sourcePrefixRanges: cidrs(m.source_prefix_ranges),
    sourcePorts: m.source_ports ?? [],
    downstreamTls: downstreamTls(chain),
    hcm: httpConnectionManager(chain),
    tcpProxy: tcpProxy(chain),
  };
}

/** The TLS context inside a transport socket, looking through wrapping sockets (e.g. tcp_stats). */
export function tlsContext(socket: { typed_config?: TypedConfig } | undefined, type: string): Record<string, unknown> | undefined {
  const typed = socket?.typed_config;
  if (!typed) return undefined;
  if (typed['@type'] === type) return typed;
  const inner = typed.transport_socket as { typed_config?: TypedConfig } | undefined;
  return inner ? tlsContext(inner, type) : undefined;
}

const boolValue = (v: unknown): boolean => v === true || (typeof v === 'object' && v !== null && (v as { value?: unknown }).value === true);

function downstreamTls(chain: FilterChain): DownstreamTls | undefined {
  const ctx = tlsContext(chain.transport_socket, TYPE_URL.downstreamTls);
  if (!ctx) return undefined;
  const common = (ctx.common_tls_context ?? {}) as { tls_certificate_sds_secret_configs?: { name?: string }[]; tls_certificates?: unknown[] };
  const certificate = common.tls_certificate_sds_secret_configs?.[0]?.name ?? (common.tls_certificates?.length ? 'inline certificate' : null);
  const requireClientCertificate = boolValue(ctx.require_client_certificate);
  return { requiresMtls: requireClientCertificate && certificate === 'default', requireClientCertificate, certificate };
}

function httpConnectionManager(chain: FilterChain): HttpConnectionManager | undefined {
  const f = chain.filters?.find((x) => isFilter(x, 'envoy.filters.network.http_connection_manager', TYPE_URL.hcm));
  if (!f) return undefined;
  const typed = (f.typed_config ?? {}) as { rds?: { route_config_name?: string }; route_config?: RouteConfiguration };
  if (typed.route_config) return { inline: typed.route_config };
  return { rds: typed.rds?.route_config_name ?? '' };
}

function tcpProxy(chain: FilterChain): TcpProxy | undefined {
  const f = chain.filters?.find((x) => isFilter(x, 'envoy.filters.network.tcp_proxy', TYPE_URL.tcpProxy));
  if (!f) return undefined;
  const typed = (f.typed_config ?? {}) as { cluster?: string; weighted_clusters?: { clusters?: { name: string; weight?: number }[] } };
  if (typed.weighted_clusters?.clusters?.length) {
    return { weightedClusters: typed.weighted_clusters.clusters.map((c) => ({ name: c.name, weight: c.weight ?? 0 })) };
  }
  return { cluster: typed.cluster ?? '' };
}
