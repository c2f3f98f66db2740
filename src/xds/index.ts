// One proxy's xDS: each kind built by its own stage from the mesh index.

import type { MeshIndex, Proxy } from '../mesh/types.js';
import { buildClusters } from './clusters/index.js';
import { buildEndpoints } from './endpoints/index.js';
import { buildListeners } from './listeners/index.js';
import { buildRouteConfigs } from './routes/index.js';
import type { GeneratedXds } from './types.js';
import { LimitError, LIMITS, overLimit, type Limits } from '../limits.js';

export function generateXds(index: MeshIndex, proxy: Proxy, limits: Limits = LIMITS): GeneratedXds {
  const listeners = buildListeners(index, proxy);
  const routes = buildRouteConfigs(index, proxy);
  const routeCount = routes.routes.reduce((n, rc) => n + (rc.virtual_hosts ?? []).reduce((m, vh) => m + (vh.routes?.length ?? 0), 0), 0);
  if (routeCount > limits.maxRoutesPerProxy) {
    throw new LimitError(`proxy ${proxy.namespace}/${proxy.name}: ${overLimit('the number of routes', routeCount, 'maxRoutesPerProxy', limits)}`, 'proxy');
  }
  const clusters = buildClusters(index, proxy);
  if (clusters.clusters.length > limits.maxClustersPerProxy) {
    const message = overLimit('the number of clusters', clusters.clusters.length, 'maxClustersPerProxy', limits);
    throw new LimitError(`proxy ${proxy.namespace}/${proxy.name}: ${message}`, 'proxy');
  }
  // Only the shared outbound clusters are EDS: proxies of one scope share their assignments too.
  const endpoints = buildEndpoints(index, proxy, clusters.shared);
  return {
    listeners: listeners.listeners,
    routes: routes.routes,
    clusters: clusters.clusters,
    endpoints: endpoints.endpoints,
    sharedClusters: clusters.shared,
    provenance: {
      listeners: listeners.provenance,
      routes: routes.provenance.routes,
      virtualHosts: routes.provenance.virtualHosts,
      // Read on demand: a sidecar's cluster record is built only when asked for (see buildClusters).
      get clusters() {
        return clusters.provenance;
      },
      endpoints: endpoints.provenance,
    },
  };
}
