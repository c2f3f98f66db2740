// Virtual host selection (router/config_impl.cc RouteMatcher::findVirtualHost): exact domain, the
// longest "*suffix", the longest "prefix*", then "*"; then require_tls (VirtualHostImpl's SSL redirect).

import type { TraceStep } from '../contract.js';
import type { RouteConfiguration, VirtualHost } from '../xds/envoy.js';
import { memo } from './memo.js';
import { forwardedProto, isInternal, type RouterRequest } from './request.js';

interface WildcardTable {
  /** Distinct fixed-part lengths, longest first. */
  lengths: number[];
  /** length → fixed part (without "*") → the first virtual host with it. */
  byLength: Map<number, Map<string, VirtualHost>>;
}

interface CompiledRouteConfig {
  exact: Map<string, VirtualHost>;
  suffix: WildcardTable;
  prefix: WildcardTable;
  any?: VirtualHost;
}

const emptyTable = (): WildcardTable => ({ lengths: [], byLength: new Map() });

function addWildcard(t: WildcardTable, fixed: string, vh: VirtualHost): void {
  let m = t.byLength.get(fixed.length);
  if (!m) {
    m = new Map();
    t.byLength.set(fixed.length, m);
    t.lengths.push(fixed.length);
    t.lengths.sort((a, b) => b - a);
  }
  if (!m.has(fixed)) m.set(fixed, vh);
}

function compileRouteConfig(rc: RouteConfiguration): CompiledRouteConfig {
  const out: CompiledRouteConfig = { exact: new Map(), suffix: emptyTable(), prefix: emptyTable() };
  for (const vh of rc.virtual_hosts ?? []) {
    for (const raw of vh.domains ?? []) {
      const d = raw.toLowerCase();
      if (d === '*') out.any ??= vh;
      else if (d.startsWith('*')) addWildcard(out.suffix, d.slice(1), vh);
      else if (d.endsWith('*')) addWildcard(out.prefix, d.slice(0, -1), vh);
      else if (!out.exact.has(d)) out.exact.set(d, vh);
    }
  }
  return out;
}

const routeConfigCache = new WeakMap<RouteConfiguration, CompiledRouteConfig>();

/** Host without its port ("a:80" → "a", "[::1]:80" → "::1"), as Go's net.SplitHostPort would give it. */
function stripPort(host: string): string {
  const bracketed = /^\[([^\]]*)\]:\d*$/.exec(host);
  if (bracketed) return bracketed[1];
  const plain = /^([^:]*):\d*$/.exec(host);
  return plain ? plain[1] : host;
}

/** The virtual host for the request's :authority; each decision is added to `steps` when given. */
export function matchVirtualHost(rc: RouteConfiguration, req: RouterRequest, steps?: TraceStep[]): VirtualHost | undefined {
  const table = memo(routeConfigCache, rc, compileRouteConfig);
  let host = req.host.toLowerCase();
  const notes: string[] = [];
  if (rc.ignore_port_in_host_matching) {
    const stripped = stripPort(host);
    if (stripped !== host && steps) notes.push(`ignore_port_in_host_matching: "${host}" matched as "${stripped}"`);
    host = stripped;
  }
  const done = (vh: VirtualHost | undefined, why: () => string): VirtualHost | undefined => {
    steps?.push({ stage: 'virtual_host', chosen: vh?.name ?? null, why: [...notes, why()].join('; '), rejected: [] });
    return vh;
  };
  const exact = table.exact.get(host);
  if (exact) return done(exact, () => `domain "${host}" matches exactly`);
  for (const len of table.suffix.lengths) {
    if (host.length <= len) continue;
    const vh = table.suffix.byLength.get(len)?.get(host.slice(host.length - len));
    if (vh) return done(vh, () => `longest suffix wildcard "*${host.slice(host.length - len)}" matches "${host}" (no exact domain)`);
  }
  for (const len of table.prefix.lengths) {
    if (host.length <= len) continue;
    const vh = table.prefix.byLength.get(len)?.get(host.slice(0, len));
    if (vh) return done(vh, () => `longest prefix wildcard "${host.slice(0, len)}*" matches "${host}" (no exact or suffix wildcard domain)`);
  }
  if (table.any) return done(table.any, () => `no domain matches "${host}": the virtual host with "*"`);
  return done(undefined, () => `no virtual host of ${rc.name} has a domain matching "${host}" and none has "*"`);
}

/**
 * Whether the virtual host's require_tls answers this request with a redirect to https
 * (ALL: unless x-forwarded-proto is https; EXTERNAL_ONLY: also not for x-envoy-internal requests).
 */
export function requiresTlsRedirect(vh: VirtualHost, req: RouterRequest): boolean {
  if (forwardedProto(req) === 'https') return false;
  return vh.require_tls === 'ALL' || (vh.require_tls === 'EXTERNAL_ONLY' && !isInternal(req));
}
