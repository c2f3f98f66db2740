// A live dump seen as generated config: the resources Envoy is serving (active listeners, routes,
// clusters and endpoints, dynamic and static), in the shape of GeneratedXds, so the tracer and the
// other readers of generated config run over it unchanged; and the proxy it belongs to, from its node.

import type { Proxy } from '../mesh/types.js';
import type { GeneratedXds } from '../xds/types.js';
import type { Json, LiveDump } from './types.js';

/**
 * statics false: only what istiod sent over xDS (the dynamic resources), without the bootstrap's static
 * listeners and clusters (agent, prometheus_stats, sds-grpc, xds-grpc): what a design is compared with.
 */
export function dumpXds(dump: LiveDump, statics = true): GeneratedXds {
  const st = <T>(list: T[] | undefined): T[] => (statics ? (list ?? []) : []);
  return {
    listeners: [...(dump.listeners?.dynamic.flatMap((l) => (l.active ? [l.active] : [])) ?? []), ...st(dump.listeners?.static)],
    routes: [...(dump.routes?.dynamic ?? []), ...st(dump.routes?.static)],
    clusters: [...(dump.clusters?.dynamicActive ?? []), ...st(dump.clusters?.static)],
    endpoints: [...(dump.endpoints?.dynamic ?? []), ...st(dump.endpoints?.static)],
    // Nothing in a dump says which manifests shaped it.
    provenance: { listeners: {}, routes: {}, virtualHosts: {}, clusters: {}, endpoints: {} },
  };
}

const strings = (v: unknown): Record<string, string> =>
  typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};

/**
 * The proxy of the dump's bootstrap node: Istio's node id is type~ip~name.namespace~namespace.svc.<domain>
 * (model.ParseServiceNodeWithMetadata); NAMESPACE, LABELS and INSTANCE_IPS of the metadata win when present.
 * Waypoints and gateways are routers; a dump without a bootstrap is taken as a sidecar's.
 */
export function dumpProxy(dump: LiveDump): Proxy {
  const node = (dump.bootstrap?.node ?? {}) as Json;
  const id = typeof node.id === 'string' ? node.id : '';
  const metadata = (typeof node.metadata === 'object' && node.metadata !== null ? node.metadata : {}) as Record<string, unknown>;
  const [type = '', ip = '', podAndNamespace = ''] = id.split('~');
  const dot = podAndNamespace.indexOf('.');
  const name = typeof metadata.NAME === 'string' ? metadata.NAME : dot < 0 ? podAndNamespace : podAndNamespace.slice(0, dot);
  const namespace = typeof metadata.NAMESPACE === 'string' ? metadata.NAMESPACE : dot < 0 ? '' : podAndNamespace.slice(dot + 1);
  const ips = typeof metadata.INSTANCE_IPS === 'string' && metadata.INSTANCE_IPS ? metadata.INSTANCE_IPS.split(',') : ip ? [ip] : [];
  return {
    type: type === 'sidecar' || type === '' ? 'sidecar' : 'router',
    id,
    name,
    namespace,
    labels: strings(metadata.LABELS),
    ips,
    metadata,
  };
}
