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
  const endpoints = buildEndpoints(index, proxy, clusters.clusters);
  return {
    listeners: listeners.listeners,
    routes: routes.routes,
    clusters: clusters.clusters,
    endpoints: endpoints.endpoints,
    provenance: {
      listeners: listeners.provenance,
      routes: routes.provenance.routes,
      virtualHosts: routes.provenance.virtualHosts,
      clusters: clusters.provenance,
      endpoints: endpoints.provenance,
    },
  };
}
