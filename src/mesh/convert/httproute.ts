// Gateway API HTTPRoute bound to a Service or ServiceEntry (GAMMA mesh routing) → VirtualService, as
// istiod converts it (pilot/pkg/config/kube/gateway: route_collections.go HTTPRouteCollection and
// mergeHTTPRoutes; conversion.go convertHTTPRoute, buildHTTPDestination, buildDestination,
// augmentPortMatch, sortHTTPRoutes, the create*Match and create*Filter functions).
//
// Each rule is split into one Istio route per match. Every mesh parent yields one VirtualService per
// parent host (bound to the `mesh` gateway), keyed by route namespace[/parent port]/host; the routes of
// all HTTPRoutes with one key are merged into one VirtualService, oldest HTTPRoute first, then sorted
// by Gateway API precedence. Routes bound to Gateways (north-south) are not converted here.
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
import { KUBE_DOMAIN } from '../services.js';
import type { ConversionContext, Converter } from './index.js';

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
const HTTP_ROUTE_APIS = new Set([`${GATEWAY_API_GROUP}/v1`, `${GATEWAY_API_GROUP}/v1beta1`]);
const ISTIO_GROUP = 'networking.istio.io';
const MCS_GROUP = 'multicluster.x-k8s.io';
const MESH_GATEWAY = 'mesh';
/** constants.InternalRouteSemantics / InternalParentNames. */
const PARENTS_ANNOTATION = 'internal.istio.io/parents';

/** An Istio HTTP route as the Gateway API conversion writes it (HTTPRedirect's prefix rewrite included). */
type HttpRoute = Omit<IstioHttpRoute, 'redirect'> & { redirect?: IstioHttpRoute['redirect'] & { prefixRewrite?: string } };

/** A conversion problem: `hard` drops every mesh route of the HTTPRoute (istiod's nil route), else the route stays. */
interface ConversionProblem {
  message: string;
  hard: boolean;
}

class HardError extends Error {}

/** The Services and ServiceEntries the routes refer to. */
interface Registry {
  services: Set<string>;
  serviceEntries: Map<string, K8sObject>;
  hostnames: Set<string>;
}

interface MeshParent {
  /** parentRefString: the sort key of a route's parents. */
  key: string;
  namespace: string;
  hosts: string[];
  port?: number;
}

/** One VirtualService before the merge: the routes of one HTTPRoute for one key. */
interface KeyedRoutes {
  host: string;
  route: K8sObject;
  /** A producer route is in the namespace of the service it routes. */
  producer: boolean;
  http: HttpRoute[];
}

const where = (o: K8sObject) => `HTTPRoute ${o.metadata.namespace}/${o.metadata.name}`;

/** Creation time in ms; objects without one sort first. */
const createdAt = (o: K8sObject): number => {
  const t = Date.parse(o.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

/** Go duration text (Gateway API Duration) → proto3 JSON; undefined for zero or unparseable. */
function duration(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const nanos = parseDurationNanos(text);
  return nanos === undefined || nanos === 0n ? undefined : nanosToJson(nanos);
}

/** extractParentReferenceInfo + referenceAllowed + filteredReferences, for the mesh parents only. */
function meshParents(route: K8sObject, registry: Registry, ctx: ConversionContext): MeshParent[] {
  const ns = route.metadata.namespace!;
  const out: MeshParent[] = [];
  for (const ref of (route.spec?.parentRefs ?? []) as any[]) {
    const group: string = ref.group ?? GATEWAY_API_GROUP;
    const kind: string = ref.kind ?? 'Gateway';
    const namespace: string = ref.namespace ?? ns;
    const name: string = ref.name;
    const port: number | undefined = ref.port ?? undefined;
    const key = `${group}/${kind}/${name}/${ref.sectionName ?? ''}/${port ?? 0}.${namespace}`;
    if (group === '' && kind === 'Service') {
      if (!registry.services.has(`${namespace}/${name}`)) {
        ctx.warnings.push(`${where(route)}: parent Service ${namespace}/${name} not found; istiod does not accept the route for it`);
        continue;
      }
      out.push({ key, namespace, port, hosts: [`${name}.${namespace}.svc.${KUBE_DOMAIN}`] });
    } else if (group === ISTIO_GROUP && kind === 'ServiceEntry') {
      const entry = registry.serviceEntries.get(`${namespace}/${name}`);
      if (!entry) {
        ctx.warnings.push(`${where(route)}: parent ServiceEntry ${namespace}/${name} not found; istiod does not accept the route for it`);
        continue;
      }
      out.push({ key, namespace, port, hosts: [...(entry.spec?.hosts ?? [])] });
    } else if (group === GATEWAY_API_GROUP && (kind === 'Gateway' || kind === 'ListenerSet')) {
      ctx.warnings.push(`${where(route)}: parent ${kind} ${namespace}/${name} is ignored (meshplan converts HTTPRoutes bound to Services only)`);
    } else {
      ctx.warnings.push(`${where(route)}: parent ${group}/${kind} ${namespace}/${name} is not a kind istiod handles; ignored`);
    }
  }
  return out.sort((a, b) => cmp(a.key, b.key));
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

/** buildDestination (mesh: no ReferenceGrant needed). Soft problems keep the destination, as istiod does. */
function destination(ref: any, ns: string, registry: Registry, problems: ConversionProblem[]): Destination {
  const group: string = ref.group ?? '';
  const kind: string = ref.kind ?? 'Service';
  const namespace: string = ref.namespace ?? ns;
  let host: string;
  if (group === '' && kind === 'Service') {
    if (String(ref.name).includes('.')) throw new HardError('service name invalid; the name of the Service must be used, not the hostname');
    host = `${ref.name}.${namespace}.svc.${KUBE_DOMAIN}`;
    if (!registry.services.has(`${namespace}/${ref.name}`)) problems.push({ message: `backend(${host}) not found`, hard: false });
  } else if (group === ISTIO_GROUP && kind === 'Hostname') {
    if (ref.namespace !== undefined) throw new HardError('namespace may not be set with Hostname type');
    host = ref.name;
    if (!registry.hostnames.has(host)) problems.push({ message: `backend(${host}) not found`, hard: false });
  } else if (group === MCS_GROUP && kind === 'ServiceImport') {
    // Without ENABLE_MCS_HOST istiod treats a ServiceImport as the Service of the same name.
    host = `${ref.name}.${namespace}.svc.${KUBE_DOMAIN}`;
    if (!registry.services.has(`${namespace}/${ref.name}`)) problems.push({ message: `backend(${host}) not found`, hard: false });
  } else {
    problems.push({ message: `referencing unsupported backendRef: group "${group}" kind "${kind}"`, hard: false });
    return {} as Destination;
  }
  if (ref.port === undefined) throw new HardError('port is required in backendRef');
  return { host, port: { number: ref.port } };
}

/** buildHTTPDestination: zero weights dropped, a single backend carries no weight. */
function routeDestinations(refs: any[], ns: string, registry: Registry, problems: ConversionProblem[]): HttpRouteDestination[] {
  const weighted = refs.filter((r) => (r.weight ?? 1) !== 0);
  return weighted.map((ref) => {
    const out: HttpRouteDestination = {
      destination: destination(ref, ns, registry, problems),
      weight: weighted.length === 1 ? 0 : (ref.weight ?? 1),
    };
    for (const filter of ref.filters ?? []) {
      if (filter.type === 'RequestHeaderModifier' || filter.type === 'ResponseHeaderModifier') {
        const ops = headerOperations(filter.type === 'RequestHeaderModifier' ? filter.requestHeaderModifier : filter.responseHeaderModifier);
        if (!ops) continue;
        out.headers = { ...out.headers, [filter.type === 'RequestHeaderModifier' ? 'request' : 'response']: ops };
      } else {
        throw new HardError(`unsupported filter type "${filter.type}"`);
      }
    }
    return out;
  });
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
function convertRule(route: K8sObject, rule: any, index: number, match: any, registry: Registry, problems: ConversionProblem[]): HttpRoute {
  const ns = route.metadata.namespace!;
  const out: HttpRoute = { name: rule.name ?? `${ns}.${route.metadata.name}.${index}` };
  if (match) out.match = [matchRequest(match)];
  for (const filter of rule.filters ?? []) {
    switch (filter.type) {
      case 'RequestHeaderModifier':
      case 'ResponseHeaderModifier': {
        const ops = headerOperations(filter.type === 'RequestHeaderModifier' ? filter.requestHeaderModifier : filter.responseHeaderModifier);
        if (ops) out.headers = { ...out.headers, [filter.type === 'RequestHeaderModifier' ? 'request' : 'response']: ops };
        break;
      }
      case 'RequestRedirect':
        out.redirect = redirect(filter.requestRedirect ?? {});
        break;
      case 'RequestMirror': {
        const mirror = filter.requestMirror ?? {};
        const mirrorProblems: ConversionProblem[] = [];
        const dst = destination(mirror.backendRef ?? {}, ns, registry, mirrorProblems);
        // A mirror to a backend that is not there is dropped (the route stays).
        if (mirrorProblems.length) problems.push(...mirrorProblems);
        else {
          const entry: NonNullable<HttpRoute['mirrors']>[number] = { destination: dst };
          if (mirror.fraction) entry.percentage = { value: (100 * mirror.fraction.numerator) / (mirror.fraction.denominator ?? 100) };
          else if (mirror.percent !== undefined) entry.percentage = { value: mirror.percent };
          out.mirrors = [...(out.mirrors ?? []), entry];
        }
        break;
      }
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
        throw new HardError(`unsupported filter type "${filter.type}"`);
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
  const refs: any[] = rule.backendRefs ?? [];
  const weightSum = refs.reduce((sum, r) => sum + (r.weight ?? 1), 0);
  // Per the Gateway API spec, a rule without a backend of weight > 0 answers 500.
  if (weightSum === 0 && !out.redirect) out.directResponse = { status: 500 };
  else if (refs.length) out.route = routeDestinations(refs, ns, registry, problems);
  return out;
}

/** The mesh routes of one HTTPRoute, one per rule and match; undefined on a hard error. */
function meshRoutes(route: K8sObject, registry: Registry, ctx: ConversionContext): HttpRoute[] | undefined {
  const problems: ConversionProblem[] = [];
  const out: HttpRoute[] = [];
  try {
    ((route.spec?.rules ?? []) as any[]).forEach((rule, index) => {
      // The API server defaults an empty match list to one PathPrefix "/" match.
      const matches: any[] = rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }];
      for (const match of matches.length ? matches : [undefined]) out.push(convertRule(route, rule, index, match, registry, problems));
    });
  } catch (e) {
    if (!(e instanceof HardError)) throw e;
    ctx.warnings.push(`${where(route)}: ${e.message}; istiod generates no mesh routes for it`);
    return undefined;
  }
  for (const p of problems) ctx.warnings.push(`${where(route)}: ${p.message}`);
  return out;
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

const parentName = (route: K8sObject) => `HTTPRoute/${route.metadata.name}.${route.metadata.namespace}`;

/** mergeHTTPRoutes: one VirtualService per key, its HTTPRoutes oldest first. */
function mergedVirtualService(key: string, entries: KeyedRoutes[]): K8sObject {
  entries.sort(
    (a, b) =>
      createdAt(a.route) - createdAt(b.route) ||
      cmp(a.route.metadata.namespace!, b.route.metadata.namespace!) ||
      cmp(a.route.metadata.name, b.route.metadata.name),
  );
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
      gateways: [MESH_GATEWAY],
      ...(entries[0].producer ? {} : { exportTo: ['.'] }),
      http: sortRoutes(entries.flatMap((e) => e.http)),
    },
    derivedFrom: sourceRef(base),
  };
}

function registryOf(objects: K8sObject[]): Registry {
  const services = objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Service');
  const entries = objects.filter((o) => o.apiVersion.startsWith(`${ISTIO_GROUP}/`) && o.kind === 'ServiceEntry');
  return {
    services: new Set(services.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)),
    serviceEntries: new Map(entries.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o])),
    hostnames: new Set([
      ...services.map((o) => `${o.metadata.name}.${o.metadata.namespace}.svc.${KUBE_DOMAIN}`),
      ...entries.flatMap((o) => (o.spec?.hosts ?? []) as string[]),
    ]),
  };
}

export const convertHttpRoutes: Converter = (objects, ctx) => {
  const registry = registryOf(objects);
  const routes = objects
    .filter((o) => HTTP_ROUTE_APIS.has(o.apiVersion) && o.kind === 'HTTPRoute')
    .sort((a, b) => cmp(a.metadata.namespace!, b.metadata.namespace!) || cmp(a.metadata.name, b.metadata.name));
  const byKey = new Map<string, KeyedRoutes[]>();
  for (const route of routes) {
    const parents = meshParents(route, registry, ctx);
    if (parents.length === 0) continue;
    const http = meshRoutes(route, registry, ctx);
    if (!http?.length) continue;
    for (const parent of parents) {
      const routeKey = parent.port === undefined ? route.metadata.namespace! : `${route.metadata.namespace}/${parent.port}`;
      const forParent = sortRoutes(parent.port === undefined ? http : withPort(http, parent.port));
      for (const host of parent.hosts) {
        const key = `${routeKey}/${host}`;
        byKey.set(key, [...(byKey.get(key) ?? []), { host, route, producer: parent.namespace === route.metadata.namespace, http: forParent }]);
      }
    }
  }
  return [...byKey.keys()].sort(cmp).map((key) => mergedVirtualService(key, byKey.get(key)!));
};
