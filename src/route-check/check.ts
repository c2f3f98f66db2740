// Envoy's router_check_tool (test/tools/router_check/router.cc RouterCheckTool::compareEntries): each
// test's request through a RouteConfiguration with Envoy's own router (src/router), then each asserted
// field compared with what the router did, and coverage kept as the tool keeps it.

import { rewriteRequest } from '../router/action.js';
import { applyResponseHeaders, type HeaderMap } from '../router/headers.js';
import { compileHeaderMatcher } from '../router/matchers.js';
import { headerValue, type RouterRequest } from '../router/request.js';
import { virtualClusterOf } from '../router/route.js';
import { selectRoute } from '../router/select.js';
import type { HeaderMatcher, Route, RouteConfiguration, VirtualHost } from '../xds/envoy.js';
import { RouteCoverage, type CoveredField, type RouteObject } from './coverage.js';
import { toolRuntime } from './runtime.js';
import type { CoverageMode, RouteCheckFailure, RouteCheckResult, RouteTest, RouteTestResult } from './types.js';

/** The tool's downstream address (%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% in header values). */
const TOOL_REMOTE_ADDRESS = '127.0.0.1';

/** What the router did with one test's request, in the terms the tool compares. */
interface Outcome {
  test: RouteTest;
  request: RouterRequest;
  object?: RouteObject;
  cluster: string;
  virtualHost: string;
  redirectUri: string;
  redirectCode: number;
  /** The route chosen, for what is worked out only when a test asserts it (virtual cluster, rewrites, response headers). */
  routed?: { rc: RouteConfiguration; vh: VirtualHost; route: Route; kind: 'forward' | 'redirect' | 'direct_response'; body: string };
  rewritten?: RouterRequest;
}

function toolRequest(test: RouteTest): RouterRequest {
  const { input } = test;
  const headers = new Map<string, string>([['x-forwarded-proto', input.ssl ? 'https' : 'http']]);
  if (input.internal) headers.set('x-envoy-internal', 'true');
  for (const h of input.additional_request_headers ?? []) {
    const key = h.key.toLowerCase();
    const existing = headers.get(key);
    headers.set(key, existing === undefined ? (h.value ?? '') : `${existing},${h.value ?? ''}`);
  }
  return {
    host: input.authority,
    path: input.path,
    method: input.method || 'GET',
    scheme: input.ssl ? 'https' : 'http',
    headers,
    randomValue: input.random_value ?? 0,
    remoteAddress: TOOL_REMOTE_ADDRESS,
  };
}

/** A local reply's headers (Envoy's sendLocalReply): content-type and content-length when there is a body. */
function localReplyHeaders(body: string): HeaderMap {
  const headers: HeaderMap = new Map();
  if (body) {
    headers.set('content-length', String(Buffer.byteLength(body)));
    headers.set('content-type', 'text/plain');
  }
  return headers;
}

function route(rc: RouteConfiguration, test: RouteTest): Outcome {
  const request = toolRequest(test);
  const outcome: Outcome = { test, request, cluster: '', virtualHost: '', redirectUri: '', redirectCode: 0 };
  const selected = selectRoute(rc, request, toolRuntime(test.input.runtime));
  if (selected.kind === 'no_virtual_host' || selected.kind === 'no_route') return outcome;
  if (selected.kind === 'tls_redirect') {
    outcome.object = { key: 'require_tls', kind: 'direct' };
    outcome.redirectUri = selected.uri;
    outcome.redirectCode = 301;
    return outcome;
  }
  const { vh, vhIndex, route, index, entry } = selected;
  const at = { virtualHost: vhIndex, route: index };
  if (entry.kind === 'redirect' || entry.kind === 'direct_response') {
    outcome.object = { key: `${vhIndex}/${index}`, kind: 'direct', at };
    outcome.redirectUri = entry.uri;
    outcome.redirectCode = entry.status;
    outcome.routed = { rc, vh, route, kind: entry.kind, body: entry.kind === 'direct_response' ? entry.body : '' };
    return outcome;
  }
  const weighted = entry.kind === 'forward' && entry.weightedIndex !== undefined ? `/${entry.weightedIndex}` : '';
  outcome.object = { key: `${vhIndex}/${index}${weighted}`, kind: 'forward', at };
  outcome.cluster = entry.kind === 'forward' ? entry.cluster : '';
  outcome.virtualHost = vh.name;
  outcome.routed = { rc, vh, route, kind: 'forward', body: '' };
  return outcome;
}

const virtualClusterName = (o: Outcome): string => (o.routed?.kind === 'forward' ? (virtualClusterOf(o.routed.vh, o.request) ?? '') : '');

/** The request a forwarding route sends upstream (finalizeRequestHeaders), once. */
function rewritten(o: Outcome): RouterRequest | undefined {
  if (o.routed?.kind !== 'forward') return undefined;
  o.rewritten ??= rewriteRequest(o.routed.rc, o.routed.vh, o.routed.route, o.request);
  return o.rewritten;
}

/** The response headers: a local reply's (redirects, direct responses) or the test's upstream ones, then the route's mutations. */
function responseHeaders(o: Outcome): HeaderMap {
  const headers: HeaderMap = new Map();
  if (o.object?.kind === 'direct') {
    if (o.routed?.kind === 'direct_response') for (const [k, v] of localReplyHeaders(o.routed.body)) headers.set(k, v);
    else headers.set('location', o.redirectUri);
  }
  for (const h of o.test.input.additional_response_headers ?? []) if (!headers.has(h.key.toLowerCase())) headers.set(h.key.toLowerCase(), h.value ?? '');
  if (o.routed) applyResponseHeaders(headers, o.routed.rc, o.routed.vh, o.routed.route, TOOL_REMOTE_ADDRESS);
  return headers;
}

const describeMatcher = (m: HeaderMatcher): string => JSON.stringify(m);

/** Header matchers against a header lookup: one failure per matcher that does not hold. */
function headerFailures(field: string, matchers: HeaderMatcher[] | undefined, lookup: (name: string) => string | undefined): RouteCheckFailure[] {
  const failures: RouteCheckFailure[] = [];
  (matchers ?? []).forEach((m, i) => {
    const c = compileHeaderMatcher(m);
    const value = lookup(c.name);
    if (!c.test(value)) failures.push({ field: `${field}[${i}]`, expected: `${c.text} (${describeMatcher(m)})`, actual: value === undefined ? `${c.name} absent` : `${c.name}: ${value}` });
  });
  return failures;
}

function checkTest(rc: RouteConfiguration, test: RouteTest, coverage: RouteCoverage): RouteTestResult {
  const outcome = route(rc, test);
  const v = test.validate ?? {};
  const failures: RouteCheckFailure[] = [];
  const forwarding = outcome.object?.kind === 'forward';
  const direct = outcome.object?.kind === 'direct';
  const compare = (field: string, expected: string | number, actual: string | number, covers: CoveredField, counts: boolean): void => {
    if (String(expected) !== String(actual)) failures.push({ field, expected, actual });
    else if (counts && outcome.object) coverage.mark(outcome.object, covers);
  };
  // Each field is worked out only when the test asserts it.
  if (v.cluster_name !== undefined) compare('cluster_name', v.cluster_name, outcome.cluster, 'cluster', forwarding);
  if (v.virtual_cluster_name !== undefined) compare('virtual_cluster_name', v.virtual_cluster_name, virtualClusterName(outcome), 'virtual_cluster', forwarding);
  if (v.virtual_host_name !== undefined) compare('virtual_host_name', v.virtual_host_name, outcome.virtualHost, 'virtual_host', forwarding);
  if (v.path_rewrite !== undefined) compare('path_rewrite', v.path_rewrite, rewritten(outcome)?.path ?? '', 'path_rewrite', forwarding);
  if (v.host_rewrite !== undefined) compare('host_rewrite', v.host_rewrite, rewritten(outcome)?.host ?? '', 'host_rewrite', forwarding);
  if (v.path_redirect !== undefined) compare('path_redirect', v.path_redirect, outcome.redirectUri, 'redirect_path', direct);
  if (v.code_redirect !== undefined) compare('code_redirect', v.code_redirect, outcome.redirectCode, 'redirect_code', direct);
  if (v.request_header_matches) {
    const sent = rewritten(outcome) ?? outcome.request;
    failures.push(...headerFailures('request_header_matches', v.request_header_matches, (name) => headerValue(sent, name)));
  }
  if (v.response_header_matches) {
    const headers = responseHeaders(outcome);
    failures.push(...headerFailures('response_header_matches', v.response_header_matches, (name) => headers.get(name)));
  }
  return { test_name: test.test_name, passed: failures.length === 0, failures };
}

/** Runs router_check_tool tests against a route configuration (snake_case proto3 JSON, checked beforehand); `coverage` may gather several runs. */
export function checkRoutes(rc: RouteConfiguration, tests: readonly RouteTest[], mode: CoverageMode = 'basic', coverage = new RouteCoverage()): RouteCheckResult {
  const results = tests.map((t) => checkTest(rc, t, coverage));
  const passed = results.filter((r) => r.passed).length;
  return { results, passed, failed: results.length - passed, coverage: coverage.report(rc, mode) };
}
