// ProxyXds → Envoy admin /config_dump (envoy.admin.v3.ConfigDump), sections in Envoy's order
// (bootstrap, clusters, endpoints, listeners, routes), each resource wrapped with its @type. No timestamps:
// the dump must be identical for identical input.

import type { ConfigDump } from '../contract.js';
import type { Proxy } from '../mesh/types.js';
import { TYPE_URL, type Cluster, type ProxyXds } from './envoy.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

/** Frozen resources are shared by many proxies (the cluster and endpoint caches): so is their wrapping. */
const wrapped = new WeakMap<object, object>();

function typed(type: string, resource: object): object {
  if (!Object.isFrozen(resource)) return { '@type': type, ...resource };
  let out = wrapped.get(resource);
  if (!out) wrapped.set(resource, (out = Object.freeze({ '@type': type, ...resource })));
  return out;
}

/**
 * The dump entries of a frozen list of resources (a scope's shared clusters or load assignments), made once
 * per list: proxies of one scope then share the entries instead of each wrapping thousands of resources.
 */
const entriesOf = new WeakMap<readonly object[], readonly object[]>();

function entries<T extends object>(resources: readonly T[], entry: (resource: T) => object): readonly object[] {
  if (!Object.isFrozen(resources)) return resources.map(entry);
  let out = entriesOf.get(resources);
  if (!out) entriesOf.set(resources, (out = Object.freeze(resources.map((r) => Object.freeze(entry(r))))));
  return out;
}

/** A proxy's clusters: the entries of its shared leading run (see GeneratedXds.sharedClusters), then its own. */
function clusterEntries(xds: ProxyXds & { sharedClusters?: readonly Cluster[] }): object[] {
  const entry = (cluster: Cluster) => ({ cluster: typed(TYPE_URL.cluster, cluster) });
  const shared = xds.sharedClusters;
  if (!shared || shared.length === 0 || xds.clusters[0] !== shared[0] || xds.clusters[shared.length - 1] !== shared[shared.length - 1]) {
    return xds.clusters.map(entry);
  }
  return [...entries(shared, entry), ...xds.clusters.slice(shared.length).map(entry)];
}

/**
 * The bootstrap's node as pilot-agent fills it in (the id istiod parses, the metadata it reads), so a
 * generated dump names its proxy as a live one does. The rest of the bootstrap is pilot-agent's, not
 * istiod's: left out.
 */
function bootstrapNode(proxy: Proxy) {
  return {
    '@type': `${ADMIN}BootstrapConfigDump`,
    bootstrap: {
      node: {
        id: proxy.id,
        metadata: {
          ...proxy.metadata,
          NAME: proxy.pod?.split('/')[1] ?? proxy.name,
          NAMESPACE: proxy.namespace,
          LABELS: proxy.labels,
          INSTANCE_IPS: proxy.ips.join(','),
        },
      },
    },
  };
}

/** The dump of one proxy's xDS; with the proxy, its bootstrap node first, as Envoy orders the sections. */
export function toConfigDump(xds: ProxyXds & { sharedClusters?: readonly Cluster[] }, proxy?: Proxy): ConfigDump {
  return {
    configs: [
      ...(proxy ? [bootstrapNode(proxy)] : []),
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        dynamic_active_clusters: clusterEntries(xds),
      },
      // Envoy dumps ECDS filters after the clusters; a proxy without them has no such section.
      ...(xds.extensionConfigs?.length
        ? [{ '@type': `${ADMIN}EcdsConfigDump`, ecds_filters: xds.extensionConfigs.map((f) => ({ ecds_filter: { '@type': 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig', ...f } })) }]
        : []),
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamic_endpoint_configs: [...entries(xds.endpoints, (cla) => ({ endpoint_config: typed(TYPE_URL.clusterLoadAssignment, cla) }))],
      },
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        dynamic_listeners: xds.listeners.map((listener) => ({
          name: listener.name,
          active_state: { listener: typed(TYPE_URL.listener, listener) },
        })),
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamic_route_configs: xds.routes.map((rc) => ({ route_config: typed(TYPE_URL.routeConfiguration, rc) })),
      },
    ],
  };
}
