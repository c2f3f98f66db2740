// What a matched route does (router/config_impl.cc RouteEntryImplBase): forward to a cluster (cluster,
// weighted_clusters by the random value, cluster_header), redirect (newUri), or answer directly
// (DirectResponseEntry); and the request a forwarding route sends upstream (finalizeRequestHeaders:
// header mutations, then host rewrite, then path rewrite: prefix_rewrite or regex_rewrite).

import { RE2JS } from 're2js';
import type { TraceStep } from '../contract.js';
import type { RedirectAction, RegexRewrite, Route, RouteConfiguration, VirtualHost } from '../xds/envoy.js';
import { applyRequestHeaders } from './headers.js';
import { forwardedProto, pathOnly, type RouterRequest } from './request.js';
import { pickStep, pickWeighted } from './weighted.js';

export type RouteEntry =
  | { kind: 'forward'; cluster: string; /** the chosen member of weighted_clusters */ weightedIndex?: number }
  | { kind: 'redirect'; uri: string; status: number }
  | { kind: 'direct_response'; uri: string; status: number; body: string }
  | { kind: 'none' };

const REDIRECT_CODES: Record<string, number> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

/** The route's entry for this request; the decision is added to `steps` when given. */
export function routeEntry(route: Route, req: RouterRequest, steps?: TraceStep[]): RouteEntry {
  const say = (chosen: string | null, why: string): void => {
    steps?.push({ stage: 'action', chosen, why, rejected: [] });
  };
  if (route.redirect) {
    const status = REDIRECT_CODES[route.redirect.response_code ?? 'MOVED_PERMANENTLY'] ?? 301;
    const uri = newUri(route, req, route.redirect);
    say('redirect', `${route.redirect.response_code ?? 'MOVED_PERMANENTLY'} to ${uri}`);
    return { kind: 'redirect', uri, status };
  }
  if (route.direct_response) {
    const body = route.direct_response.body;
    const text = body?.inline_string ?? (body?.inline_bytes !== undefined ? Buffer.from(body.inline_bytes, 'base64').toString('utf8') : '');
    say('direct_response', `Envoy answers ${route.direct_response.status} itself`);
    return { kind: 'direct_response', uri: newUri(route, req, {}), status: route.direct_response.status, body: text };
  }
  const action = route.route;
  if (!action) {
    say(null, 'the route has no action Envoy can take');
    return { kind: 'none' };
  }
  if (action.cluster !== undefined) {
    say(action.cluster, 'route to cluster');
    return { kind: 'forward', cluster: action.cluster };
  }
  const weighted = action.weighted_clusters?.clusters;
  if (weighted?.length) {
    const clusters = weighted.map((c) => ({ name: c.name, weight: c.weight ?? 0 }));
    const pick = pickWeighted(clusters, req.randomValue);
    steps?.push(pickStep(clusters, pick, req.randomValue));
    return { kind: 'forward', cluster: pick.chosen.name, weightedIndex: pick.index };
  }
  if (action.cluster_header) {
    const cluster = req.headers.get(action.cluster_header.toLowerCase()) ?? (action.cluster_header.toLowerCase() === ':authority' ? req.host : '');
    say(cluster || null, `cluster named by request header ${action.cluster_header}`);
    return { kind: 'forward', cluster };
  }
  say(null, 'route action without a cluster this tracer understands');
  return { kind: 'none' };
}

/** The part of the path a route's match consumed, which prefix_rewrite replaces. */
function matchedPath(route: Route, path: string): string {
  const m = route.match;
  return m.prefix ?? m.path ?? m.path_separated_prefix ?? pathOnly(path);
}

/** Envoy's regex substitution (\1 for a group) on a path without its query; the query is kept. */
function regexRewrite(rewrite: RegexRewrite, path: string): string {
  const just = pathOnly(path);
  const replacement = rewrite.substitution.replace(/\\(\d)/g, '$$$1');
  return RE2JS.compile(rewrite.pattern.regex).matcher(just).replaceAll(replacement) + path.slice(just.length);
}

/** currentUrlPathAfterRewriteWithMatchedPath: the path after prefix_rewrite or regex_rewrite, or undefined if neither applies. */
function rewrittenPath(route: Route, path: string, prefixRewrite: string | undefined, regex: RegexRewrite | undefined): string | undefined {
  if (prefixRewrite !== undefined) {
    const matched = matchedPath(route, path);
    const ok = route.match.case_sensitive === false ? path.toLowerCase().startsWith(matched.toLowerCase()) : path.startsWith(matched);
    return ok ? prefixRewrite + path.slice(matched.length) : path;
  }
  return regex ? regexRewrite(regex, path) : undefined;
}

/** Host without its port. */
const hostOnly = (host: string): string => host.replace(/:\d+$/, '');

/** The URI a redirect (or a direct response, with no redirect fields) answers with (RouteEntryImplBase::newUri). */
function newUri(route: Route, req: RouterRequest, r: RedirectAction): string {
  const scheme = r.https_redirect ? 'https' : (r.scheme_redirect ?? forwardedProto(req));
  let host = r.host_redirect ?? req.host;
  if (r.port_redirect) host = `${hostOnly(host)}:${r.port_redirect}`;
  const query = req.path.slice(pathOnly(req.path).length);
  let path: string;
  if (r.path_redirect !== undefined) path = r.path_redirect.includes('?') || r.strip_query ? r.path_redirect : r.path_redirect + query;
  else {
    path = rewrittenPath(route, req.path, r.prefix_rewrite, r.regex_rewrite) ?? req.path;
    if (r.strip_query) path = pathOnly(path);
  }
  return `${scheme}://${host}${path}`;
}

/** The SSL redirect Envoy synthesises for require_tls (SslRedirector::newUri). */
export const sslRedirectUri = (req: RouterRequest): string => `https://${req.host}${req.path}`;

/**
 * The request a forwarding route sends upstream: the route's, virtual host's and route configuration's
 * header mutations, then host_rewrite_literal / host_rewrite_header / host_rewrite_path_regex, then
 * prefix_rewrite or regex_rewrite (the original path kept in x-envoy-original-path).
 */
export function rewriteRequest(rc: RouteConfiguration, vh: VirtualHost, route: Route, req: RouterRequest): RouterRequest {
  const headers = new Map(req.headers);
  applyRequestHeaders(headers, rc, vh, route, req.remoteAddress ?? '127.0.0.1');
  const action = route.route;
  let host = req.host;
  let path = req.path;
  if (action) {
    if (action.host_rewrite_literal !== undefined) host = action.host_rewrite_literal;
    else if (action.host_rewrite_header !== undefined) host = headers.get(action.host_rewrite_header.toLowerCase()) || host;
    else if (action.host_rewrite_path_regex) host = regexRewrite(action.host_rewrite_path_regex, pathOnly(path));
    const rewritten = rewrittenPath(route, path, action.prefix_rewrite, action.regex_rewrite);
    if (rewritten !== undefined && rewritten !== path) {
      headers.set('x-envoy-original-path', path);
      path = rewritten;
    }
  }
  return { ...req, host, path, headers };
}
