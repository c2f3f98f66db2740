// Istio's names for Envoy resources, in one place: they are a contract that dashboards,
// istioctl and the simulation tests rely on (pilot/pkg/model/service.go, networking/util).

export const VIRTUAL_OUTBOUND = 'virtualOutbound';
export const VIRTUAL_INBOUND = 'virtualInbound';
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughCluster';
export const PASSTHROUGH_FILTER_CHAIN = 'PassthroughFilterChain';
export const VIRTUAL_OUTBOUND_BLACKHOLE_CHAIN = 'virtualOutbound-blackhole';
export const VIRTUAL_OUTBOUND_CATCHALL_TCP_CHAIN = 'virtualOutbound-catchall-tcp';
export const VIRTUAL_INBOUND_BLACKHOLE_CHAIN = 'virtualInbound-blackhole';
export const VIRTUAL_INBOUND_CATCHALL_HTTP_CHAIN = 'virtualInbound-catchall-http';
export const ALLOW_ANY_VHOST = 'allow_any';
export const BLOCK_ALL_VHOST = 'block_all';
export const VIRTUAL_OUTBOUND_PORT = 15001;
export const VIRTUAL_INBOUND_PORT = 15006;

export type TrafficDirection = 'outbound' | 'inbound';

/** outbound|9080|v1|reviews.default.svc.cluster.local (model.BuildSubsetKey). */
export const subsetKey = (direction: TrafficDirection, subset: string, host: string, port: number): string =>
  `${direction}|${port}|${subset}|${host}`;

/** inbound|9080|| (model.BuildInboundSubsetKey). */
export const inboundClusterName = (port: number): string => `inbound|${port}||`;

/** outbound_.9080_.v1_.reviews.default.svc.cluster.local (model.BuildDNSSrvSubsetKey). */
export const dnsSrvSubsetKey = (direction: TrafficDirection, subset: string, host: string, port: number): string =>
  `${direction}_.${port}_.${subset}_.${host}`;

/** Parse a subset key back into its parts; undefined when the name is not one. */
export function parseSubsetKey(name: string):
  | { direction: string; port: number; subset: string; host: string }
  | undefined {
  const parts = name.split('|');
  if (parts.length !== 4) return undefined;
  const port = Number(parts[1]);
  if (!Number.isInteger(port)) return undefined;
  return { direction: parts[0], port, subset: parts[2], host: parts[3] };
}

/** <bind>_<port>, e.g. 0.0.0.0_9080 (getListenerName). */
export const listenerName = (bind: string, port: number): string => `${bind}_${port}`;

/** Stats prefix with Istio's ';' delimiter (util.DelimitedStatsPrefix). */
export const statPrefix = (prefix: string): string => `${prefix};`;
