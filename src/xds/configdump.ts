// ProxyXds → Envoy admin /config_dump (envoy.admin.v3.ConfigDump), sections in Envoy's order
// (bootstrap, clusters, endpoints, listeners, routes), each resource wrapped with its @type. No timestamps:
// the dump must be identical for identical input.

import type { ConfigDump } from '../contract.js';
import type { Proxy } from '../mesh/types.js';
import { TYPE_URL, type ProxyXds } from './envoy.js';

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
export function toConfigDump(xds: ProxyXds, proxy?: Proxy): ConfigDump {
  return {
    configs: [
      ...(proxy ? [bootstrapNode(proxy)] : []),
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        dynamic_active_clusters: xds.clusters.map((cluster) => ({ cluster: typed(TYPE_URL.cluster, cluster) })),
      },
      // Envoy dumps ECDS filters after the clusters; a proxy without them has no such section.
      ...(xds.extensionConfigs?.length
        ? [{ '@type': `${ADMIN}EcdsConfigDump`, ecds_filters: xds.extensionConfigs.map((f) => ({ ecds_filter: { '@type': 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig', ...f } })) }]
        : []),
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamic_endpoint_configs: xds.endpoints.map((cla) => ({ endpoint_config: typed(TYPE_URL.clusterLoadAssignment, cla) })),
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
