// Gateway API HTTPRoute and GRPCRoute → VirtualService, as istiod converts them
// (pilot/pkg/config/kube/gateway: route_collections.go HTTPRouteCollection, GRPCRouteCollection and
// mergeHTTPRoutes; conversion.go convertHTTPRoute, convertGRPCRoute, buildHTTPDestination,
// buildGRPCDestination, augmentPortMatch, sortHTTPRoutes, the create*Match and create*Filter functions).
//
// Each rule is split into one Istio route per match. A route bound to a Service or ServiceEntry (GAMMA
// mesh routing) yields one VirtualService per parent host, bound to the `mesh` gateway and keyed by
// route namespace[/parent port]/host; one bound to a Gateway listener yields one per route hostname
// (or `*`), bound to the listener's Istio Gateway and keyed by that Gateway/host. The routes of all
// HTTPRoutes and GRPCRoutes with one key are merged into one VirtualService, oldest first, then sorted
// by Gateway API precedence. Routes bound to Gateways need a ReferenceGrant for another namespace's
// backends; mesh routes do not.
//
// istiod applies one more rule when it builds a sidecar's routes (route.go
// buildSidecarVirtualHostsForVirtualService): a gateway-semantics VirtualService applies only to
// proxies in its own namespace (a consumer route) unless it is in the namespace of the service it
// routes (a producer route). meshplan's index knows only exportTo, so consumer routes are exported to
// their own namespace (`exportTo: ["."]`), which selects the same proxies and puts the consumer route
// ahead of the producer route for them, as istiod does.

import { sourceRef, type K8sObject } from '../../manifests/types.js';
import { quoteMeta } from '../../util/regex.js';
import { nanosToJson, parseDurationNanos } from '../durations.js';
import {
  ROUTE_SEMANTICS_ANNOTATION,
  type CorsPolicy,
  type Destination,
  type HeaderOperations,
  type HttpMatchRequest,
  type HttpRoute as IstioHttpRoute,
  type HttpRouteDestination,
  type IstioStringMatch,
} from '../istio-api.js';
import { cmp } from '../config.js';
import type { Converter } from './index.js';
import {
  HardError,
  ISTIO_GROUP,
  PARENTS_ANNOTATION,
  bindRoute,
  buildDestination,
  byCreation,
  hostnameAllowedByIsolation,
  isGatewayApiKind,
  registryOf,
  type ConfigError,
  type ConvertedRoutes,
  type KeyedRoutes,
  type Registry,
  type RouteParent,
} from './gateway-api.js';
import { gatewayListeners } from './k8s-gateway.js';

const MESH_GATEWAY = 'mesh';

/** An Istio HTTP route as the Gateway API conversion writes it (HTTPRedirect's prefix rewrite included). */
type HttpRoute = Omit<IstioHttpRoute, 'redirect'> & { redirect?: IstioHttpRoute['redirect'] & { prefixRewrite?: string } };

/** What converting one rule needs: the route, where backends are looked up, whether grants apply, and where soft problems go. */
interface RuleContext {
  route: K8sObject;
  registry: Registry;
  enforceGrant: boolean;
  problems: ConfigError[];
}

/** Go duration text (Gateway API Duration) → proto3 JSON; undefined for zero or unparseable. */
function duration(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const nanos = parseDurationNanos(text);
  return nanos === undefined || nanos === 0n ? undefined : nanosToJson(nanos);
}

/** createURIMatch: the path match (the API server defaults it to PathPrefix "/"). */
function uriMatch(path: any): IstioStringMatch {
  const type: string = path?.type ?? 'PathPrefix';
  let value: string = path?.value ?? '/';
  switch (type) {
    case 'PathPrefix':
      // "When specified, a trailing `/` is ignored."
      if (value !== '/' && value.endsWith('/')) value = value.slice(0, -1);
      return { prefix: value };
    case 'Exact':
      return { exact: value };
    case 'RegularExpression':
      return { regex: value };
    default:
      throw new HardError(`unknown path match type "${type}"`);
  }
}

/** createHeadersMatch / createQueryParamsMatch. */
function valueMatches(list: any[] | undefined, what: string): Record<string, IstioStringMatch> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, IstioStringMatch> = {};
  for (const m of list) {
    const type: string = m.type ?? 'Exact';
    if (type === 'Exact') out[m.name] = { exact: m.value };
    else if (type === 'RegularExpression') out[m.name] = { regex: m.value };
    else throw new HardError(`unknown ${what} match type "${type}"`);
  }
  return out;
}

function matchRequest(match: any): HttpMatchRequest {
  const out: HttpMatchRequest = { uri: uriMatch(match.path) };
  const headers = valueMatches(match.headers, 'header');
  if (headers) out.headers = headers;
  const queryParams = valueMatches(match.queryParams, 'query parameter');
  if (queryParams) out.queryParams = queryParams;
  if (match.method !== undefined) out.method = { exact: match.method };
  return out;
}

/** headerListToMap: lower-cased names, the first entry of a name wins. */
function headerMap(list: any[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const h of list) {
    const name = String(h.name).toLowerCase();
    if (!(name in out)) out[name] = h.value;
  }
  return out;
}

const isValidHeaderValue = (v: string) => [...Buffer.from(v)].every((c) => c === 0x09 || (c >= 0x20 && c !== 0x7f));

/** createHeadersFilter. */
function headerOperations(filter: any): HeaderOperations | undefined {
  if (!filter) return undefined;
  for (const h of [...(filter.set ?? []), ...(filter.add ?? [])]) {
    if (!isValidHeaderValue(String(h.value))) throw new HardError(`header "${h.name}" value contains invalid characters`);
  }
  const ops: HeaderOperations = {};
  const add = headerMap(filter.add);
  const set = headerMap(filter.set);
  if (add) ops.add = add;
  if (filter.remove?.length) ops.remove = [...filter.remove];
  if (set) ops.set = set;
  return ops;
}

/** One destination; its soft problem is kept for ResolvedRefs (istiod keeps the route and its destination). */
function destination(ref: any, rc: RuleContext): Destination {
  const built = buildDestination(ref, rc.route, rc.registry, rc.enforceGrant);
  if (built.problem) rc.problems.push(built.problem);
  return built.destination;
}

/** A route-level or backend-level header modifier filter, onto `headers`; false for any other filter. */
function applyHeaderFilter(filter: any, target: { headers?: HttpRoute['headers'] }): boolean {
  if (filter.type !== 'RequestHeaderModifier' && filter.type !== 'ResponseHeaderModifier') return false;
  const request = filter.type === 'RequestHeaderModifier';
  const ops = headerOperations(request ? filter.requestHeaderModifier : filter.responseHeaderModifier);
  if (ops) target.headers = { ...target.headers, [request ? 'request' : 'response']: ops };
  return true;
}

/** buildHTTPDestination / buildGRPCDestination: zero weights dropped, a single backend carries no weight. */
function routeDestinations(refs: any[], rc: RuleContext): HttpRouteDestination[] {
  const weighted = refs.filter((r) => (r.weight ?? 1) !== 0);
  return weighted.map((ref) => {
    const out: HttpRouteDestination = { destination: destination(ref, rc), weight: weighted.length === 1 ? 0 : (ref.weight ?? 1) };
    for (const filter of ref.filters ?? []) {
      if (!applyHeaderFilter(filter, out)) throw new HardError(`unsupported filter type "${filter.type}"`, 'InvalidFilter');
    }
    return out;
  });
}

/** createMirrorFilter: a mirror to a backend that is not there (or not granted) is dropped; the route stays. */
function addMirror(out: HttpRoute, mirror: any, rc: RuleContext): void {
  const built = buildDestination(mirror.backendRef ?? {}, rc.route, rc.registry, rc.enforceGrant);
  if (built.problem) {
    rc.problems.push(built.problem);
    return;
  }
  const entry: NonNullable<HttpRoute['mirrors']>[number] = { destination: built.destination };
  if (mirror.fraction) entry.percentage = { value: (100 * mirror.fraction.numerator) / (mirror.fraction.denominator ?? 100) };
  else if (mirror.percent !== undefined) entry.percentage = { value: mirror.percent };
  out.mirrors = [...(out.mirrors ?? []), entry];
}

/** Per the Gateway API spec, a rule without a backend of weight > 0 answers 500. */
function routeOrDirectResponse(out: HttpRoute, refs: any[], rc: RuleContext): void {
  const weightSum = refs.reduce((sum, r) => sum + (r.weight ?? 1), 0);
  if (weightSum === 0 && !out.redirect) out.directResponse = { status: 500 };
  else if (refs.length) out.route = routeDestinations(refs, rc);
}

/** createRedirectFilter. */
function redirect(filter: any): NonNullable<HttpRoute['redirect']> {
  const out: NonNullable<HttpRoute['redirect']> = {};
  if (filter.statusCode !== undefined) out.redirectCode = filter.statusCode;
  if (filter.hostname !== undefined) out.authority = filter.hostname;
  if (filter.scheme !== undefined) out.scheme = filter.scheme;
  // "When empty, port (if specified) of the request is used": not Istio's default.
  if (filter.port !== undefined) out.port = filter.port;
  else out.derivePort = filter.scheme !== undefined ? 'FROM_PROTOCOL_DEFAULT' : 'FROM_REQUEST_PORT';
  if (filter.path?.type === 'ReplaceFullPath') out.uri = filter.path.replaceFullPath;
  else if (filter.path?.type === 'ReplacePrefixMatch') out.prefixRewrite = filter.path.replacePrefixMatch;
  return out;
}

/** createRewriteFilter: undefined when it changes nothing. */
function rewrite(filter: any): HttpRoute['rewrite'] {
  const out: NonNullable<HttpRoute['rewrite']> = {};
  if (filter.path?.type === 'ReplacePrefixMatch') {
    // A prefix of "/" means removing the matched prefix.
    out.uri = String(filter.path.replacePrefixMatch).replace(/\/$/, '') || '/';
  } else if (filter.path?.type === 'ReplaceFullPath') {
    out.uriRegexRewrite = { match: '/.*', rewrite: filter.path.replaceFullPath };
  }
  if (filter.hostname !== undefined) out.authority = filter.hostname;
  return out.uri || out.uriRegexRewrite || out.authority ? out : undefined;
}

/** createCorsFilter. */
function cors(filter: any): CorsPolicy {
  const out: CorsPolicy = {};
  const origins: IstioStringMatch[] = [];
  for (const origin of (filter.allowOrigins ?? []) as string[]) {
    if (origin === '') continue;
    if (origin === '*') origins.push({ regex: '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s?#]+$' });
    else if (!origin.includes('*')) origins.push({ exact: origin });
    else if (origin.indexOf('*') === origin.length - 1) origins.push({ prefix: origin.slice(0, -1) });
    else origins.push({ regex: `^${quoteMeta(origin).replaceAll('\\*', '.*')}$` });
  }
  if (origins.length) out.allowOrigins = origins;
  if (filter.allowCredentials === true) out.allowCredentials = true;
  if (filter.allowMethods?.length) out.allowMethods = [...filter.allowMethods];
  if (filter.allowHeaders?.length) out.allowHeaders = [...filter.allowHeaders];
  if (filter.exposeHeaders?.length) out.exposeHeaders = [...filter.exposeHeaders];
  if (filter.maxAge > 0) out.maxAge = `${filter.maxAge}s`;
  out.unmatchedPreflights = 'IGNORE';
  return out;
}

/** convertHTTPRoute for one rule and (at most) one of its matches. */
function convertHttpRule(rule: any, index: number, match: any, rc: RuleContext): HttpRoute {
  const { route } = rc;
  const out: HttpRoute = { name: rule.name ?? `${route.metadata.namespace}.${route.metadata.name}.${index}` };
  if (match) out.match = [matchRequest(match)];
  for (const filter of rule.filters ?? []) {
    if (applyHeaderFilter(filter, out)) continue;
    switch (filter.type) {
      case 'RequestRedirect':
        out.redirect = redirect(filter.requestRedirect ?? {});
        break;
      case 'RequestMirror':
        addMirror(out, filter.requestMirror ?? {}, rc);
        break;
      case 'URLRewrite': {
        const rw = rewrite(filter.urlRewrite ?? {});
        if (rw) out.rewrite = rw;
        else delete out.rewrite;
        break;
      }
      case 'CORS':
        out.corsPolicy = cors(filter.cors ?? {});
        break;
      default:
        throw new HardError(`unsupported filter type "${filter.type}"`, 'InvalidFilter');
    }
  }
  if (rule.retry) {
    // "Implementations SHOULD retry on connection errors ... if a retry stanza is configured."
    const retryOn = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', ...(rule.retry.codes ?? []).map(String)];
    const attempts: number = rule.retry.attempts ?? 2;
    out.retries = { attempts, retryOn: attempts === 0 ? '' : retryOn.join(',') };
    const backoff = rule.retry.backoff !== undefined ? nanosToJson(parseDurationNanos(rule.retry.backoff) ?? 0n) : undefined;
    if (backoff !== undefined) out.retries.backoff = backoff;
  }
  const request = duration(rule.timeouts?.request);
  if (request) out.timeout = request;
  const backendRequest = duration(rule.timeouts?.backendRequest);
  if (backendRequest) {
    if (out.retries) out.retries.perTryTimeout = backendRequest;
    else out.timeout = backendRequest;
  }
  routeOrDirectResponse(out, rule.backendRefs ?? [], rc);
  return out;
}

/** createGRPCURIMatch: a method match as a path match. */
function grpcUriMatch(method: any): IstioStringMatch | undefined {
  if (!method) return undefined;
  const type: string = method.type ?? 'Exact';
  const { service, method: name } = method;
  if (name === undefined && service === undefined) throw new HardError('gRPC match must have method or service defined');
  if (type === 'Exact') {
    if (name === undefined) return { prefix: `/${service}/` };
    if (service === undefined) return { regex: `/[^/]+/${name}` };
    return { exact: `/${service}/${name}` };
  }
  if (type === 'RegularExpression') {
    if (name === undefined) return { regex: `/${service}/.+` };
    if (service === undefined) return { regex: `/[^/]+/${name}` };
    return { regex: `/${service}/${name}` };
  }
  throw new HardError(`unknown type: "${type}" is not supported Path match type`);
}

/** convertGRPCRoute for one rule and (at most) one of its matches. */
function convertGrpcRule(rule: any, index: number, match: any, rc: RuleContext): HttpRoute {
  const { route } = rc;
  const out: HttpRoute = { name: rule.name ?? `${route.metadata.namespace}.${route.metadata.name}.${index}` };
  if (match) {
    const m: HttpMatchRequest = {};
    const uri = grpcUriMatch(match.method);
    if (uri) m.uri = uri;
    const headers = valueMatches(match.headers, 'header');
    if (headers) m.headers = headers;
    out.match = [m];
  }
  for (const filter of rule.filters ?? []) {
    if (applyHeaderFilter(filter, out)) continue;
    if (filter.type === 'RequestMirror') addMirror(out, filter.requestMirror ?? {}, rc);
    else throw new HardError(`unsupported filter type "${filter.type}"`, 'InvalidFilter');
  }
  routeOrDirectResponse(out, rule.backendRefs ?? [], rc);
  return out;
}

/** The routes of one HTTPRoute or GRPCRoute for mesh or gateway parents, one per rule and match; routes undefined on a hard error. */
function convertRoutes(route: K8sObject, registry: Registry, mesh: boolean): ConvertedRoutes<HttpRoute> {
  const rc: RuleContext = { route, registry, enforceGrant: !mesh, problems: [] };
  const convert = route.kind === 'GRPCRoute' ? convertGrpcRule : convertHttpRule;
  const routes: HttpRoute[] = [];
  try {
    ((route.spec?.rules ?? []) as any[]).forEach((rule, index) => {
      // The API server defaults an HTTPRoute's empty match list to one PathPrefix "/" match.
      const matches: any[] = route.kind === 'GRPCRoute' ? (rule.matches ?? []) : (rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]);
      for (const match of matches.length ? matches : [undefined]) routes.push(convert(rule, index, match, rc));
    });
  } catch (e) {
    if (!(e instanceof HardError)) throw e;
    return { error: { reason: e.reason, message: e.message }, problems: [] };
  }
  return { routes, problems: rc.problems, ...(rc.problems.length ? { error: rc.problems[rc.problems.length - 1] } : {}) };
}

/** augmentPortMatch: every route matches only the parent's port. */
const withPort = (routes: HttpRoute[], port: number): HttpRoute[] =>
  routes.map((r) => {
    const copy: HttpRoute = structuredClone(r);
    copy.match = r.match?.length ? copy.match!.map((m) => ({ ...m, port })) : [{ port }];
    return copy;
  });

const uriRank = (m: HttpMatchRequest): number =>
  m.uri?.exact !== undefined ? 3 : m.uri?.prefix !== undefined ? 2 : m.uri?.regex !== undefined ? 1 : -1;
const uriLength = (m: HttpMatchRequest): number => (m.uri?.exact ?? m.uri?.prefix ?? m.uri?.regex ?? '').length;
const count = (o: object | undefined) => Object.keys(o ?? {}).length;

/** sortHTTPRoutes' less: Exact > Prefix > Regex, longer paths, a method, more headers, more query params. */
function precedes(a: HttpRoute, b: HttpRoute): boolean {
  if (!a.match?.length) return false;
  if (!b.match?.length) return true;
  const [m1, m2] = [a.match[0], b.match[0]];
  if (uriRank(m1) !== uriRank(m2)) return uriRank(m1) > uriRank(m2);
  if (uriLength(m1) !== uriLength(m2)) return uriLength(m1) > uriLength(m2);
  if ((m1.method === undefined) !== (m2.method === undefined)) return m1.method !== undefined;
  if (count(m1.headers) !== count(m2.headers)) return count(m1.headers) > count(m2.headers);
  return count(m1.queryParams) > count(m2.queryParams);
}

/** A stable sort by Gateway API precedence. */
const sortRoutes = (routes: HttpRoute[]): HttpRoute[] =>
  [...routes].sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));

const parentName = (route: K8sObject) => `${route.kind}/${route.metadata.name}.${route.metadata.namespace}`;

/** mergeHTTPRoutes: one VirtualService per key, its routes' objects oldest first. */
function mergedVirtualService(key: string, entries: KeyedRoutes<HttpRoute>[]): K8sObject {
  entries.sort((a, b) => byCreation(a.route, b.route));
  const base = entries[0].route;
  const namespace = base.metadata.namespace!;
  return {
    apiVersion: `${ISTIO_GROUP}/v1`,
    kind: 'VirtualService',
    metadata: {
      name: key.replaceAll('/', '~'),
      namespace,
      ...(base.metadata.creationTimestamp ? { creationTimestamp: base.metadata.creationTimestamp } : {}),
      annotations: {
        [PARENTS_ANNOTATION]: entries.map((e) => parentName(e.route)).join(','),
        [ROUTE_SEMANTICS_ANNOTATION]: 'gateway',
      },
    },
    spec: {
      hosts: [entries[0].host],
      gateways: [entries[0].gateway],
      ...(entries[0].producer ? {} : { exportTo: ['.'] }),
      http: sortRoutes(entries.flatMap((e) => e.routes)),
    },
    derivedFrom: sourceRef(base),
  };
}

/** The keyed routes of one object for one accepted parent. */
function keyedRoutes(route: K8sObject, parent: RouteParent, routes: HttpRoute[]): { key: string; entry: KeyedRoutes<HttpRoute> }[] {
  const ns = route.metadata.namespace!;
  if (parent.mesh) {
    const port: number | undefined = parent.ref.port ?? undefined;
    const routeKey = port === undefined ? ns : `${ns}/${port}`;
    const forParent = sortRoutes(port === undefined ? routes : withPort(routes, port));
    const producer = (parent.ref.namespace ?? ns) === ns;
    return parent.hosts.map((host) => ({ key: `${routeKey}/${host}`, entry: { host, route, gateway: MESH_GATEWAY, producer, routes: forParent } }));
  }
  const hosts: string[] = route.spec?.hostnames?.length ? route.spec.hostnames : ['*'];
  return hosts
    .filter((host) => hostnameAllowedByIsolation(parent, host))
    .map((host) => ({ key: `${parent.internalName}/${host}`, entry: { host, route, gateway: parent.internalName, producer: true, routes: sortRoutes(routes) } }));
}

export const convertHttpRoutes: Converter = (objects, ctx) => {
  const registry = registryOf(objects);
  const listeners = gatewayListeners(objects, ctx);
  const routes = objects
    .filter((o) => isGatewayApiKind(o, 'HTTPRoute') || isGatewayApiKind(o, 'GRPCRoute'))
    .sort((a, b) => cmp(a.kind, b.kind) || cmp(a.metadata.namespace!, b.metadata.namespace!) || cmp(a.metadata.name, b.metadata.name));
  const byKey = new Map<string, KeyedRoutes<HttpRoute>[]>();
  for (const route of routes) {
    const { accepted, routesFor } = bindRoute(route, listeners, registry, ctx, (mesh) => convertRoutes(route, registry, mesh));
    for (const parent of accepted) {
      const http = routesFor(parent);
      if (!http?.length) continue;
      for (const { key, entry } of keyedRoutes(route, parent, http)) byKey.set(key, [...(byKey.get(key) ?? []), entry]);
    }
  }
  return [...byKey.keys()].sort(cmp).map((key) => mergedVirtualService(key, byKey.get(key)!));
};
