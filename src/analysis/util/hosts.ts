// Host names as Istio's analyzers handle them (pkg/config/analysis/analyzers/util/hosts.go,
// service_lookup.go): short names qualified with the namespace, and the services a host names.

import { AnalysisContext, KINDS, annotationsOf, list, record, specOf, str } from '../context.js';

const FQDN = /^(.+)\.(.+)\.svc\.cluster\.local$/;

/** ConvertHostToFQDN: `reviews` in `default` is `reviews.default.svc.cluster.local`; wildcards and dotted names stay. */
export const toFqdn = (namespace: string, host: string): string =>
  host.startsWith('*') || host.includes('.') ? host : `${host}.${namespace}.svc.cluster.local`;

/** GetFullNameFromFQDN: the namespace and name of a Kubernetes service host, if it is one. */
export function fullNameOf(fqdn: string): { namespace: string; name: string } | undefined {
  const m = FQDN.exec(fqdn);
  return m ? { namespace: m[2], name: m[1] } : undefined;
}

/** GetResourceNameFromHost: a service FQDN's namespace and name, else the host as a name in the namespace. */
export const resourceNameOfHost = (namespace: string, host: string): { namespace: string; name: string } =>
  fullNameOf(host) ?? { namespace, name: host };

/** A host as a ServiceEntry (or a Kubernetes Service seen as one), with the ports it declares. */
export interface DestinationService {
  ports: { number: number; name: string; protocol: string }[];
  /** A ServiceEntry's workloadSelector labels. */
  workloadSelector?: Record<string, string>;
}

/** The hosts destinations can name, and the wildcard ones among them (which a lookup tries one by one). */
export interface DestinationHosts {
  /** "scope/fqdn" → service. */
  byScopedHost: Map<string, DestinationService>;
  /** The wildcard hosts, in the map's order: `suffix` is the host without its leading "*". */
  wildcards: { scope: string; suffix: string; service: DestinationService }[];
}

/** InitServiceEntryHostMap, built once per analysis. */
export const serviceEntryHosts = (c: AnalysisContext): DestinationHosts => c.shared(buildServiceEntryHosts);

function buildServiceEntryHosts(c: AnalysisContext): DestinationHosts {
  const byScopedHost = serviceEntryHostMap(c);
  const wildcards: DestinationHosts['wildcards'] = [];
  for (const [key, service] of byScopedHost) {
    const slash = key.indexOf('/');
    const host = key.slice(slash + 1);
    if (host.startsWith('*')) wildcards.push({ scope: key.slice(0, slash), suffix: host.slice(1), service });
  }
  return { byScopedHost, wildcards };
}

/** InitServiceEntryHostMap: "scope/fqdn" → service, for ServiceEntries (by exportTo) and Services (by the exportTo annotation). */
function serviceEntryHostMap(c: AnalysisContext): Map<string, DestinationService> {
  const out = new Map<string, DestinationService>();
  for (const se of c.all(KINDS.ServiceEntry)) {
    const spec = specOf(se);
    const ns = se.metadata.namespace;
    const exportTo = list(spec.exportTo).map(str);
    const service: DestinationService = {
      ports: list(spec.ports).map((p) => ({ number: Number(p?.number), name: str(p?.name), protocol: str(p?.protocol) })),
      workloadSelector: record(record(spec.workloadSelector).labels),
    };
    for (const h of list(spec.hosts).map(str)) {
      if (exportTo.length === 0 || exportTo.includes('*')) {
        out.set(`*/${toFqdn(ns, h)}`, service);
        continue;
      }
      for (const e of exportTo) out.set(`${e === '.' ? ns : e}/${toFqdn(ns, h)}`, service);
    }
  }
  for (const svc of c.all(KINDS.Service)) {
    const ns = svc.metadata.namespace;
    const service: DestinationService = {
      ports: list(specOf(svc).ports).map((p) => ({ number: Number(p?.port), name: str(p?.name), protocol: str(p?.protocol) })),
    };
    const anno = annotationsOf(svc)['networking.istio.io/exportTo'];
    const scopes = anno ? anno.split(',').map((s) => (s.trim() === '.' ? ns : s.trim())) : ['*'];
    for (const scope of scopes) out.set(`${scope}/${toFqdn(ns, svc.metadata.name)}`, service);
  }
  return out;
}

/** GetDestinationHost: the service a host names as seen from a namespace with the referrer's exportTo. */
export function destinationHost(
  sourceNs: string,
  exportTo: string[],
  host: string,
  hosts: DestinationHosts,
): DestinationService | undefined {
  const fqdn = toFqdn(sourceNs, host);
  const all = hosts.byScopedHost.get(`*/${fqdn}`);
  if (all) return all;
  const scopes = exportTo.length === 0 ? [sourceNs] : exportTo.map((e) => (e === '.' ? sourceNs : e));
  for (const scope of scopes) {
    const s = hosts.byScopedHost.get(`${scope}/${fqdn}`);
    if (s) return s;
  }
  // Wildcard ServiceEntry hosts, visible to all or to the source namespace.
  const bare = host.startsWith('*') ? host.slice(1) : host;
  for (const w of hosts.wildcards) {
    if ((w.scope === '*' || w.scope === sourceNs) && bare.endsWith(w.suffix)) return w.service;
  }
  return undefined;
}
