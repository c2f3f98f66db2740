// Envoy's router_check_tool (test/tools/router_check/router.cc RouterCheckTool::compareEntries): each
// test's request through a RouteConfiguration with Envoy's own router (src/router), then each asserted
// field compared with what the router did, and coverage kept as the tool keeps it.

import { rewriteRequest } from '../router/action.js';
import { applyResponseHeaders, type HeaderMap } from '../router/headers.js';
import { compileHeaderMatcher } from '../router/matchers.js';
import { headerValue, type RouterRequest } from '../router/request.js';
import { virtualClusterOf } from '../router/route.js';
import { selectRoute } from '../router/select.js';
import type { HeaderMatcher, RouteConfiguration } from '../xds/envoy.js';
import { RouteCoverage, type CoveredField, type RouteObject } from './coverage.js';
import { toolRuntime } from './runtime.js';
import type { CoverageMode, RouteCheckFailure, RouteCheckResult, RouteTest, RouteTestResult } from './types.js';

/** The tool's downstream address (%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% in header values). */
const TOOL_REMOTE_ADDRESS = '127.0.0.1';

/** What the router did with one test's request, in the terms the tool compares. */
interface Outcome {
  object?: RouteObject;
  cluster: string;
  virtualCluster: string;
  virtualHost: string;
  /** The request after the route's rewrites (forwarding routes only). */
  rewritten?: RouterRequest;
  redirectUri: string;
  redirectCode: number;
  responseHeaders: HeaderMap;
  request: RouterRequest;
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
  const responseHeaders: HeaderMap = new Map();
  for (const h of test.input.additional_response_headers ?? []) responseHeaders.set(h.key.toLowerCase(), h.value ?? '');
  const none: Outcome = { cluster: '', virtualCluster: '', virtualHost: '', redirectUri: '', redirectCode: 0, responseHeaders, request };
  const selected = selectRoute(rc, request, toolRuntime(test.input.runtime));
  if (selected.kind === 'no_virtual_host' || selected.kind === 'no_route') return none;
  if (selected.kind === 'tls_redirect') {
    responseHeaders.set('location', selected.uri);
    return { ...none, object: { key: 'require_tls', kind: 'direct' }, redirectUri: selected.uri, redirectCode: 301 };
  }
  const { vh, vhIndex, route, index, entry } = selected;
  const at = { virtualHost: vhIndex, route: index };
  switch (entry.kind) {
    case 'redirect':
    case 'direct_response': {
      const headers = entry.kind === 'redirect' ? new Map([['location', entry.uri]]) : localReplyHeaders(entry.body);
      for (const [k, v] of responseHeaders) if (!headers.has(k)) headers.set(k, v);
      applyResponseHeaders(headers, rc, vh, route, TOOL_REMOTE_ADDRESS);
      return { ...none, object: { key: `${vhIndex}/${index}`, kind: 'direct', at }, redirectUri: entry.uri, redirectCode: entry.status, responseHeaders: headers };
    }
    case 'forward':
    case 'none': {
      applyResponseHeaders(responseHeaders, rc, vh, route, TOOL_REMOTE_ADDRESS);
      const weighted = entry.kind === 'forward' && entry.weightedIndex !== undefined ? `/${entry.weightedIndex}` : '';
      return {
        ...none,
        object: { key: `${vhIndex}/${index}${weighted}`, kind: 'forward', at },
        cluster: entry.kind === 'forward' ? entry.cluster : '',
        virtualCluster: virtualClusterOf(vh, request) ?? '',
        virtualHost: vh.name,
        rewritten: rewriteRequest(rc, vh, route, request),
      };
    }
  }
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
  const compare = (field: string, expected: string | number | undefined, actual: string | number, covers: CoveredField, counts: boolean): void => {
    if (expected === undefined) return;
    if (String(expected) !== String(actual)) failures.push({ field, expected, actual });
    else if (counts && outcome.object) coverage.mark(outcome.object, covers);
  };
  compare('cluster_name', v.cluster_name, outcome.cluster, 'cluster', forwarding);
  compare('virtual_cluster_name', v.virtual_cluster_name, outcome.virtualCluster, 'virtual_cluster', forwarding);
  compare('virtual_host_name', v.virtual_host_name, outcome.virtualHost, 'virtual_host', forwarding);
  compare('path_rewrite', v.path_rewrite, outcome.rewritten?.path ?? '', 'path_rewrite', forwarding);
  compare('host_rewrite', v.host_rewrite, outcome.rewritten?.host ?? '', 'host_rewrite', forwarding);
  compare('path_redirect', v.path_redirect, outcome.redirectUri, 'redirect_path', direct);
  compare('code_redirect', v.code_redirect, outcome.redirectCode, 'redirect_code', direct);
  const sent = outcome.rewritten ?? outcome.request;
  failures.push(...headerFailures('request_header_matches', v.request_header_matches, (name) => headerValue(sent, name)));
  failures.push(...headerFailures('response_header_matches', v.response_header_matches, (name) => outcome.responseHeaders.get(name)));
  return { test_name: test.test_name, passed: failures.length === 0, failures };
}

/** Runs router_check_tool tests against a route configuration (snake_case proto3 JSON, checked beforehand); `coverage` may gather several runs. */
export function checkRoutes(rc: RouteConfiguration, tests: readonly RouteTest[], mode: CoverageMode = 'basic', coverage = new RouteCoverage()): RouteCheckResult {
  const results = tests.map((t) => checkTest(rc, t, coverage));
  const passed = results.filter((r) => r.passed).length;
  return { results, passed, failed: results.length - passed, coverage: coverage.report(rc, mode) };
}
