// RDS for one proxy. Sidecars: every route configuration their listeners name over RDS
// (inbound routes are inline in the listeners). Routers: their Gateway route configurations.

import type { SourceRef } from '../../manifests/types.js';
import type { MeshIndex, Proxy } from '../../mesh/types.js';
import type { Listener, RouteConfiguration } from '../envoy.js';
import { buildSidecarListeners } from '../listeners/index.js';
import { buildGatewayRouteConfigs } from './gateway.js';
import { buildSidecarRouteConfig } from './sidecar.js';

export interface RouteConfigsResult {
  routes: RouteConfiguration[];
  provenance: { routes: Record<string, SourceRef[]>; virtualHosts: Record<string, SourceRef[]> };
}

/** The RDS names the listeners' connection managers ask for, sorted. */
export function rdsNames(listeners: Listener[]): string[] {
  const names = new Set<string>();
  for (const l of listeners) {
    for (const chain of [...l.filter_chains, ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
      for (const f of chain.filters) {
        const rds = (f.typed_config as { rds?: { route_config_name?: string } } | undefined)?.rds;
        if (rds?.route_config_name !== undefined) names.add(rds.route_config_name);
      }
    }
  }
  return [...names].sort();
}

export function buildSidecarRouteConfigs(index: MeshIndex, proxy: Proxy): RouteConfigsResult {
  const scope = index.sidecarScope(proxy);
  const names = rdsNames(buildSidecarListeners(index, proxy).listeners);
  const result: RouteConfigsResult = { routes: [], provenance: { routes: {}, virtualHosts: {} } };
  for (const name of names) {
    const built = buildSidecarRouteConfig(index, proxy, scope, name);
    result.routes.push(built.route);
    result.provenance.routes[name] = built.sources;
    for (const vhost in built.vhostSources) result.provenance.virtualHosts[`${name}/${vhost}`] = built.vhostSources[vhost];
  }
  return result;
}

export function buildRouteConfigs(index: MeshIndex, proxy: Proxy): RouteConfigsResult {
  if (proxy.type === 'router') return buildGatewayRouteConfigs(index, proxy);
  return buildSidecarRouteConfigs(index, proxy);
}
