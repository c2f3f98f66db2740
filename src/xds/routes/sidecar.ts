// Sidecar outbound RDS: route configurations "<port>" and "<fqdn>:<port>" with a virtual host per
// service (or VirtualService host) on the port, Istio's domains and the catch-all
// (pilot/pkg/networking/core/httproute.go buildSidecarOutboundHTTPRouteConfig, BuildSidecarOutboundVirtualHosts;
// route/route.go BuildSidecarVirtualHostWrapper).

import { dedupeSources, type SourceRef } from '../../manifests/types.js';
import { configSources, type IstioConfig, type MeshIndex, type Proxy, type Service, type ServicePort, type SidecarScope } from '../../mesh/types.js';
import type { Route, RouteConfiguration, VirtualHost } from '../envoy.js';
import type { RouteConfigsResult } from './index.js';
import { isHttpOrSniffed, parseProtocol } from '../listeners/protocol.js';
import {
  HTTP_PROXY_ROUTE,
  dynamicDnsCatchAllVirtualHost,
  outboundPolicy,
  serviceAddressForProxy,
  usesAutoAllocatedAddresses,
} from '../listeners/outbound.js';
import { ALLOW_ANY_VHOST, BLOCK_ALL_VHOST, PASSTHROUGH_CLUSTER, subsetKey } from '../names.js';
import { altHosts, HostIndex, isWildcard, proxyDnsDomain, shortNamesNamespace } from './sidecar-hosts.js';
import { MESH_GATEWAY, buildDefaultOutboundRoute, buildVirtualServiceRoutes, type HttpRoute } from './virtualservice.js';
import { memoFor } from '../clusters/cache.js';
import { scopeView, type ScopeView } from '../scope-view.js';

export const MAX_DIRECT_RESPONSE_BODY_SIZE_BYTES = 1048576;

/** A route configuration with its provenance (deduplicated), the whole configuration's and per virtual host. */
interface BuiltRouteConfig {
  route: RouteConfiguration;
  sources: SourceRef[];
  vhostSources: Record<string, SourceRef[]>;
}

/** A service as seen on one listener port: only that port (or all ports for port 0). */
interface PortService {
  service: Service;
  hostname: string;
  ports: ServicePort[];
}

/** VirtualHostWrapper. */
interface VhostWrapper {
  port: number;
  services: PortService[];
  vsHosts: string[];
  routes: Route[];
  sources: SourceRef[];
}

type Egress = SidecarScope['egress'][number];

/** SidecarScope.GetEgressListenerForRDS. */
function egressForRds(scope: SidecarScope, port: number, bind: string): Egress | undefined {
  for (const e of scope.egress) {
    if (!e.port) return e;
    if (e.port.number === port) {
      if (port === 0 && e.bind !== bind) continue;
      return e;
    }
  }
  return undefined;
}

const vsHosts = (vs: IstioConfig): string[] => (vs.spec?.hosts ?? []) as string[];

/** selectVirtualServices: VSs with a host matching a service on the port. */
function selectVirtualServices(vss: IstioConfig[], names: HostIndex): IstioConfig[] {
  return vss.filter((vs) => vsHosts(vs).some((h) => names.matching(h.toLowerCase()).length > 0));
}

/** The most specific VS of each service host, per egress listener (its services and VSs do not change). */
const mostSpecificByEgress = new WeakMap<Egress, Map<string, IstioConfig>>();

/** computeWildcardHostVirtualServiceIndex: service host → the VS with its most specific host. */
function mostSpecificVsIndex(egress: Egress): Map<string, IstioConfig> {
  const cached = mostSpecificByEgress.get(egress);
  if (cached) return cached;
  const exact = new Map<string, IstioConfig>();
  const wildcard = new Map<string, IstioConfig>();
  for (const vs of egress.virtualServices) {
    for (const h of vsHosts(vs)) {
      const target = isWildcard(h) ? wildcard : exact;
      if (!target.has(h)) target.set(h, vs);
    }
  }
  const wildcardHosts = [...wildcard.keys()];
  const wildcards = new HostIndex(wildcardHosts);
  const out = new Map<string, IstioConfig>();
  for (const svc of egress.services) {
    const direct = exact.get(svc.hostname);
    if (direct) {
      out.set(svc.hostname, direct);
      continue;
    }
    // The longest covering wildcard; the first seen among equally long ones.
    let best: string | undefined;
    for (const at of wildcards.covering(svc.hostname)) {
      if (best === undefined || wildcardHosts[at].length > best.length) best = wildcardHosts[at];
    }
    if (best !== undefined) out.set(svc.hostname, wildcard.get(best)!);
  }
  mostSpecificByEgress.set(egress, out);
  return out;
}

/** separateVSHostsAndServices. */
function separateHosts(vs: IstioConfig, byName: Map<string, PortService>, entries: PortService[], names: HostIndex, mostSpecific: Map<string, IstioConfig>) {
  const hosts: string[] = [];
  const services: PortService[] = [];
  const wildcards: string[] = [];
  for (const h of vsHosts(vs)) {
    const lc = h.toLowerCase();
    if (isWildcard(lc)) {
      wildcards.push(lc);
      continue;
    }
    const svc = byName.get(lc);
    if (svc) services.push(svc);
    else hosts.push(h);
  }
  for (const wc of wildcards) {
    const found = names.matching(wc);
    for (const at of found) if (mostSpecific.get(entries[at].hostname) === vs) services.push(entries[at]);
    if (found.length === 0) hosts.push(wc);
  }
  return { hosts, services };
}

/**
 * generateVirtualHostDomains. Sidecars ignore ports in host matching, so ":port" forms appear only on
 * the port-less http_proxy route (port > 0 here), each right after its plain form.
 */
function serviceDomains(ps: PortService, namespace: string, forProxy: string, port: number): { domains: string[]; alt: string[] } {
  const domainSuffix = proxyDnsDomain(namespace);
  const domains: string[] = [];
  const alt: string[] = [];
  for (const name of [ps.hostname, ...ps.service.aliases]) {
    pushWithPort(domains, name, port);
    for (const a of altHosts(name, domainSuffix)) {
      pushWithPort(domains, a, port);
      pushWithPort(alt, a, port);
    }
  }
  if (ps.service.resolution === 'Passthrough' && ps.service.registry === 'Kubernetes') {
    const plain = domains.length;
    for (let i = 0; i < plain; i++) domains.push(`*.${domains[i]}`);
  }
  const addresses = forProxy !== ps.service.address ? [forProxy] : ps.service.addresses.length ? ps.service.addresses : [ps.service.address];
  for (const a of addresses) if (a && a !== '0.0.0.0') pushWithPort(domains, a, port);
  return { domains, alt };
}

/** A domain, then its ":port" form when the port is set. */
function pushWithPort(out: string[], domain: string, port: number): void {
  out.push(domain);
  if (port > 0) out.push(`${domain}:${port}`);
}

function catchAllVirtualHost(index: MeshIndex, scope: SidecarScope): VirtualHost {
  const policy = outboundPolicy(index, scope);
  if (policy === 'ALLOW_ANY_DYNAMIC_DNS') return dynamicDnsCatchAllVirtualHost();
  if (policy === 'ALLOW_ANY') {
    return {
      name: ALLOW_ANY_VHOST,
      domains: ['*'],
      routes: [
        {
          name: ALLOW_ANY_VHOST,
          match: { prefix: '/' },
          route: { cluster: PASSTHROUGH_CLUSTER, timeout: '0s', max_grpc_timeout: '0s' },
        },
      ],
      include_request_attempt_count: true,
    };
  }
  return {
    name: BLOCK_ALL_VHOST,
    domains: ['*'],
    routes: [{ name: BLOCK_ALL_VHOST, match: { prefix: '/' }, direct_response: { status: 502 } }],
    include_request_attempt_count: true,
  };
}

/** extractListenerPort: "9080" → 9080; "reviews.default.svc.cluster.local:9080" → 9080 sniffed; http_proxy → 0. */
function parseRouteName(name: string): { port: number; sniffed: boolean } | undefined {
  if (name === HTTP_PROXY_ROUTE) return { port: 0, sniffed: false };
  const i = name.lastIndexOf(':');
  const text = i >= 0 ? name.slice(i + 1) : name;
  if (!/^\d+$/.test(text)) return undefined;
  return { port: Number(text), sniffed: i >= 0 };
}

/** The virtual hosts of an egress listener's port before their domains: what proxies of one scope view share. */
interface VhostPlan {
  listenerPort: number;
  /** One per virtual host name, in istiod's order. */
  candidates: VhostCandidate[];
  /** `host:port` and `host` of every service a wrapper stands for. */
  knownFqdn: Set<string>;
}

/** A virtual host of the plan: its domains as the proxies of every namespace but `namespaces` see them. */
interface VhostCandidate {
  name: string;
  wrapper: VhostWrapper;
  service?: PortService;
  /** The port of the ":port" domain forms (0: none). */
  domainPort: number;
  /** Namespaces whose proxies get other domains (short names). */
  namespaces: Set<string>;
  domains: { domains: string[]; alt: string[] };
  /** Its provenance with the Sidecar's, deduplicated. */
  sources: SourceRef[];
  /** The virtual host when all of `domains` are kept, made on first use and shared. */
  vhost?: VirtualHost;
}

/** The namespace none is named: domains as every namespace's proxies but the hosts' own see them. */
const NO_NAMESPACE = '\u0000';

/** The virtual hosts of an egress listener's port for a proxy: the shared plan (made once per plans table), then the proxy's domains. */
function buildVirtualHosts(index: MeshIndex, proxy: Proxy, egress: Egress, listenerPort: number, plans: RoutePlans) {
  const byPort = memoFor(plans.byEgress, egress, () => new Map<number, VhostPlan>());
  const plan = memoFor(byPort, listenerPort, () => planVirtualHosts(index, proxy, egress, listenerPort, plans));
  return virtualHostsForProxy(plan, proxy);
}

function planVirtualHosts(
  index: MeshIndex,
  proxy: Proxy,
  egress: Egress,
  listenerPortIn: number,
  { destinationRules, sidecarSources }: RoutePlans,
): VhostPlan {
  let listenerPort = listenerPortIn;
  if (egress.port && parseProtocol(egress.port.protocol) === 'HTTP_PROXY') listenerPort = 0;

  const byName = new Map<string, PortService>();
  const sorted = [...egress.services].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
  for (const svc of sorted) {
    const hostname = svc.hostname.toLowerCase();
    if (listenerPort === 0) {
      if (!byName.has(hostname)) byName.set(hostname, { service: svc, hostname, ports: svc.ports });
      continue;
    }
    const port = svc.ports.find((p) => p.port === listenerPort);
    if (port && !byName.has(hostname)) byName.set(hostname, { service: svc, hostname, ports: [port] });
  }

  let vss = egress.virtualServices.filter((vs) => {
    const gws = (vs.spec?.gateways ?? []) as string[];
    return gws.length === 0 || gws.includes(MESH_GATEWAY);
  });
  const entries = [...byName.values()];
  const hostIndex = new HostIndex(entries.map((e) => e.hostname));
  if (listenerPort !== 80) vss = selectVirtualServices(vss, hostIndex);
  const mostSpecific = mostSpecificVsIndex(egress);

  const wrappers: VhostWrapper[] = [];
  for (const vs of vss) {
    const routes = buildVirtualServiceRoutes(index, proxy, vs, { listenerPort, gatewayNames: [MESH_GATEWAY], destinationRules });
    if (routes.length === 0) continue;
    const { hosts, services } = separateHosts(vs, byName, entries, hostIndex, mostSpecific);
    const byPort = new Map<number, PortService[]>();
    for (const ps of services) {
      for (const p of ps.ports) {
        if (!isHttpOrSniffed(p.protocol)) continue;
        byPort.set(p.port, [...(byPort.get(p.port) ?? []), ps]);
      }
    }
    if (byPort.size === 0 && listenerPort === 80) byPort.set(80, []);
    for (const [port, svcs] of [...byPort.entries()].sort((a, b) => a[0] - b[0])) {
      wrappers.push({ port, services: svcs, vsHosts: hosts, routes, sources: [...configSources(vs), ...svcs.flatMap((s) => s.service.sources)] });
    }
  }
  const covered = new Set(wrappers.flatMap((w) => w.services.map((s) => s.hostname)));
  for (const ps of byName.values()) {
    if (covered.has(ps.hostname) || ps.service.resolution === 'Alias') continue;
    for (const p of ps.ports) {
      if (!isHttpOrSniffed(p.protocol)) continue;
      const cluster = subsetKey('outbound', '', ps.service.hostname, p.port);
      if (!destinationRules.has(ps.service)) destinationRules.set(ps.service, index.destinationRule(proxy, ps.service));
      const rule = destinationRules.get(ps.service);
      const route = buildDefaultOutboundRoute(cluster, `${ps.service.hostname}:${p.port}/*`, index.mesh, rule, p.port);
      const sources = rule && route.route?.hash_policy ? [...ps.service.sources, ...configSources(rule)] : ps.service.sources;
      wrappers.push({ port: p.port, services: [ps], vsHosts: [], routes: [route], sources });
    }
  }

  const knownFqdn = new Set<string>();
  for (const w of wrappers) for (const s of w.services) knownFqdn.add(`${s.hostname}:${w.port}`).add(s.hostname);
  const candidates: VhostCandidate[] = [];
  const names = new Set<string>();
  const add = (hostname: string, wrapper: VhostWrapper, service?: PortService) => {
    const name = `${hostname}:${wrapper.port}`;
    if (names.has(name)) return;
    names.add(name);
    const domainPort = listenerPort === 0 ? wrapper.port : 0;
    const namespaces = new Set<string>();
    for (const h of service ? [service.hostname, ...service.service.aliases] : []) {
      const ns = shortNamesNamespace(h);
      if (ns !== undefined) namespaces.add(ns);
    }
    // (A host naming the placeholder itself gets its domains for each proxy.)
    const domains = service ? serviceDomains(service, NO_NAMESPACE, service.service.address, domainPort) : { domains: [hostname], alt: [] };
    candidates.push({ name, wrapper, service, domainPort, namespaces, domains, sources: dedupeSources([...sidecarSources, ...wrapper.sources]) });
  };
  for (const w of wrappers) {
    if (w.routes.length === 0) continue;
    for (const h of w.vsHosts) add(h.toLowerCase(), w);
    for (const s of w.services) add(s.hostname, w, s);
  }
  return { listenerPort, candidates, knownFqdn };
}

/** A plan's virtual host as a proxy sees it, with its provenance. */
interface ProxyVhost {
  vhost: VirtualHost;
  sources: SourceRef[];
}

/** The plan's virtual hosts with the proxy's domains (the short names depend on its namespace). */
function virtualHostsForProxy({ listenerPort, candidates, knownFqdn }: VhostPlan, proxy: Proxy): ProxyVhost[] {
  const usedDomains = new Set<string>();
  const byPort = new Map<number, ProxyVhost[]>();
  for (const c of candidates) {
    let { domains, alt } = c.domains;
    let own = false;
    if (c.service) {
      const address = serviceAddressForProxy(c.service.service, proxy);
      if (c.namespaces.has(proxy.namespace) || c.namespaces.has(NO_NAMESPACE) || address !== c.service.service.address) {
        ({ domains, alt } = serviceDomains(c.service, proxy.namespace, address, c.domainPort));
        own = true;
      }
    }
    const kept: string[] = [];
    for (const d of domains) {
      const lc = d.toLowerCase();
      if (usedDomains.has(lc) || (knownFqdn.has(d) && alt.includes(d))) continue;
      usedDomains.add(lc);
      kept.push(d);
    }
    let list = byPort.get(c.wrapper.port);
    if (!list) byPort.set(c.wrapper.port, (list = []));
    if (kept.length === 0) continue;
    const make = (): VirtualHost => ({ name: c.name, domains: kept, routes: c.wrapper.routes, include_request_attempt_count: true });
    const vhost = own || kept.length !== domains.length ? make() : (c.vhost ??= make());
    list.push({ vhost, sources: c.sources });
  }

  if (listenerPort !== 0) return byPort.get(listenerPort) ?? [];
  // mergeAllVirtualHosts: port 80 as is, other ports keep only domains with a port.
  const merged: ProxyVhost[] = [];
  for (const [port, list] of byPort) {
    if (port === 80) merged.push(...list);
    else {
      for (const v of list) {
        const domains = v.vhost.domains.filter((d) => d.includes(':'));
        if (domains.length) merged.push({ ...v, vhost: { ...v.vhost, domains } });
      }
    }
  }
  return merged;
}

/** Label keys the scope's VirtualServices match on (sourceLabels): the only labels routes depend on besides DR selectors. */
const sourceLabelKeysByScope = new WeakMap<SidecarScope, string[]>();

function sourceLabelKeys(scope: SidecarScope): string[] {
  let keys = sourceLabelKeysByScope.get(scope);
  if (!keys) {
    const found = new Set<string>();
    for (const e of scope.egress) {
      for (const vs of e.virtualServices) {
        for (const http of (vs.spec?.http ?? []) as HttpRoute[]) {
          for (const m of http.match ?? []) for (const k of Object.keys(m.sourceLabels ?? {})) found.add(k);
        }
      }
    }
    keys = [...found].sort();
    sourceLabelKeysByScope.set(scope, keys);
  }
  return keys;
}

/** What of the proxy a route plan depends on besides its scope view: the labels its scope's VirtualServices match on. */
const planKey = (proxy: Proxy, scope: SidecarScope): string => JSON.stringify(sourceLabelKeys(scope).map((k) => proxy.labels[k] ?? null));

/** What of the proxy its domains depend on: the namespace (short names) and auto-allocated addresses. */
const domainKey = (proxy: Proxy): string => `${proxy.namespace}|${usesAutoAllocatedAddresses(proxy)}`;

/** What proxies of one scope view and plan key share: their DestinationRules by service and the virtual host plans. */
interface RoutePlans {
  destinationRules: Map<Service, IstioConfig | undefined>;
  /** The scope's Sidecar, first in every virtual host's provenance. */
  sidecarSources: SourceRef[];
  byEgress: Map<Egress, Map<number, VhostPlan>>;
  /** Built configurations by domain key. */
  byDomainKey: Map<string, BuiltRouteConfigs>;
}

/** What proxies of one plans table and domain key share (istiod caches RDS the same way). */
interface BuiltRouteConfigs {
  /** Built configurations by route name. */
  configs: Map<string, BuiltRouteConfig>;
  /** Whole RDS results (configurations and provenance) by the list of route names. */
  results: Map<string, RouteConfigsResult>;
}

/** Plans per scope view and plan key: route configuration and provenance objects are shared, nothing downstream mutates them. */
const plansByView = new WeakMap<ScopeView, Map<string, RoutePlans>>();

const newPlans = (scope: SidecarScope, destinationRules: Map<Service, IstioConfig | undefined>): RoutePlans => ({
  destinationRules,
  sidecarSources: scope.sidecar ? [scope.sidecar.source] : [],
  byEgress: new Map(),
  byDomainKey: new Map(),
});

/** The proxy's plans table, shared when its scope view is known; a table of its own otherwise. */
function routePlans(index: MeshIndex, proxy: Proxy, scope: SidecarScope): { plans: RoutePlans; built?: BuiltRouteConfigs } {
  const view = scopeView(index, proxy);
  if (!view) return { plans: newPlans(scope, new Map()) };
  const byKey = memoFor(plansByView, view, () => new Map<string, RoutePlans>());
  const plans = memoFor(byKey, planKey(proxy, scope), () => newPlans(scope, new Map(view.destinationRules)));
  const built = memoFor(plans.byDomainKey, domainKey(proxy), () => ({ configs: new Map(), results: new Map() }));
  return { plans, built };
}

/** The sidecar's outbound route configurations by RDS name, with their provenance. */
export function buildSidecarRouteConfigs(index: MeshIndex, proxy: Proxy, scope: SidecarScope, names: string[]): RouteConfigsResult {
  const { plans, built: shared } = routePlans(index, proxy, scope);
  const namesKey = names.join('\n');
  const known = shared?.results.get(namesKey);
  if (known) return known;
  const sniffedVhosts: SniffedVhosts = new Map();
  const configs = names.map((name) => memoFor(shared?.configs ?? new Map<string, BuiltRouteConfig>(), name, () => buildSidecarRouteConfig(index, proxy, scope, name, plans, sniffedVhosts)));
  const routes: Record<string, SourceRef[]> = {};
  configs.forEach((built, i) => (routes[names[i]] = built.sources));
  let virtualHosts: Record<string, SourceRef[]> | undefined;
  const result: RouteConfigsResult = {
    routes: configs.map((built) => built.route),
    provenance: {
      routes,
      // Thousands of entries, made only when someone reads them.
      get virtualHosts() {
        if (!virtualHosts) {
          virtualHosts = {};
          configs.forEach((built, i) => {
            for (const vhost in built.vhostSources) virtualHosts![`${names[i]}/${vhost}`] = built.vhostSources[vhost];
          });
        }
        return virtualHosts;
      },
    },
  };
  shared?.results.set(namesKey, result);
  return result;
}

/**
 * Every virtual host of an egress listener's port, built once for all the sniffed route configurations
 * (`host:port`) of one RDS request: each of them keeps only its own host's (istiod filters the same list).
 */
type SniffedVhosts = Map<Egress, Map<number, ProxyVhost[]>>;

/** One sidecar outbound route configuration by its RDS name. */
function buildSidecarRouteConfig(
  index: MeshIndex,
  proxy: Proxy,
  scope: SidecarScope,
  routeName: string,
  plans: RoutePlans,
  sniffedVhosts: SniffedVhosts,
): BuiltRouteConfig {
  const parsed = parseRouteName(routeName);
  const egress = parsed ? egressForRds(scope, parsed.port, routeName) : undefined;
  if (!parsed || !egress) {
    return { route: { name: routeName, virtual_hosts: [], validate_clusters: false }, sources: [], vhostSources: {} };
  }
  let vhosts: ProxyVhost[];
  if (parsed.sniffed) {
    let byPort = sniffedVhosts.get(egress);
    if (!byPort) sniffedVhosts.set(egress, (byPort = new Map()));
    let all = byPort.get(parsed.port);
    if (!all) byPort.set(parsed.port, (all = buildVirtualHosts(index, proxy, egress, parsed.port, plans)));
    const withoutPort = routeName.slice(0, routeName.lastIndexOf(':'));
    vhosts = all.filter((v) => v.vhost.domains.some((d) => d === routeName || d === withoutPort));
    // The list is shared by this request's sniffed configurations: the one kept is copied, not changed.
    if (vhosts.length === 1) vhosts = [{ ...vhosts[0], vhost: { ...vhosts[0].vhost, domains: ['*'] } }];
  } else {
    vhosts = buildVirtualHosts(index, proxy, egress, parsed.port, plans);
  }
  vhosts.sort((a, b) => (a.vhost.name < b.vhost.name ? -1 : a.vhost.name > b.vhost.name ? 1 : 0));
  const virtualHosts = vhosts.map((v) => v.vhost);
  const { sidecarSources } = plans;
  if (!parsed.sniffed) virtualHosts.push(catchAllVirtualHost(index, scope));
  const vhostSources: Record<string, SourceRef[]> = {};
  for (const v of vhosts) vhostSources[v.vhost.name] = v.sources;
  return {
    route: {
      name: routeName,
      virtual_hosts: virtualHosts,
      validate_clusters: false,
      max_direct_response_body_size_bytes: MAX_DIRECT_RESPONSE_BODY_SIZE_BYTES,
      ignore_port_in_host_matching: true,
    },
    sources: dedupeSources([...sidecarSources, ...vhosts.flatMap((v) => v.sources)]),
    vhostSources,
  };
}
