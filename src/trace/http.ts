// The HTTP connection manager's part of a hop: route configuration, virtual host, require_tls, route,
// and the route's entry, all decided by Envoy's router (src/router, shared with route-check); this file
// only adapts a trace call to the router's request and records the steps.

import type { TraceOutcome, TraceStep } from '../contract.js';
import { rewriteRequest } from '../router/action.js';
import type { RouterRequest } from '../router/request.js';
import { selectRoute } from '../router/select.js';
import type { RouteConfiguration } from '../xds/envoy.js';
import { BLOCK_ALL_VHOST } from '../xds/names.js';
import type { Failure } from './listener.js';
import { step, type Call } from './request.js';

/** A trace call as the router reads it; x-forwarded-proto follows the TLS the client spoke. */
export function routerRequest(call: Call): RouterRequest {
  return {
    host: call.host,
    path: call.path,
    method: call.method,
    scheme: call.tls === 'plaintext' ? 'http' : 'https',
    headers: call.headers,
    randomValue: call.randomValue,
    remoteAddress: call.source?.address,
  };
}

export interface HttpRouting {
  virtualHost?: string;
  route?: string;
  /** The cluster to forward to, with the request as the route rewrote it. */
  forward?: { cluster: string; call: Call };
  /** Envoy answered itself, or refused. */
  outcome?: TraceOutcome;
  failure?: Failure;
}

/** Routes a call through one route configuration, as the HTTP connection manager's router filter does. */
export function routeHttp(rc: RouteConfiguration | undefined, routeConfigName: string | null, call: Call, steps: TraceStep[]): HttpRouting {
  const req = routerRequest(call);
  const selected = rc ? selectRoute(rc, req, undefined, steps) : undefined;
  if (!rc || !selected || selected.kind === 'no_virtual_host') {
    return { failure: { code: 'NO_VIRTUAL_HOST', message: `no virtual host of route config ${rc?.name ?? routeConfigName} matches host "${call.host}"` } };
  }
  const vh = selected.vh;
  if (selected.kind === 'tls_redirect') {
    const message = `virtual host ${vh.name} requires TLS (require_tls ${vh.require_tls}): plaintext gets 301 to https`;
    steps.push(step('require_tls', null, message));
    return { virtualHost: vh.name, failure: { code: 'TLS_REDIRECT', message }, outcome: { kind: 'redirect', status: 301, detail: selected.uri } };
  }
  if (selected.kind === 'no_route') {
    return { virtualHost: vh.name, failure: { code: 'NO_ROUTE', message: `no route of virtual host ${vh.name} matches ${call.method} ${call.path}` } };
  }
  const { route, entry } = selected;
  const routed = { virtualHost: vh.name, route: route.name ?? '' };
  switch (entry.kind) {
    case 'redirect':
      return { ...routed, outcome: { kind: 'redirect', status: entry.status, detail: entry.uri } };
    case 'direct_response':
      // Under REGISTRY_ONLY the catch-all virtual host's 502 is an egress attempt blocked.
      return {
        ...routed,
        outcome: { kind: 'direct_response', status: entry.status, ...(vh.name === BLOCK_ALL_VHOST ? { detail: `${BLOCK_ALL_VHOST}: REGISTRY_ONLY blocks hosts the mesh does not know` } : {}) },
      };
    case 'none':
      return { ...routed, outcome: { kind: 'error', detail: 'the route has no action Envoy can take' } };
    case 'forward': {
      const rewritten = rewriteRequest(rc, vh, route, req);
      if (rewritten.host !== req.host || rewritten.path !== req.path) {
        steps.push(step('rewrite', `${rewritten.host}${rewritten.path}`, `the route rewrites the request to host "${rewritten.host}", path "${rewritten.path}"`));
      }
      return { ...routed, forward: { cluster: entry.cluster, call: { ...call, host: rewritten.host, path: rewritten.path, headers: rewritten.headers } } };
    }
  }
}
