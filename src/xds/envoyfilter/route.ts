// ROUTE_CONFIGURATION, VIRTUAL_HOST and HTTP_ROUTE patches of RDS and of the inline inbound route
// configurations (pilot/pkg/networking/core/envoyfilter/rc_patch.go ApplyRouteConfigurationPatches).

import type { EnvoyFilterPatch, PatchContext } from '../../mesh/envoyfilters.js';
import type { RouteConfiguration } from '../envoy.js';
import { parseSubsetKey } from '../names.js';
import { contextMatch, isMerge, VALUE_TYPE, type PatchRun } from './patch.js';

type JsonObject = Record<string, any>;

/** Gateway listener port → the Service ports that reach it (MergedGateway.PortMap). */
export type GatewayPortMap = Map<number, Set<number>>;

/** The port in a sidecar route configuration's name: "8080", or an inbound cluster name's port. */
function listenerPortFromName(name: string): number {
  if (name.startsWith('inbound')) return parseSubsetKey(name)?.port ?? 0;
  return /^\d+$/.test(name) ? Number(name) : 0;
}

/** ParseGatewayRDSRouteName: http.<port>, or https.<port>.<port name>.<gateway>.<namespace>. */
function parseGatewayRouteName(name: string): { port: number; portName: string; gateway: string } {
  if (name.startsWith('http.')) return { port: Number(name.slice(5)) || 0, portName: '', gateway: '' };
  const parts = name.split('.');
  if (name.startsWith('https.') && parts.length === 5) return { port: Number(parts[1]) || 0, portName: parts[2], gateway: `${parts[4]}/${parts[3]}` };
  return { port: 0, portName: '', gateway: '' };
}

function routeConfigurationMatch(ctx: PatchContext, rc: RouteConfiguration, p: EnvoyFilterPatch, portMap: GatewayPortMap): boolean {
  const m = p.match.routeConfiguration;
  if (!m) return true;
  if (m.name && m.name !== rc.name) return false;
  if (ctx !== 'GATEWAY') return !(m.portNumber && Number(m.portNumber) !== listenerPortFromName(rc.name));
  const { port, portName, gateway } = parseGatewayRouteName(rc.name);
  if (m.portName && m.portName !== portName) return false;
  if (m.gateway && m.gateway !== gateway) return false;
  if (m.portNumber) {
    const servicePorts = portMap.get(port);
    if (servicePorts ? !servicePorts.has(Number(m.portNumber)) : port !== Number(m.portNumber)) return false;
  }
  return true;
}

function virtualHostMatch(vh: JsonObject, p: EnvoyFilterPatch): boolean {
  const m = p.match.routeConfiguration?.vhost;
  if (!m) return true;
  return (!m.name || m.name === vh.name) && (!m.domainName || (vh.domains ?? []).includes(m.domainName));
}

const hasRouteMatch = (p: EnvoyFilterPatch): boolean => p.match.routeConfiguration?.vhost?.route != null;

function routeMatch(route: JsonObject, p: EnvoyFilterPatch): boolean {
  const m = p.match.routeConfiguration?.vhost?.route;
  if (!m) return true;
  if (m.name && m.name !== route.name) return false;
  const action = m.action ?? 'ANY';
  if (action === 'ANY') return true;
  if (route.route) return action === 'ROUTE';
  if (route.redirect) return action === 'REDIRECT';
  if (route.direct_response) return action === 'DIRECT_RESPONSE';
  return true;
}

function patchHttpRoutes(run: PatchRun, ctx: PatchContext, rc: RouteConfiguration, vh: JsonObject, portMap: GatewayPortMap): void {
  const patches = run.of('HTTP_ROUTE').filter((p) => contextMatch(ctx, p) && routeConfigurationMatch(ctx, rc, p, portMap) && virtualHostMatch(vh, p));
  const vhKey = `${rc.name}/${vh.name}`;
  const touch = (p: EnvoyFilterPatch) => {
    run.touch('routes', rc.name, p);
    run.touch('virtualHosts', vhKey, p);
  };
  // Removes and merges route by route, first.
  const routes: (JsonObject | undefined)[] = [...(vh.routes ?? [])];
  routes.forEach((route, i) => {
    for (const p of patches) {
      if (!routeMatch(route!, p)) continue;
      if (p.operation === 'REMOVE') {
        routes[i] = undefined;
        touch(p);
        return;
      }
      // The route configuration is the caller's copy: its routes may change in place.
      if (isMerge(p) && run.merge(p, VALUE_TYPE.HTTP_ROUTE!, route!, rc.name)) touch(p);
    }
  });
  let list = routes.filter((r): r is JsonObject => r !== undefined);
  // Then the inserts.
  for (const p of patches) {
    const insertAt = (i: number) => {
      const v = run.value(p, rc.name);
      if (!v) return;
      list = [...list.slice(0, i), v, ...list.slice(i)];
      touch(p);
    };
    const first = list.findIndex((r) => routeMatch(r, p));
    switch (p.operation) {
      case 'ADD':
        insertAt(list.length);
        break;
      case 'INSERT_AFTER':
        if (!hasRouteMatch(p)) insertAt(list.length);
        else if (first !== -1) insertAt(first + 1);
        break;
      case 'INSERT_BEFORE':
        if (!hasRouteMatch(p)) insertAt(0);
        else if (first !== -1) insertAt(first);
        break;
      case 'INSERT_FIRST':
        // With a route match, only when some route matches; always at the top.
        if (!hasRouteMatch(p) || first !== -1) insertAt(0);
        break;
    }
  }
  if (vh.routes || list.length > 0) vh.routes = list;
}

/** Whether any route patch can apply to the route configuration (else it need not be copied). */
export function mayPatchRouteConfiguration(run: PatchRun, ctx: PatchContext, rc: RouteConfiguration, portMap: GatewayPortMap = new Map()): boolean {
  return run.patches.some(
    (p) => (p.applyTo === 'ROUTE_CONFIGURATION' || p.applyTo === 'VIRTUAL_HOST' || p.applyTo === 'HTTP_ROUTE') && contextMatch(ctx, p) && routeConfigurationMatch(ctx, rc, p, portMap),
  );
}

/** ApplyRouteConfigurationPatches on a route configuration the caller owns (a copy). */
export function patchRouteConfiguration(run: PatchRun, ctx: PatchContext, rc: RouteConfiguration, portMap: GatewayPortMap = new Map()): void {
  for (const p of run.of('ROUTE_CONFIGURATION')) {
    if (!isMerge(p) || !contextMatch(ctx, p) || !routeConfigurationMatch(ctx, rc, p, portMap)) continue;
    if (run.merge(p, VALUE_TYPE.ROUTE_CONFIGURATION!, rc as JsonObject, rc.name)) run.touch('routes', rc.name, p);
  }
  const vhPatches = run.of('VIRTUAL_HOST').filter((p) => contextMatch(ctx, p) && routeConfigurationMatch(ctx, rc, p, portMap));
  const removed = new Set<string>();
  const hosts = (rc.virtual_hosts ?? []) as JsonObject[];
  hosts.forEach((vh, i) => {
    let host = vh;
    for (const p of vhPatches) {
      if (!virtualHostMatch(host, p)) continue;
      if (p.operation === 'REMOVE') {
        removed.add(host.name);
        run.touch('routes', rc.name, p);
        return;
      }
      if (isMerge(p) && run.merge(p, VALUE_TYPE.VIRTUAL_HOST!, host, rc.name)) run.touch('virtualHosts', `${rc.name}/${host.name}`, p);
      else if (p.operation === 'REPLACE') {
        const v = run.value(p, rc.name);
        if (v) {
          hosts[i] = host = v;
          run.touch('virtualHosts', `${rc.name}/${host.name}`, p);
        }
      } else continue;
      run.touch('routes', rc.name, p);
    }
    patchHttpRoutes(run, ctx, rc, host, portMap);
  });
  for (const p of vhPatches) {
    if (p.operation !== 'ADD') continue;
    const v = run.value(p, rc.name);
    if (!v) continue;
    hosts.push(v);
    run.touch('routes', rc.name, p);
    run.touch('virtualHosts', `${rc.name}/${v.name}`, p);
  }
  rc.virtual_hosts = (removed.size > 0 ? hosts.filter((vh) => !removed.has(vh.name)) : hosts) as RouteConfiguration['virtual_hosts'];
}
