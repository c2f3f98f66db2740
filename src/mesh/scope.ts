// What a proxy can see (pilot/pkg/model/sidecar.go, virtualservice.go SelectVirtualServices,
// push_context.go servicesExportedToNamespace / VirtualServicesForGateway).

import { hostMatches, hostSubsetOf, isWildcard } from './hosts.js';
import { vsGateways } from './config.js';
import { exportedTo } from './services.js';
import type { IstioConfig, Service, ServicePort, SidecarScope } from './types.js';
import { idOf, idsOf } from '../util/identity.js';

/** Hosts a Sidecar egress listener imports from one namespace (hostClassification). */
interface HostClass {
  exact: Set<string>;
  all: string[];
  excluded: string[];
}

const excludedBy = (hc: HostClass | undefined, h: string): boolean => !!hc && hc.excluded.some((e) => hostSubsetOf(h, e));

function classMatches(hc: HostClass, h: string): boolean {
  if (hc.exact.has(h)) return true;
  return hc.all.some((imported) => (isWildcard(h) || isWildcard(imported)) && hostSubsetOf(h, imported));
}

function classMatchesVs(hc: HostClass, vsHost: string): boolean {
  if (hc.exact.has(vsHost)) return true;
  return hc.all.some((imported) => (isWildcard(vsHost) || isWildcard(imported)) && hostMatches(vsHost, imported));
}

/** Egress `hosts` ("ns/host", `.` = own namespace, `*` = any, `~ns/host` = exclusion) by namespace. */
function classifyHosts(hosts: string[], configNamespace: string): Map<string, HostClass> {
  const out = new Map<string, HostClass>();
  for (const entry of hosts) {
    if (entry.split('/').length !== 2) continue;
    let [ns, name] = entry.split('/');
    const excluded = ns.startsWith('~');
    if (excluded) ns = ns.slice(1) || '*';
    if (ns === '.') ns = configNamespace;
    const hc = out.get(ns) ?? { exact: new Set<string>(), all: [], excluded: [] };
    if (excluded) hc.excluded.push(name);
    else {
      if (!isWildcard(name)) hc.exact.add(name);
      hc.all.push(name);
    }
    out.set(ns, hc);
  }
  return out;
}

export interface VirtualServiceIndex {
  privateByNamespaceAndGateway: Map<string, IstioConfig[]>;
  exportedToNamespaceByGateway: Map<string, IstioConfig[]>;
  publicByGateway: Map<string, IstioConfig[]>;
}

/** initVirtualServices: VSs (oldest first) indexed by gateway and by who may see them. */
export function indexVirtualServices(vss: IstioConfig[]): VirtualServiceIndex {
  const idx: VirtualServiceIndex = { privateByNamespaceAndGateway: new Map(), exportedToNamespaceByGateway: new Map(), publicByGateway: new Map() };
  // Appended in place: a copy per VirtualService made the public list of a 1000-service mesh quadratic (10 MiB per index).
  const push = (m: Map<string, IstioConfig[]>, k: string, vs: IstioConfig) => {
    const list = m.get(k);
    if (list) list.push(vs);
    else m.set(k, [vs]);
  };
  for (const vs of [...vss].sort((a, b) => a.creation - b.creation)) {
    const exportTo: string[] = (vs.spec.exportTo?.length ? vs.spec.exportTo : ['*']).map((e: string) => (e === '.' ? vs.namespace : e));
    for (const gw of vsGateways(vs)) {
      if (exportTo.includes('*')) push(idx.publicByGateway, gw, vs);
      else if (!exportTo.includes('~')) {
        for (const ns of new Set(exportTo)) {
          if (ns === vs.namespace) push(idx.privateByNamespaceAndGateway, `${ns}/${gw}`, vs);
          else push(idx.exportedToNamespaceByGateway, `${ns}/${gw}`, vs);
        }
      }
    }
  }
  return idx;
}

export function virtualServicesForGateway(idx: VirtualServiceIndex, proxyNs: string, gateway: string): IstioConfig[] {
  return [
    ...(idx.privateByNamespaceAndGateway.get(`${proxyNs}/${gateway}`) ?? []),
    ...(idx.exportedToNamespaceByGateway.get(`${proxyNs}/${gateway}`) ?? []),
    ...(idx.publicByGateway.get(gateway) ?? []),
  ];
}

function selectVirtualServices(idx: VirtualServiceIndex, configNamespace: string, hosts: Map<string, HostClass>): IstioConfig[] {
  const out = new Set<IstioConfig>();
  const wildcard = hosts.get('*');
  for (const vs of virtualServicesForGateway(idx, configNamespace, 'mesh')) {
    if (out.has(vs)) continue;
    const nsHosts = hosts.get(vs.namespace);
    if ((nsHosts && vsSelected(vs, nsHosts, nsHosts, wildcard)) || (wildcard && vsSelected(vs, wildcard, nsHosts, wildcard))) out.add(vs);
  }
  return [...out];
}

/** A VS host the class imports and neither the namespace's nor the wildcard exclusions remove. */
function vsSelected(vs: IstioConfig, hc: HostClass, nsHosts: HostClass | undefined, wildcard: HostClass | undefined): boolean {
  for (const h of (vs.spec.hosts ?? []) as string[]) if (classMatchesVs(hc, h) && !excludedBy(nsHosts, h) && !excludedBy(wildcard, h)) return true;
  return false;
}

/** vsDestinations of the VSs whose rules name no source namespace: the same for every namespace, built once. */
const destinationsOfAnyNamespace = new WeakMap<IstioConfig, Map<string, Set<number>>>();

/** Destination hosts of a VS with their ports (0 = any port), skipping rules for other source namespaces. */
function vsDestinations(vs: IstioConfig, configNamespace: string): Map<string, Set<number>> {
  const known = destinationsOfAnyNamespace.get(vs);
  if (known) return known;
  const out = new Map<string, Set<number>>();
  let namespaced = false;
  for (const r of vs.spec.http ?? []) {
    namespaced ||= namesSourceNamespace(r);
    if (!forSource(r, configNamespace)) continue;
    for (const d of r.route ?? []) addDestination(out, d);
    if (r.mirror) addDestination(out, r.mirror);
    for (const m of r.mirrors ?? []) addDestination(out, m);
  }
  for (const r of [...(vs.spec.tcp ?? []), ...(vs.spec.tls ?? [])]) {
    namespaced ||= namesSourceNamespace(r);
    if (forSource(r, configNamespace)) for (const d of r.route ?? []) addDestination(out, d);
  }
  if (!namespaced) destinationsOfAnyNamespace.set(vs, out);
  return out;
}

const namesSourceNamespace = (r: any): boolean => Array.isArray(r.match) && r.match.some((m: any) => m?.sourceNamespace);
const forSource = (r: any, configNamespace: string): boolean =>
  !Array.isArray(r.match) || r.match.length === 0 || r.match.some((m: any) => !m?.sourceNamespace || m.sourceNamespace === configNamespace);

function addDestination(out: Map<string, Set<number>>, d: any): void {
  const host = d?.destination?.host ?? d?.host;
  if (!host) return;
  const ports = out.get(host) ?? new Set<number>();
  ports.add(Number(d?.destination?.port?.number ?? d?.port?.number ?? 0));
  out.set(host, ports);
}

/** Services visible to a namespace: exported to it, then public; each oldest first. */
export function servicesExportedTo(servicesByCreation: Service[], ns: string): Service[] {
  const isPublic = (s: Service) => s.exportTo.includes('*');
  return [
    ...servicesByCreation.filter((s) => !isPublic(s) && !s.exportTo.includes('~') && s.exportTo.includes(ns)),
    ...servicesByCreation.filter(isPublic),
  ];
}

/** A scope's services, one per hostname, as appendSidecarServices builds them. */
class ServiceList {
  readonly services: Service[] = [];
  private readonly positions = new Map<string, number>();

  /** Kubernetes beats ServiceEntry; same-namespace ports merge. */
  append(s: Service): void {
    const i = this.positions.get(s.hostname);
    if (i === undefined) {
      this.positions.set(s.hostname, this.services.length);
      this.services.push(s);
      return;
    }
    const existing = this.services[i];
    if (existing === s) return;
    if (existing.registry === 'Kubernetes' && s.registry !== 'Kubernetes') return;
    if (existing.registry !== 'Kubernetes' && s.registry === 'Kubernetes') {
      this.services[i] = s;
      return;
    }
    if (samePorts(existing.ports, s.ports) || !canMerge(existing, s)) return;
    const ports = [...existing.ports, ...s.ports.filter((p) => !existing.ports.some((e) => e.port === p.port))];
    this.services[i] = { ...existing, ports };
  }
}

const samePorts = (a: ServicePort[], b: ServicePort[]): boolean => JSON.stringify(a) === JSON.stringify(b);
const canMerge = (a: Service, b: Service): boolean =>
  a.namespace === b.namespace &&
  a.resolution === b.resolution &&
  a.registry === b.registry &&
  JSON.stringify(a.labels) === JSON.stringify(b.labels) &&
  JSON.stringify(a.selector ?? {}) === JSON.stringify(b.selector ?? {}) &&
  JSON.stringify(a.exportTo) === JSON.stringify(b.exportTo);

/** A service trimmed to the given ports (undefined when none remain). */
function withPorts(s: Service, keep: (p: ServicePort) => boolean): Service | undefined {
  const ports = s.ports.filter(keep);
  if (ports.length === s.ports.length) return s;
  return ports.length > 0 ? { ...s, ports } : undefined;
}

export interface ScopeInputs {
  servicesByCreation: Service[];
  /** servicesByCreation grouped by hostname (each group oldest first). */
  servicesByCreationAndHost: Map<string, Service[]>;
  vsIndex: VirtualServiceIndex;
  outboundMode: 'ALLOW_ANY' | 'REGISTRY_ONLY';
}

const byHostname = (a: Service, b: Service) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0);

/** DefaultSidecarScopeForGateway: every service exported to the namespace, VSs bound to "mesh". */
export function gatewayScope(inputs: ScopeInputs, ns: string): SidecarScope {
  const list = new ServiceList();
  for (const s of servicesExportedTo(inputs.servicesByCreation, ns)) list.append(s);
  const services = list.services;
  const virtualServices = virtualServicesForGateway(inputs.vsIndex, ns, 'mesh');
  services.sort(byHostname);
  return {
    egress: [{ hosts: ['*/*'], services, virtualServices }],
    services,
    virtualServices,
    outboundTrafficPolicy: inputs.outboundMode,
  };
}

/** convertToSidecarScope for a Sidecar resource (or none: the default `*\/*` egress). */
export function sidecarScope(inputs: ScopeInputs, ns: string, sidecar: IstioConfig | undefined): SidecarScope {
  const egressSpecs: any[] = sidecar?.spec.egress?.length ? sidecar.spec.egress : [{ hosts: ['*/*'] }];
  const visible = servicesExportedTo(inputs.servicesByCreation, ns);
  // needsPortMatch: an egress port (other than HTTP_PROXY) limits imported services to that port.
  const matchPorts: (number | undefined)[] = egressSpecs.map((e) =>
    e.port?.number && String(e.port?.protocol ?? '').toUpperCase() !== 'HTTP_PROXY' ? Number(e.port.number) : undefined,
  );
  const egress: SidecarScope['egress'] = egressSpecs.map((e, i) => {
    const hosts: string[] = e.hosts ?? [];
    const classes = classifyHosts(hosts, ns);
    const virtualServices = selectVirtualServices(inputs.vsIndex, ns, classes);
    const services = selectServices(visible, ns, classes, matchPorts[i]);
    return {
      ...(e.port ? { port: { number: Number(e.port.number), protocol: e.port.protocol, name: e.port.name } } : {}),
      ...(e.bind ? { bind: e.bind } : {}),
      ...(e.captureMode ? { captureMode: e.captureMode } : {}),
      hosts,
      services,
      virtualServices,
    };
  });

  // collectImportedServices: explicit imports first, then destinations of imported VSs.
  const imported = new ServiceList();
  egress.forEach((e, i) => {
    const matchPort = matchPorts[i];
    for (const s of e.services) imported.append(s);
    for (const vs of e.virtualServices) {
      for (const [host, ports] of vsDestinations(vs, ns)) {
        const candidates = inputs.servicesByCreationAndHost.get(host) ?? [];
        const chosen = candidates.find((s) => s.namespace === ns) ?? pickBestVisible(candidates, ns);
        if (!chosen) continue;
        const trimmed =
          matchPort !== undefined
            ? withPorts(chosen, (p) => p.port === matchPort)
            : ports.has(0)
              ? chosen
              : withPorts(chosen, (p) => ports.has(p.port));
        if (trimmed) imported.append(trimmed);
      }
    }
  });
  const all = imported.services.sort(byHostname);
  const virtualServices = new Set<IstioConfig>();
  for (const e of egress) for (const vs of e.virtualServices) virtualServices.add(vs);
  const mode = sidecar?.spec.outboundTrafficPolicy?.mode;
  return {
    sidecar,
    egress,
    services: all,
    virtualServices: [...virtualServices],
    outboundTrafficPolicy: mode === 'REGISTRY_ONLY' || mode === 'ALLOW_ANY' ? mode : inputs.outboundMode,
  };
}

/** pickBestVisibleNamespace: a visible Kubernetes service, else the oldest visible one. */
function pickBestVisible(candidates: Service[], ns: string): Service | undefined {
  const visible = candidates.filter((s) => exportedTo(s.exportTo, ns));
  return visible.find((s) => s.registry === 'Kubernetes') ?? visible.sort((a, b) => a.creation - b.creation)[0];
}

/** selectServices with PILOT_UNIFIED_SIDECAR_SCOPE: imports by namespace, one namespace per hostname. */
function selectServices(visible: Service[], ns: string, classes: Map<string, HostClass>, matchPort: number | undefined): Service[] {
  const imported: Service[] = [];
  const wildcard = classes.get('*');
  const matching = (hc: HostClass, s: Service): Service | undefined => {
    if (!classMatches(hc, s.hostname)) return undefined;
    const svc = matchPort !== undefined ? withPorts(s, (p) => p.port === matchPort) : s;
    if (!svc) return undefined;
    const aliases = svc.aliases.filter((a) => classMatches(hc, a));
    return aliases.length === svc.aliases.length ? svc : { ...svc, aliases };
  };
  for (const s of visible) {
    const nsHosts = classes.get(s.namespace);
    if (excludedBy(nsHosts, s.hostname) || excludedBy(wildcard, s.hostname)) continue;
    const fromNs = nsHosts ? matching(nsHosts, s) : undefined;
    if (fromNs) {
      imported.push(fromNs);
      continue;
    }
    const fromAny = wildcard ? matching(wildcard, s) : undefined;
    if (fromAny) imported.push(fromAny);
  }
  const chosenNs = new Map<string, { ns: string; kube: boolean }>();
  for (const s of imported) {
    const np = { ns: s.namespace, kube: s.registry === 'Kubernetes' };
    const ex = chosenNs.get(s.hostname);
    if (!ex || s.namespace === ns || (!ex.kube && np.kube && (np.ns === ns || ex.ns !== ns))) chosenNs.set(s.hostname, np);
  }
  return imported.filter((s) => chosenNs.get(s.hostname)!.ns === s.namespace);
}

/**
 * What a scope is made of, by identity: namespaces whose scopes are made of the same objects get one
 * scope object, so everything cached per scope downstream is shared by them. A Sidecar's "./" hosts
 * name the proxy namespace, so their scopes stay per namespace.
 */
export function scopeContentKey(scope: SidecarScope, ns: string): string {
  const local = scope.sidecar && scope.egress.some((e) => e.hosts.some((h) => h.startsWith('.') || h.startsWith('~.')));
  const egress = scope.egress.map((e) => [e.port ?? null, e.bind ?? null, e.captureMode ?? null, e.hosts, idsOf(e.services), idsOf(e.virtualServices)]);
  return JSON.stringify([local ? ns : null, scope.sidecar ? idOf(scope.sidecar) : null, scope.outboundTrafficPolicy, idsOf(scope.services), idsOf(scope.virtualServices), egress]);
}
