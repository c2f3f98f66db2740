// RDS for one proxy. Sidecars: every route configuration their listeners name over RDS
// (inbound routes are inline in the listeners). Routers: their Gateway route configurations.

import type { SourceRef } from '../../manifests/types.js';
import type { MeshIndex, Proxy } from '../../mesh/types.js';
import type { RouteConfiguration } from '../envoy.js';
import { sidecarRdsNames } from '../listeners/index.js';
import { buildGatewayRouteConfigs } from './gateway.js';
import { buildSidecarRouteConfigs } from './sidecar.js';

export interface RouteConfigsResult {
  routes: RouteConfiguration[];
  provenance: { routes: Record<string, SourceRef[]>; virtualHosts: Record<string, SourceRef[]> };
}

/** `names`: the RDS names a sidecar's final listeners ask for, when EnvoyFilters changed them. */
export function buildRouteConfigs(index: MeshIndex, proxy: Proxy, names?: string[]): RouteConfigsResult {
  if (proxy.type === 'router') return buildGatewayRouteConfigs(index, proxy);
  return buildSidecarRouteConfigs(index, proxy, index.sidecarScope(proxy), names ?? sidecarRdsNames(index, proxy));
}
