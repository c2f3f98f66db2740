// RDS for one proxy. Sidecars: every route configuration their listeners name over RDS
// (inbound routes are inline in the listeners). Routers: their Gateway route configurations.

import type { SourceRef } from '../../manifests/types.js';
import type { MeshIndex, Proxy } from '../../mesh/types.js';
import type { RouteConfiguration } from '../envoy.js';
import { sidecarRdsNames } from '../listeners/index.js';
import { buildGatewayRouteConfigs } from './gateway.js';
import { buildSidecarRouteConfig } from './sidecar.js';

export interface RouteConfigsResult {
  routes: RouteConfiguration[];
  provenance: { routes: Record<string, SourceRef[]>; virtualHosts: Record<string, SourceRef[]> };
}

export function buildSidecarRouteConfigs(index: MeshIndex, proxy: Proxy): RouteConfigsResult {
  const scope = index.sidecarScope(proxy);
  const names = sidecarRdsNames(index, proxy);
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
