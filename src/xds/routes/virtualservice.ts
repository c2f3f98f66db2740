// VirtualService `http[]` → Envoy routes, shared by sidecars and gateways
// (pilot/pkg/networking/core/route/route.go BuildHTTPRoutesForVirtualService, TranslateRoute,
// applyHTTPRouteDestination, ApplyRedirect, ApplyDirectResponse, GetRouteOperation).

import type { Destination, HttpRouteDestination, HttpRoute } from '../../mesh/istio-api.js';

export type { Destination, HttpRouteDestination, HttpRoute };
import type { RouteMatch, Route } from '../envoy.js';
import type { IstioConfig, MeshConfig, MeshIndex, Proxy, Service } from '../../mesh/types.js';
import { parseSubsetKey, subsetKey } from '../names.js';
import { durationJson, parseDurationNanos } from '../../mesh/durations.js';
import { routeSemantics } from '../../mesh/istio-api.js';
import { quoteMeta } from '../../util/regex.js';
import { convertRetryPolicy, type HttpRetry } from './features/retry.js';
import {
  CORS_FILTER,
  FAULT_FILTER,
  integerPercent,
  percentToFraction,
  translateCors,
  translateFault,
} from './features/fault-cors.js';
import { applyHeaderOperations, translateHeaders } from './features/headers.js';
import { isCatchAllMatch, translateRouteMatch, type HttpMatchRequest } from './features/matchers.js';

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HttpRoute[];
  tls?: unknown[];
  tcp?: unknown[];
  exportTo?: string[];
}

export interface VirtualServiceRouteContext {
  /** The port the routes serve: the sidecar listener port, or the gateway server port. */
  listenerPort: number;
  /** ['mesh'] for sidecars, ['ns/gw', ...] for routers. */
  gatewayNames: string[];
  /** The service the vhost stands for, when the caller knows it (sidecar vhosts); informational. */
  serviceHost?: string;
  /** The routes serve a TLS-terminating gateway server (redirects then default to https). */
  isTls?: boolean;
  /** The proxy's DestinationRules by service, shared by the caller across VirtualServices of one proxy. */
  destinationRules?: Map<Service, IstioConfig | undefined>;
}

export const MESH_GATEWAY = 'mesh';

const isVisible = (service: Service, namespace: string) =>
  service.exportTo.length === 0 || service.exportTo.includes('*') || service.exportTo.includes(namespace);

/** buildNameToServiceMapForHTTPRoutes: the service of the VS namespace when the proxy can see it, else any it can see. */
export function lookupService(index: MeshIndex, proxy: Proxy, hostname: string, vsNamespace: string): Service | undefined {
  const candidates = index.servicesByHost.get(hostname) ?? [];
  const own = candidates.find((s) => s.namespace === vsNamespace);
  if (own && isVisible(own, proxy.namespace)) return own;
  return candidates.find((s) => isVisible(s, proxy.namespace));
}

/** route.GetDestinationCluster: outbound|port|subset|host with Istio's port rules. */
export function destinationCluster(destination: Destination, service: Service | undefined, listenerPort: number): string {
  if (!destination.host) return 'UnknownService';
  // An ExternalName alias routes to the concrete service it names.
  const host = service?.externalName ? service.externalName : destination.host;
  let port = listenerPort;
  if (destination.port?.number) port = destination.port.number;
  else if (service && service.ports.length === 1) port = service.ports[0].port;
  return subsetKey('outbound', destination.subset ?? '', host, port);
}

/** util.BuildConfigInfoMetadata: where a route came from, as istioctl shows it. */
export const configMetadata = (kind: string, cfg: { name: string; namespace: string }) => ({
  filter_metadata: { istio: { config: `/apis/networking.istio.io/v1/namespaces/${cfg.namespace}/${kind}/${cfg.name}` } },
});

/** route.GetRouteOperation: host:port+path of a single cluster, else <vsName>:<port>+path. */
export function routeOperation(route: Route, vsName: string, port: number): string {
  const m = route.match;
  let path = '/*';
  if (m.prefix !== undefined) path = `${m.prefix}*`;
  else if (m.path !== undefined) path = m.path;
  else if (m.safe_regex) path = m.safe_regex.regex;
  const parsed = route.route?.cluster ? parseSubsetKey(route.route.cluster) : undefined;
  if (parsed && parsed.host !== '') return `${parsed.host}:${parsed.port}${path}`;
  return `${vsName}:${port}${path}`;
}

export const isCatchAllRoute = (route: Route): boolean => isCatchAllMatch(route.match as RouteMatch & Record<string, unknown>);

/** route.SortVHostRoutes: catch-all routes move to the end, others keep their order. */
export const sortVhostRoutes = (routes: Route[]): Route[] => [
  ...routes.filter((r) => !isCatchAllRoute(r)),
  ...routes.filter(isCatchAllRoute),
];

/** sourceMatchHTTP: gateways in the match, else source labels and source namespace. */
function sourceMatches(match: HttpMatchRequest, proxy: Proxy, gatewayNames: string[]): boolean {
  if (match.gateways && match.gateways.length > 0) {
    return match.gateways.some((g) => gatewayNames.includes(g));
  }
  const labels = match.sourceLabels ?? {};
  if (!Object.entries(labels).every(([k, v]) => proxy.labels[k] === v)) return false;
  return !match.sourceNamespace || match.sourceNamespace === proxy.namespace;
}

/** Translates one VirtualService's http rules for a port; [] when none applies (Istio's "no routes matched"). */
export function buildVirtualServiceRoutes(
  index: MeshIndex,
  proxy: Proxy,
  vs: IstioConfig,
  ctx: VirtualServiceRouteContext,
): Route[] {
  const spec = vs.spec as VirtualServiceSpec;
  const translator = new RouteTranslator(index, proxy, vs as IstioConfig<VirtualServiceSpec>, ctx);
  const out: Route[] = [];
  for (const http of spec.http ?? []) {
    let catchAll = false;
    if (!http.match || http.match.length === 0) {
      const r = translator.translate(http, undefined);
      if (r) out.push(r);
      catchAll = true;
    } else {
      for (const match of http.match) {
        const r = translator.translate(http, match);
        if (!r) continue;
        out.push(r);
        // Routes match in order: nothing after a catch-all can ever be reached.
        if (isCatchAllRoute(r)) {
          catchAll = true;
          break;
        }
      }
    }
    if (catchAll) break;
  }
  return out;
}

class RouteTranslator {
  private readonly destinationRules: Map<Service, IstioConfig | undefined>;

  constructor(
    private readonly index: MeshIndex,
    private readonly proxy: Proxy,
    private readonly vs: IstioConfig<VirtualServiceSpec>,
    private readonly ctx: VirtualServiceRouteContext,
  ) {
    this.destinationRules = ctx.destinationRules ?? new Map();
  }

  translate(http: HttpRoute, match: HttpMatchRequest | undefined): Route | undefined {
    const port = this.ctx.listenerPort;
    if (match?.port && match.port !== port) return undefined;
    if (match && !sourceMatches(match, this.proxy, this.ctx.gatewayNames)) return undefined;

    let name = http.name ?? '';
    if (match?.name) name = `${name}.${match.name}`;
    const route: Route & Record<string, unknown> = {
      ...(name ? { name } : {}),
      match: translateRouteMatch(match, routeSemantics(this.vs.annotations) !== undefined),
    };

    // Route-level header operations first; a single destination's are appended after them.
    const headerOps = http.headers ? translateHeaders(http.headers) : undefined;
    if (headerOps) applyHeaderOperations(route, headerOps);
    if (http.redirect) this.applyRedirect(route, http.redirect);
    else if (http.directResponse) applyDirectResponse(route, http.directResponse);
    else this.applyDestination(route, http, headerOps?.authority ?? '');

    route.metadata = configMetadata('virtual-service', this.vs);
    route.decorator = { operation: routeOperation(route, this.vs.name, port) };

    const perFilter: Record<string, unknown> = {};
    const fault = http.fault ? translateFault(http.fault) : undefined;
    if (fault) perFilter[FAULT_FILTER] = fault;
    if (http.corsPolicy) perFilter[CORS_FILTER] = translateCors(http.corsPolicy);
    if (Object.keys(perFilter).length > 0) route.typed_per_filter_config = perFilter;

    if (match?.statPrefix) route.stat_prefix = match.statPrefix;
    return orderFields(route, ROUTE_ORDER) as Route;
  }

  /** Destination hosts arrive qualified by the index (ResolveVirtualServiceShortnames). */
  private cluster(destination: Destination): { cluster: string; service?: Service } {
    const service = lookupService(this.index, this.proxy, destination.host, this.vs.namespace);
    return { cluster: destinationCluster(destination, service, this.ctx.listenerPort), service };
  }

  private applyDestination(route: Route & Record<string, unknown>, http: HttpRoute, routeAuthority: string): void {
    const action: Record<string, unknown> = {};
    let authority = routeAuthority;
    const destinations = http.route ?? [];
    let consistentHash = false;
    const hashPolicies: unknown[] = [];

    if (destinations.length === 1) {
      const dst = destinations[0];
      const { cluster, service } = this.cluster(dst.destination);
      action.cluster = cluster;
      if (dst.headers) {
        const ops = translateHeaders(dst.headers);
        applyHeaderOperations(route, ops);
        // The top-level rewrite wins over a destination's authority.
        if (ops.authority && !authority && !http.rewrite?.authority) authority = ops.authority;
      }
      const hash = this.consistentHash(dst.destination, service);
      if (hash) {
        consistentHash = true;
        const policy = hashPolicy(hash);
        if (policy) hashPolicies.push(policy);
      }
    } else {
      const clusters: Record<string, unknown>[] = [];
      for (const dst of destinations) {
        if (!dst.weight) continue;
        const { cluster, service } = this.cluster(dst.destination);
        const entry: Record<string, unknown> = { name: cluster, weight: dst.weight };
        if (dst.headers) {
          const ops = translateHeaders(dst.headers);
          applyHeaderOperations(entry, ops);
          if (ops.authority) entry.host_rewrite_literal = ops.authority;
        }
        clusters.push(entry);
        const policy = hashPolicy(this.consistentHash(dst.destination, service));
        if (policy) hashPolicies.push(policy);
      }
      action.weighted_clusters = { clusters };
    }

    if (http.rewrite) {
      const regex = http.rewrite.uriRegexRewrite;
      if (regex) action.regex_rewrite = { pattern: { regex: regex.match }, substitution: regex.rewrite };
      else if (http.rewrite.uri === '/' && routeSemantics(this.vs.annotations) === 'gateway' && route.match.path_separated_prefix) {
        // Gateway API's ReplacePrefixMatch "/": drop the matched segments, keep a leading "/".
        action.regex_rewrite = { pattern: { regex: `^${quoteMeta(route.match.path_separated_prefix)}(/?)(.*)` }, substitution: '/\\2' };
      } else if (http.rewrite.uri) action.prefix_rewrite = http.rewrite.uri;
      if (http.rewrite.authority) authority = http.rewrite.authority;
    }
    if (authority) action.host_rewrite_literal = authority;

    const timeout = http.timeout !== undefined ? durationJson(http.timeout) : '0s';
    action.timeout = timeout;

    const retry = convertRetryPolicy(
      http.retries ?? (this.index.mesh.defaultHttpRetryPolicy as HttpRetry | undefined),
      consistentHash,
    );
    if (retry) action.retry_policy = retry;

    const mirrors = this.mirrorPolicies(http);
    if (mirrors.length > 0) action.request_mirror_policies = mirrors;
    if (hashPolicies.length > 0) action.hash_policy = hashPolicies;
    action.max_grpc_timeout = http.timeout === undefined || parseDurationNanos(http.timeout) === 0n ? '0s' : timeout;

    route.route = orderFields(action, ROUTE_ACTION_ORDER);
  }

  private mirrorPolicies(http: HttpRoute): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    if (!http.mirror && !http.mirrors) return out;
    const policy = (destination: Destination, fraction: Record<string, unknown>) => ({
      cluster: this.cluster(destination).cluster,
      runtime_fraction: { default_value: fraction },
      trace_sampled: false,
    });
    if (http.mirror) {
      let fraction: Record<string, unknown> | undefined = integerPercent(100);
      if (http.mirrorPercentage) fraction = (http.mirrorPercentage.value ?? 0) > 0 ? percentToFraction(http.mirrorPercentage) : undefined;
      else if (http.mirrorPercent !== undefined) fraction = http.mirrorPercent > 0 ? integerPercent(http.mirrorPercent) : undefined;
      if (fraction) out.push(policy(http.mirror, fraction));
    }
    for (const mirror of http.mirrors ?? []) {
      if (!mirror.destination) continue;
      if (mirror.percentage && !((mirror.percentage.value ?? 0) > 0)) continue;
      out.push(policy(mirror.destination, mirror.percentage ? percentToFraction(mirror.percentage) : integerPercent(100)));
    }
    return out;
  }

  /** route.HashForHTTPDestination: subset port-level > subset > port-level > top-level consistentHash. */
  private consistentHash(destination: Destination, service: Service | undefined): ConsistentHash | undefined {
    if (!service) return undefined;
    const dr = this.destinationRule(service);
    if (!dr) return undefined;
    const spec = dr.spec as DestinationRuleSpec;
    const portNumber = destination.port?.number;
    const subsetName = destination.subset ?? '';
    const subset = spec.subsets?.find((s) => s.name === subsetName);
    return (
      portLevelHash(subset?.trafficPolicy, portNumber) ??
      subset?.trafficPolicy?.loadBalancer?.consistentHash ??
      portLevelHash(spec.trafficPolicy, portNumber) ??
      spec.trafficPolicy?.loadBalancer?.consistentHash
    );
  }

  /** The proxy's DestinationRule for a service, looked up once per translator (destinations repeat services). */
  private destinationRule(service: Service): IstioConfig | undefined {
    if (!this.destinationRules.has(service)) this.destinationRules.set(service, this.index.destinationRule(this.proxy, service));
    return this.destinationRules.get(service);
  }

  private applyRedirect(route: Route & Record<string, unknown>, redirect: NonNullable<HttpRoute['redirect']>): void {
    const out: Record<string, unknown> = {};
    if (redirect.scheme) out.scheme_redirect = redirect.scheme;
    if (redirect.authority) out.host_redirect = redirect.authority;
    let port = 0;
    const hasPortRule = redirect.port !== undefined || redirect.derivePort !== undefined;
    if (redirect.port !== undefined) port = redirect.port;
    else if (redirect.derivePort === 'FROM_REQUEST_PORT') port = this.ctx.listenerPort;
    if (hasPortRule) {
      const scheme = redirect.scheme || (this.ctx.isTls ? 'https' : 'http');
      // No explicit :80 or :443 for their default schemes.
      if ((port === 80 && scheme === 'http') || (port === 443 && scheme === 'https')) port = 0;
    }
    if (port) out.port_redirect = port;
    if (redirect.uri) out.path_redirect = redirect.uri;
    const codes: Record<number, string | undefined> = {
      0: undefined, 301: undefined, 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT',
    };
    const code = redirect.redirectCode ?? 0;
    // Istio leaves a route with an unsupported redirect code without any action.
    if (!(code in codes)) return;
    if (codes[code]) out.response_code = codes[code];
    route.redirect = out;
  }
}

function applyDirectResponse(route: Route & Record<string, unknown>, dr: NonNullable<HttpRoute['directResponse']>): void {
  const out: { status: number; body?: Record<string, string> } = { status: dr.status };
  if (dr.body?.string !== undefined) out.body = { inline_string: dr.body.string };
  else if (dr.body?.bytes !== undefined) out.body = { inline_bytes: dr.body.bytes };
  route.direct_response = out;
}

interface ConsistentHash {
  httpHeaderName?: string;
  httpCookie?: { name: string; path?: string; ttl?: string; attributes?: { name: string; value?: string }[] };
  useSourceIp?: boolean;
  httpQueryParameterName?: string;
}

interface TrafficPolicy {
  loadBalancer?: { consistentHash?: ConsistentHash };
  portLevelSettings?: { port?: { number?: number }; loadBalancer?: { consistentHash?: ConsistentHash } }[];
}

interface DestinationRuleSpec {
  trafficPolicy?: TrafficPolicy;
  subsets?: { name: string; trafficPolicy?: TrafficPolicy }[];
}

function portLevelHash(policy: TrafficPolicy | undefined, portNumber: number | undefined): ConsistentHash | undefined {
  if (!portNumber) return undefined;
  return policy?.portLevelSettings?.find((s) => s.port?.number === portNumber)?.loadBalancer?.consistentHash;
}

/** route.ConsistentHashToHashPolicy. */
function hashPolicy(hash: ConsistentHash | undefined): Record<string, unknown> | undefined {
  if (!hash) return undefined;
  if (hash.httpHeaderName) return { header: { header_name: hash.httpHeaderName } };
  if (hash.httpCookie) {
    const c = hash.httpCookie;
    return {
      cookie: {
        name: c.name,
        ...(c.ttl ? { ttl: durationJson(c.ttl) } : {}),
        ...(c.path ? { path: c.path } : {}),
        ...(c.attributes?.length ? { attributes: c.attributes.map((a) => ({ name: a.name, ...(a.value ? { value: a.value } : {}) })) } : {}),
      },
    };
  }
  if (hash.useSourceIp) return { connection_properties: { source_ip: true } };
  if (hash.httpQueryParameterName) return { query_parameter: { name: hash.httpQueryParameterName } };
  return undefined;
}

// Declaration order of envoy.config.route.v3 Route and RouteAction fields, as Envoy prints them.
const ROUTE_ORDER = [
  'name', 'match', 'route', 'redirect', 'direct_response', 'metadata', 'decorator', 'typed_per_filter_config',
  'request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove',
  'stat_prefix',
];
const ROUTE_ACTION_ORDER = [
  'cluster', 'weighted_clusters', 'prefix_rewrite', 'regex_rewrite', 'host_rewrite_literal', 'timeout',
  'retry_policy', 'request_mirror_policies', 'hash_policy', 'max_grpc_timeout',
];

function orderFields(obj: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of order) if (obj[key] !== undefined) out[key] = obj[key];
  return out;
}

/**
 * route.BuildDefaultHTTPOutboundRoute: the `default` route of a service without VirtualService, with the
 * hash policy of its DestinationRule's consistentHash when it has one (buildSidecarVirtualHostForService).
 */
export function buildDefaultOutboundRoute(
  clusterName: string,
  operation: string,
  mesh: MeshConfig,
  destinationRule?: IstioConfig,
  port?: number,
): Route {
  const retry = convertRetryPolicy(mesh.defaultHttpRetryPolicy as HttpRetry | undefined, false);
  // hashForService: the port-level consistentHash replaces the top-level one.
  const policy = (destinationRule?.spec ?? {}) as DestinationRuleSpec;
  const hash = hashPolicy(portLevelHash(policy.trafficPolicy, port) ?? policy.trafficPolicy?.loadBalancer?.consistentHash);
  return {
    name: 'default',
    match: { prefix: '/' },
    route: {
      cluster: clusterName,
      timeout: '0s',
      ...(retry ? { retry_policy: retry } : {}),
      ...(hash ? { hash_policy: [hash] } : {}),
      max_grpc_timeout: '0s',
    },
    decorator: { operation },
  };
}
