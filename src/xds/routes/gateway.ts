// Route configurations of a router: one per RDS name of its merged gateway
// (pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig, collapseDuplicateRoutes).

import type { Route, RouteConfiguration, VirtualHost } from '../envoy.js';
import { configSources, type IstioConfig, type MeshIndex, type Proxy } from '../../mesh/types.js';
import { dedupeSources, type SourceRef } from '../../manifests/types.js';
import { hostSubsetOf, isWildcard } from '../../mesh/hosts.js';
import { mergeGateways, type MergedGateway } from '../listeners/gateway-merge.js';
import { buildVirtualServiceRoutes, sortVhostRoutes } from './virtualservice.js';
import { featureFlag } from '../../mesh/features.js';

/** DefaultMaxDirectResponseBodySizeBytes: 1 MiB, as validation allows. */
const MAX_DIRECT_RESPONSE_BODY = 1024 * 1024;

export interface GatewayRouteConfigs {
  routes: RouteConfiguration[];
  provenance: { routes: Record<string, SourceRef[]>; virtualHosts: Record<string, SourceRef[]> };
}

export function buildGatewayRouteConfigs(index: MeshIndex, proxy: Proxy): GatewayRouteConfigs {
  const out: GatewayRouteConfigs = { routes: [], provenance: { routes: {}, virtualHosts: {} } };
  const merged = mergeGateways(index, proxy);
  if (!merged) return out;
  for (const routeName of merged.serversByRouteName.keys()) {
    const built = buildRouteConfig(index, proxy, merged, routeName);
    out.routes.push(built.config);
    out.provenance.routes[routeName] = dedupeSources(built.sources);
    for (const [vhost, sources] of built.vhostSources) out.provenance.virtualHosts[`${routeName}/${vhost}`] = dedupeSources(sources);
  }
  return out;
}

/** A vhost being built, keyed by lower-cased hostname. */
interface PendingVhost {
  vhost: VirtualHost & { routes: Route[] };
  sources: SourceRef[];
}

function buildRouteConfig(index: MeshIndex, proxy: Proxy, merged: MergedGateway, routeName: string) {
  const servers = merged.serversByRouteName.get(routeName) ?? [];
  const vhosts = new Map<string, PendingVhost>();
  const sources: SourceRef[] = [];
  const vsCache = new Map<string, IstioConfig[]>();
  // Routes are built once per (gateway, VirtualService), with the port of the first server that
  // needs them, and shared by identity so identical route lists collapse into one vhost.
  const routeCache = new Map<string, Route[]>();

  for (const ms of servers) {
    sources.push(ms.gateway.source);
    const port = ms.server.port.number;
    const redirect = ms.server.tls?.httpsRedirect === true;
    let virtualServices = vsCache.get(ms.gatewayName);
    if (!virtualServices) {
      virtualServices = index.virtualServicesForGateway(proxy.namespace, ms.gatewayName);
      vsCache.set(ms.gatewayName, virtualServices);
    }
    for (const vs of virtualServices) {
      const intersecting = intersectHosts(hostsForNamespace(ms.server.hosts, vs.namespace), (vs.spec.hosts ?? []) as string[]);
      if (intersecting.length === 0) continue;
      const key = `${ms.gatewayName}|${vs.namespace}/${vs.name}`;
      let routes = routeCache.get(key);
      if (!routes) {
        routes = buildVirtualServiceRoutes(index, proxy, vs, {
          listenerPort: port,
          gatewayNames: [ms.gatewayName],
          isTls: ms.server.tls !== undefined,
        });
        // A VS none of whose rules apply here is skipped (Istio: "no routes matched").
        if (routes.length === 0) continue;
        routeCache.set(key, routes);
      }
      sources.push(...configSources(vs));
      for (const h of intersecting) {
        const hostname = h.toLowerCase();
        const existing = vhosts.get(hostname);
        if (existing) {
          existing.vhost.routes.push(...routes);
          existing.sources.push(...configSources(vs));
          if (redirect) existing.vhost.require_tls = 'ALL';
        } else {
          vhosts.set(hostname, {
            vhost: newVhost(hostname, port, [...routes], redirect),
            sources: [ms.gateway.source, ...configSources(vs)],
          });
        }
      }
    }
    // httpsRedirect hosts get a (routeless) vhost that only redirects, even without a VirtualService.
    if (redirect) {
      for (const h of ms.server.hosts) {
        const hostname = h.toLowerCase();
        const existing = vhosts.get(hostname);
        if (existing) existing.vhost.require_tls = 'ALL';
        else vhosts.set(hostname, { vhost: newVhost(hostname, port, [], true), sources: [ms.gateway.source] });
      }
    }
  }

  let virtualHosts: VirtualHost[];
  const vhostSources = new Map<string, SourceRef[]>();
  if (vhosts.size === 0) {
    const name = `blackhole:${servers[0]?.server.port.number ?? 0}`;
    // No routes: Envoy answers 404 (NR).
    virtualHosts = [{ name, domains: ['*'] }];
    vhostSources.set(name, servers.map((s) => s.gateway.source));
  } else {
    const collapse = featureFlag(index.options.features, 'PILOT_ENABLE_ROUTE_COLLAPSE_OPTIMIZATION');
    virtualHosts = (collapse ? collapseDuplicateRoutes(vhosts) : [...vhosts.values()]).map(({ vhost, sources: vs }) => {
      vhostSources.set(vhost.name, vs);
      return finishVhost(vhost);
    });
    virtualHosts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const config: RouteConfiguration = {
    name: routeName,
    virtual_hosts: virtualHosts,
    validate_clusters: false,
    max_direct_response_body_size_bytes: MAX_DIRECT_RESPONSE_BODY,
    ignore_port_in_host_matching: true,
  };
  return { config, sources, vhostSources };
}

const newVhost = (hostname: string, port: number, routes: Route[], requireTls: boolean): VirtualHost & { routes: Route[] } => ({
  name: `${hostname}:${port}`,
  domains: [hostname],
  routes,
  ...(requireTls ? { require_tls: 'ALL' as const } : {}),
  include_request_attempt_count: true,
});

/** Catch-alls last, empty route lists omitted, fields in Envoy's order. */
function finishVhost(v: VirtualHost & { routes: Route[] }): VirtualHost {
  const routes = sortVhostRoutes(v.routes);
  return {
    name: v.name,
    domains: v.domains,
    ...(routes.length > 0 ? { routes } : {}),
    ...(v.require_tls ? { require_tls: v.require_tls } : {}),
    include_request_attempt_count: v.include_request_attempt_count,
  };
}

/**
 * collapseDuplicateRoutes (PILOT_ENABLE_ROUTE_COLLAPSE_OPTIMIZATION): vhosts whose route lists are the
 * same route objects merge their domains into the first by host order.
 */
function collapseDuplicateRoutes(vhosts: Map<string, PendingVhost>): PendingVhost[] {
  const hostnames = [...vhosts.keys()].sort(compareMoreSpecific);
  const kept: PendingVhost[] = [];
  const known = new Map<string, PendingVhost>();
  const ids = new Map<Route, number>();
  const identity = (routes: Route[]) => routes.map((r) => ids.get(r) ?? ids.set(r, ids.size).get(r)).join(',');
  for (const h of hostnames) {
    const pending = vhosts.get(h)!;
    const key = identity(pending.vhost.routes);
    const first = known.get(key);
    if (first && mergeable(first.vhost, pending.vhost)) {
      first.vhost.domains.push(...pending.vhost.domains);
      first.sources.push(...pending.sources);
    } else {
      known.set(key, pending);
      kept.push(pending);
    }
  }
  return kept;
}

const mergeable = (a: VirtualHost, b: VirtualHost) =>
  a.include_request_attempt_count === b.include_request_attempt_count && a.require_tls === b.require_tls;

/** host.Names sort (MoreSpecific): exact before wildcard, longer first, then alphabetical. */
function compareMoreSpecific(a: string, b: string): number {
  const aw = isWildcard(a);
  const bw = isWildcard(b);
  if (aw !== bw) return aw ? 1 : -1;
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** host.NamesForNamespace: server hosts usable by a VS of `namespace`, without their namespace part. */
function hostsForNamespace(hosts: string[], namespace: string): string[] {
  const out: string[] = [];
  for (const h of hosts) {
    const slash = h.indexOf('/');
    if (slash < 0) out.push(h);
    else if (h.slice(0, slash) === namespace || h.slice(0, slash) === '*') out.push(h.slice(slash + 1));
  }
  return out;
}

/** host.Names.Intersection: for each overlapping pair, the more specific name, deduplicated. */
function intersectHosts(serverHosts: string[], vsHosts: string[]): string[] {
  const out: string[] = [];
  for (const s of serverHosts) {
    for (const v of vsHosts) {
      const pick = hostSubsetOf(s, v) ? s : hostSubsetOf(v, s) ? v : undefined;
      if (pick !== undefined && !out.includes(pick)) out.push(pick);
    }
  }
  return out;
}
