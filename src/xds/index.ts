// One proxy's xDS: each kind built by its own stage from the mesh index.

import type { MeshIndex, Proxy } from '../mesh/types.js';
import { buildClusters } from './clusters/index.js';
import { buildEndpoints } from './endpoints/index.js';
import { buildListeners } from './listeners/index.js';
import { buildRouteConfigs } from './routes/index.js';
import type { GeneratedXds } from './types.js';

export function generateXds(index: MeshIndex, proxy: Proxy): GeneratedXds {
  const listeners = buildListeners(index, proxy);
  const routes = buildRouteConfigs(index, proxy);
  const clusters = buildClusters(index, proxy);
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
