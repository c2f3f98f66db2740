// Network filters istiod puts on listener filter chains (pilot/pkg/networking/core/networkfilter.go,
// pilot/pkg/xds/filters/filters.go).

import type { Filter, TypedConfig } from '../envoy.js';
import { TYPE_URL } from '../envoy.js';
import type { MeshConfig, Protocol } from '../../mesh/types.js';

const TYPED_STRUCT = 'type.googleapis.com/udpa.type.v1.TypedStruct';

/** Network-level istio.metadata_exchange (xdsfilters.TCPListenerMx). */
export const metadataExchangeNetworkFilter = (): Filter => ({
  name: 'istio.metadata_exchange',
  typed_config: {
    '@type': TYPED_STRUCT,
    type_url: 'type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange',
    value: { protocol: 'istio-peer-exchange', enable_discovery: true },
  },
});

/** Whether Istio's Prometheus telemetry is on, which adds istio.stats filters (model/telemetry.go). */
export function metricsEnabled(mesh: MeshConfig): boolean {
  const providers = (mesh.defaultProviders as { metrics?: unknown } | undefined)?.metrics;
  return Array.isArray(providers) && providers.includes('prometheus');
}

export const statsNetworkFilter = (): Filter => ({
  name: 'istio.stats',
  typed_config: { '@type': 'type.googleapis.com/stats.PluginConfig' },
});

export const statsNetworkFilters = (mesh: MeshConfig): Filter[] => (metricsEnabled(mesh) ? [statsNetworkFilter()] : []);

export interface TcpProxyOptions {
  statPrefix: string;
  /** One cluster, or several with weights. */
  cluster?: string;
  weightedClusters?: { name: string; weight: number }[];
  idleTimeout?: string;
  maxDownstreamConnectionDuration?: string;
  hashBySourceIp?: boolean;
}

export function tcpProxyFilter(o: TcpProxyOptions): Filter {
  const typed: TypedConfig = { '@type': TYPE_URL.tcpProxy, stat_prefix: o.statPrefix };
  if (o.weightedClusters) typed.weighted_clusters = { clusters: o.weightedClusters };
  else typed.cluster = o.cluster;
  if (o.idleTimeout) typed.idle_timeout = o.idleTimeout;
  if (o.maxDownstreamConnectionDuration) typed.max_downstream_connection_duration = o.maxDownstreamConnectionDuration;
  if (o.hashBySourceIp) typed.hash_policy = [{ source_ip: {} }];
  return { name: 'envoy.filters.network.tcp_proxy', typed_config: typed };
}

/** Protocol-specific filters before tcp_proxy (buildNetworkFiltersStack); Mongo/Redis/MySQL filters are off by default. */
export function networkFilterStack(_protocol: Protocol, tcpProxy: Filter): Filter[] {
  return [tcpProxy];
}

/** [stats?, tcp_proxy] to a fixed cluster: the catch-all and blackhole chains. */
export const tcpToCluster = (mesh: MeshConfig, cluster: string, withMetadataExchange = false): Filter[] => [
  ...(withMetadataExchange ? [metadataExchangeNetworkFilter()] : []),
  ...statsNetworkFilters(mesh),
  tcpProxyFilter({ statPrefix: cluster, cluster }),
];
