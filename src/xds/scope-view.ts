// What a proxy's outbound clusters and route plans depend on, besides its type: its sidecar scope, the
// DestinationRule in force for each service it can reach and which service each VirtualService
// destination names. Namespaces whose views are equal get one view object, so what is cached per view
// (clusters, route plans) is shared by them; what depends on the namespace itself (short domain names)
// is not cached per view.

import type { IstioConfig, MeshIndex, Proxy, Service, SidecarScope } from '../mesh/types.js';
import { idOf, idsOf } from '../util/identity.js';
import { memoFor } from './clusters/cache.js';
import { lookupService } from './routes/virtualservice.js';

export interface ScopeView {
  scope: SidecarScope;
  /** The DestinationRule of every service the scope imports, lists per egress, or a VirtualService destination names. */
  destinationRules: ReadonlyMap<Service, IstioConfig | undefined>;
  /** The service each VirtualService destination host resolves to, per VirtualService namespace. */
  destinationServices: ReadonlyMap<string, Service | undefined>;
}

interface ViewTables {
  /** By proxy type, namespace, scope and DestinationRule selector key. */
  byProxyKey: Map<string, ScopeView>;
  /** By content: the ids of the scope and of every rule and service above. */
  byContent: Map<string, ScopeView>;
}
const viewTables = new WeakMap<MeshIndex, ViewTables>();

/** The proxy's view; undefined when the index cannot tell which rules select the proxy (then nothing is shared). */
export function scopeView(index: MeshIndex, proxy: Proxy): ScopeView | undefined {
  if (!index.destinationRuleSelectorKey) return undefined;
  const tables = memoFor(viewTables, index, () => ({ byProxyKey: new Map(), byContent: new Map() }));
  const scope = index.sidecarScope(proxy);
  const proxyKey = `${proxy.type}|${proxy.namespace}|${idOf(scope)}|${index.destinationRuleSelectorKey(proxy)}`;
  return memoFor(tables.byProxyKey, proxyKey, () => {
    const view = buildView(index, proxy, scope);
    const services = [...view.destinationRules.keys()];
    const content = [
      proxy.type,
      idOf(scope),
      // sourceNamespace matches make routes depend on the namespace itself.
      scope.virtualServices.some(namesSourceNamespace) ? proxy.namespace : '',
      idsOf(services),
      idsOf(services.map((s) => view.destinationRules.get(s))),
      [...view.destinationServices.keys()].join(' '),
      idsOf([...view.destinationServices.values()]),
    ].join('|');
    return memoFor(tables.byContent, content, () => view);
  });
}

function buildView(index: MeshIndex, proxy: Proxy, scope: SidecarScope): ScopeView {
  const destinationRules = new Map<Service, IstioConfig | undefined>();
  const services = [...scope.services, ...scope.egress.flatMap((e) => e.services)];
  const destinationServices = new Map<string, Service | undefined>();
  for (const vs of scope.virtualServices) {
    for (const host of destinationHosts(vs)) {
      const key = `${vs.namespace}/${host}`;
      if (destinationServices.has(key)) continue;
      const service = lookupService(index, proxy, host, vs.namespace);
      destinationServices.set(key, service);
      if (service) services.push(service);
    }
  }
  for (const s of services) if (!destinationRules.has(s)) destinationRules.set(s, index.destinationRule(proxy, s));
  return { scope, destinationRules, destinationServices };
}

/** destinationHosts by VirtualService (the same for every view). */
const hostsByVirtualService = new WeakMap<IstioConfig, string[]>();

/** Every destination host of a VirtualService's http (routes and mirrors), tcp and tls rules. */
function destinationHosts(vs: IstioConfig): string[] {
  return memoFor(hostsByVirtualService, vs, () => {
    const destinations: any[] = [];
    for (const r of vs.spec.http ?? []) {
      for (const d of r.route ?? []) destinations.push(d?.destination);
      destinations.push(r.mirror);
      for (const m of r.mirrors ?? []) destinations.push(m?.destination);
    }
    for (const r of [...(vs.spec.tcp ?? []), ...(vs.spec.tls ?? [])]) for (const d of r.route ?? []) destinations.push(d?.destination);
    return destinations.filter((d) => typeof d?.host === 'string').map((d) => d.host as string);
  });
}

const namesSourceNamespace = (vs: IstioConfig): boolean =>
  [...(vs.spec.http ?? []), ...(vs.spec.tcp ?? []), ...(vs.spec.tls ?? [])].some(
    (r: any) => Array.isArray(r.match) && r.match.some((m: any) => m?.sourceNamespace),
  );
