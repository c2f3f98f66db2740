// Route selection within a virtual host (router/config_impl.cc RouteEntryImplBase::matchRoute and its
// Prefix/Path/PathSeparatedPrefix/Regex subclasses): routes in order, the first whose path, headers,
// query parameters, gRPC and runtime fraction conditions all hold. Also virtual clusters
// (VirtualHostImpl::virtualClusterFromEntries).

import type { TraceStep } from '../contract.js';
import type { Route, VirtualHost } from '../xds/envoy.js';
import { compileHeaderMatcher, compileQueryMatcher, compileRegex, headerHolds, parseQuery, type HeaderCondition } from './matchers.js';
import { memo } from './memo.js';
import { pathOnly, type RouterRequest } from './request.js';
import { defaultRuntime, type FeatureEnabled } from './runtime.js';

/** The request under match, its query parameters parsed on first use (most routes test none). */
class MatchInput {
  private parsed?: Map<string, string>;

  constructor(
    readonly req: RouterRequest,
    readonly runtime: FeatureEnabled,
  ) {}

  get query(): Map<string, string> {
    return (this.parsed ??= parseQuery(this.req.path));
  }
}

interface Condition {
  test(input: MatchInput): boolean;
  text: string;
}

interface CompiledRoute {
  route: Route;
  index: number;
  label: string;
  conditions: Condition[];
}

function pathCondition(route: Route): Condition | undefined {
  const m = route.match;
  const sensitive = m.case_sensitive !== false;
  const norm = (v: string): string => (sensitive ? v : v.toLowerCase());
  if (m.prefix !== undefined) {
    const x = norm(m.prefix);
    return { text: `path starts with "${m.prefix}"`, test: ({ req }) => norm(req.path).startsWith(x) };
  }
  if (m.path !== undefined) {
    const x = norm(m.path);
    return { text: `path is "${m.path}"`, test: ({ req }) => norm(pathOnly(req.path)) === x };
  }
  if (m.path_separated_prefix !== undefined) {
    const x = norm(m.path_separated_prefix);
    return {
      text: `path is "${m.path_separated_prefix}" or under "${m.path_separated_prefix}/"`,
      test: ({ req }) => {
        const p = norm(pathOnly(req.path));
        return p === x || p.startsWith(`${x}/`);
      },
    };
  }
  if (m.safe_regex) {
    const re = compileRegex(m.safe_regex.regex);
    return { text: `path ${re.text}`, test: ({ req }) => re.test(pathOnly(req.path)) };
  }
  return undefined;
}

/** Grpc::Common::hasGrpcContentType: application/grpc, optionally followed by "+..." or ";...". */
export const isGrpc = (req: RouterRequest): boolean => /^application\/grpc($|[+;])/.test(req.headers.get('content-type') ?? '');

function compileRoute(route: Route, index: number): CompiledRoute {
  const conditions: Condition[] = [];
  const path = pathCondition(route);
  if (path) conditions.push(path);
  const m = route.match;
  if (m.grpc) conditions.push({ text: 'content-type is gRPC (application/grpc...)', test: ({ req }) => isGrpc(req) });
  for (const h of m.headers ?? []) {
    const c: HeaderCondition = compileHeaderMatcher(h);
    conditions.push({ text: c.text, test: ({ req }) => headerHolds(c, req) });
  }
  for (const q of m.query_parameters ?? []) {
    const c = compileQueryMatcher(q);
    conditions.push({ text: c.text, test: ({ query }) => c.test(query) });
  }
  const fraction = m.runtime_fraction;
  if (fraction) {
    const percent = fraction.default_value ?? {};
    conditions.push({
      text: `runtime ${fraction.runtime_key ?? ''} enables it (default ${percent.numerator ?? 0}/${percent.denominator ?? 'HUNDRED'})`,
      test: ({ req, runtime }) => runtime(fraction.runtime_key ?? '', percent, req.randomValue ?? 0),
    });
  }
  return { route, index, label: route.name || `#${index}`, conditions };
}

const routesCache = new WeakMap<VirtualHost, CompiledRoute[]>();

export interface MatchedRoute {
  route: Route;
  /** Its 0-based position in the virtual host. */
  index: number;
}

/** The first route of the virtual host whose match holds; each decision is added to `steps` when given. */
export function matchRoute(vh: VirtualHost, req: RouterRequest, runtime: FeatureEnabled = defaultRuntime, steps?: TraceStep[]): MatchedRoute | undefined {
  const routes = memo(routesCache, vh, (v) => (v.routes ?? []).map(compileRoute));
  const input = new MatchInput(req, runtime);
  const rejected: { name: string; why: string }[] = [];
  for (const r of routes) {
    const failed = r.conditions.find((c) => !c.test(input));
    if (!failed) {
      if (steps) {
        const why = r.conditions.length
          ? `first route in order whose match holds: ${r.conditions.map((c) => c.text).join(', ')}`
          : 'first route in order; it matches every request';
        steps.push({ stage: 'route', chosen: r.label, why, rejected });
      }
      return { route: r.route, index: r.index };
    }
    if (steps) rejected.push({ name: r.label, why: `${failed.text}: false for ${req.method} ${req.path}` });
  }
  steps?.push({ stage: 'route', chosen: null, why: `no route of ${vh.name} matches ${req.method} ${req.path}`, rejected });
  return undefined;
}

interface CompiledVirtualCluster {
  name: string;
  headers: HeaderCondition[];
}

const virtualClustersCache = new WeakMap<VirtualHost, CompiledVirtualCluster[]>();

/**
 * The virtual cluster a request falls in: the first whose headers all match; "other" (Envoy's catch-all)
 * when the virtual host has virtual clusters and none matches; undefined when it has none.
 */
export function virtualClusterOf(vh: VirtualHost, req: RouterRequest): string | undefined {
  const clusters = memo(virtualClustersCache, vh, (v) =>
    (v.virtual_clusters ?? []).map((c) => ({ name: c.name, headers: (c.headers ?? []).map(compileHeaderMatcher) })),
  );
  if (clusters.length === 0) return undefined;
  return clusters.find((c) => c.headers.every((h) => headerHolds(h, req)))?.name ?? 'other';
}
