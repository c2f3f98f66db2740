// One proxy's xDS: each kind built by its own stage from the mesh index (listeners with their Telemetry),
// then patched by the EnvoyFilters that apply to the proxy (the one place each kind is finished).

import type { SourceRef } from '../manifests/types.js';
import type { MeshIndex, Proxy } from '../mesh/types.js';
import { buildClusters } from './clusters/index.js';
import { buildEndpoints } from './endpoints/index.js';
import { buildListeners, rdsNames } from './listeners/index.js';
import { buildRouteConfigs } from './routes/index.js';
import type { GeneratedXds } from './types.js';
import { LimitError, LIMITS, overLimit, type Limits } from '../limits.js';
import { applyTelemetry } from './telemetry/index.js';
import { envoyFilterRun, patchedClusters, patchedExtensionConfigs, patchedListeners, patchedRoutes, withPatchProvenance } from './envoyfilter/index.js';

export function generateXds(index: MeshIndex, proxy: Proxy, limits: Limits = LIMITS): GeneratedXds {
  const run = envoyFilterRun(index, proxy);
  const built = buildListeners(index, proxy);
  // Telemetry is part of building the listeners in istiod; EnvoyFilters patch what that gives.
  const telemetry = applyTelemetry(index, proxy, built.listeners);
  const generated = telemetry?.listeners ?? built.listeners;
  const listenerProvenance = telemetry ? withPatchProvenance(built.provenance, telemetry.touched) : built.provenance;
  const listeners = run ? patchedListeners(run, index, proxy, generated) : generated;
  // Envoy asks for the route configurations its (patched) listeners name.
  const routeStage = buildRouteConfigs(index, proxy, run && listeners !== generated ? rdsNames(listeners) : undefined);
  const routes = run ? patchedRoutes(run, index, proxy, routeStage.routes) : routeStage.routes;
  const routeCount = routes.reduce((n, rc) => n + (rc.virtual_hosts ?? []).reduce((m, vh) => m + (vh.routes?.length ?? 0), 0), 0);
  if (routeCount > limits.maxRoutesPerProxy) {
    throw new LimitError(`proxy ${proxy.namespace}/${proxy.name}: ${overLimit('the number of routes', routeCount, 'maxRoutesPerProxy', limits)}`, 'proxy');
  }
  const clusterStage = buildClusters(index, proxy);
  const patched = run ? patchedClusters(run, index, proxy, clusterStage.clusters) : undefined;
  const clusters = patched ?? clusterStage.clusters;
  if (clusters.length > limits.maxClustersPerProxy) {
    const message = overLimit('the number of clusters', clusters.length, 'maxClustersPerProxy', limits);
    throw new LimitError(`proxy ${proxy.namespace}/${proxy.name}: ${message}`, 'proxy');
  }
  // Only the shared outbound clusters are EDS: proxies of one scope share their assignments too.
  const endpointStage = buildEndpoints(index, proxy, clusterStage.shared);
  // Envoy asks only for the assignments of the EDS clusters it has (patches may remove some).
  const edsNames = patched && new Set(patched.filter((c) => c.type === 'EDS').map((c) => c.name));
  const endpoints = edsNames ? endpointStage.endpoints.filter((e) => edsNames.has(e.cluster_name)) : endpointStage.endpoints;
  const extensionConfigs = run ? patchedExtensionConfigs(run, listeners) : [];
  let clusterProvenance: Record<string, SourceRef[]> | undefined;
  let vhostProvenance: Record<string, SourceRef[]> | undefined;
  return {
    listeners,
    routes,
    clusters,
    endpoints,
    ...(extensionConfigs.length > 0 ? { extensionConfigs } : {}),
    // Patched clusters are the proxy's own copies: nothing is shared with other proxies any more.
    ...(patched ? {} : { sharedClusters: clusterStage.shared }),
    ...(run && run.problems.length > 0 ? { envoyFilterProblems: run.problems } : {}),
    ...(telemetry && telemetry.problems.length > 0 ? { telemetryProblems: telemetry.problems } : {}),
    provenance: {
      listeners: run ? withPatchProvenance(listenerProvenance, run.touched.listeners, new Set(listeners.map((l) => l.name))) : listenerProvenance,
      routes: run ? withPatchProvenance(routeStage.provenance.routes, run.touched.routes, new Set(routes.map((r) => r.name))) : routeStage.provenance.routes,
      // Read on demand, as the clusters' (a sidecar's thousands of virtual hosts).
      get virtualHosts() {
        if (!run) return routeStage.provenance.virtualHosts;
        return (vhostProvenance ??= withPatchProvenance(
          routeStage.provenance.virtualHosts,
          run.touched.virtualHosts,
          new Set(routes.flatMap((r) => (r.virtual_hosts ?? []).map((vh) => `${r.name}/${vh.name}`))),
        ));
      },
      // Read on demand: a sidecar's cluster record is built only when asked for (see buildClusters).
      get clusters() {
        if (!patched) return clusterStage.provenance;
        return (clusterProvenance ??= withPatchProvenance(clusterStage.provenance, run!.touched.clusters, new Set(clusters.map((c) => c.name))));
      },
      endpoints: endpointStage.provenance,
    },
  };
}
