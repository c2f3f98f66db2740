// One request through one route configuration, as Envoy's router filter decides it
// (router/config_impl.cc ConfigImpl::route): virtual host, require_tls, route, the route's entry.
// The tracer and route-check both start here.

import type { TraceStep } from '../contract.js';
import type { Route, RouteConfiguration, VirtualHost } from '../xds/envoy.js';
import { routeEntry, sslRedirectUri, type RouteEntry } from './action.js';
import { memo } from './memo.js';
import type { RouterRequest } from './request.js';
import { matchRoute } from './route.js';
import { defaultRuntime, type FeatureEnabled } from './runtime.js';
import { matchVirtualHost, requiresTlsRedirect } from './virtual-host.js';

export type RouteSelection =
  | { kind: 'no_virtual_host' }
  | { kind: 'tls_redirect'; vh: VirtualHost; vhIndex: number; uri: string }
  | { kind: 'no_route'; vh: VirtualHost; vhIndex: number }
  | { kind: 'route'; vh: VirtualHost; vhIndex: number; route: Route; index: number; entry: RouteEntry };

const vhIndexCache = new WeakMap<RouteConfiguration, Map<VirtualHost, number>>();
const vhIndex = (rc: RouteConfiguration, vh: VirtualHost): number =>
  memo(vhIndexCache, rc, (c) => new Map((c.virtual_hosts ?? []).map((v, i) => [v, i]))).get(vh) ?? -1;

export function selectRoute(rc: RouteConfiguration, req: RouterRequest, runtime: FeatureEnabled = defaultRuntime, steps?: TraceStep[]): RouteSelection {
  const vh = matchVirtualHost(rc, req, steps);
  if (!vh) return { kind: 'no_virtual_host' };
  const at = vhIndex(rc, vh);
  if (requiresTlsRedirect(vh, req)) return { kind: 'tls_redirect', vh, vhIndex: at, uri: sslRedirectUri(req) };
  const matched = matchRoute(vh, req, runtime, steps);
  if (!matched) return { kind: 'no_route', vh, vhIndex: at };
  return { kind: 'route', vh, vhIndex: at, route: matched.route, index: matched.index, entry: routeEntry(matched.route, req, steps) };
}
