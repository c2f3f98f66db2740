// Istio config objects as the index holds them: ordered like istiod (creation time, then name,
// then namespace: sortConfigByCreationTime), with short names resolved (ResolveShortnameToFQDN,
// resolveVirtualServiceShortnames in pilot/pkg/model/config.go and virtualservice.go).

import type { K8sObject } from '../manifests/types.js';
import { sourceRef } from '../manifests/types.js';
import { resolveGatewayName, resolveShortname } from './hosts.js';
import type { IstioConfig } from './types.js';

/** Ranks objects by creationTimestamp, then name, then namespace, then input order. */
export function creationRanks(objects: K8sObject[]): Map<K8sObject, number> {
  // Each object's sort key read once (not once per comparison).
  const order = objects.map((o, i) => {
    const stamp = o.metadata.creationTimestamp;
    const t = stamp === undefined ? Number.NaN : Date.parse(stamp);
    return { o, i, t: Number.isNaN(t) ? 0 : t, name: o.metadata.name, namespace: o.metadata.namespace };
  });
  order.sort((a, b) => a.t - b.t || cmp(a.name, b.name) || cmp(a.namespace, b.namespace) || a.i - b.i);
  const ranks = new Map<K8sObject, number>();
  for (let rank = 0; rank < order.length; rank++) ranks.set(order[rank].o, rank);
  return ranks;
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function toIstioConfig(o: K8sObject, creation: number, spec: any = o.spec ?? {}): IstioConfig {
  return {
    name: o.metadata.name,
    namespace: o.metadata.namespace,
    spec,
    labels: o.metadata.labels ?? {},
    annotations: o.metadata.annotations ?? {},
    creation,
    source: sourceRef(o),
    object: o,
  };
}

const resolveDestination = (d: any, ns: string, domain: string): any =>
  d?.destination?.host ? { ...d, destination: { ...d.destination, host: resolveShortname(d.destination.host, ns, domain) } } : d;

/**
 * A route's destinations, qualified. One without `destination` (a warning of the manifest stage, which
 * istiod's validation would refuse) has nowhere to send traffic, so it is left out rather than followed.
 */
const resolveRoute = (route: any[], ns: string, domain: string): any[] =>
  route.filter((d) => typeof d?.destination === 'object' && d.destination !== null).map((d) => resolveDestination(d, ns, domain));

const resolveMatchGateways = (matches: any[] | undefined, ns: string): any[] | undefined =>
  matches?.map((m) => (Array.isArray(m?.gateways) ? { ...m, gateways: m.gateways.map((g: string) => resolveGatewayName(g, ns)) } : m));

/** A VirtualService with hosts, gateways and destinations qualified (resolveVirtualServiceShortnames). */
export function resolveVirtualService(spec: any, ns: string, domain: string): any {
  const out = { ...spec };
  if (Array.isArray(spec.hosts)) out.hosts = spec.hosts.map((h: string) => resolveShortname(h, ns, domain));
  if (Array.isArray(spec.gateways)) out.gateways = spec.gateways.map((g: string) => resolveGatewayName(g, ns));
  if (Array.isArray(spec.http)) {
    out.http = spec.http.map((r: any) => {
      const nr = { ...r };
      if (Array.isArray(r.route)) nr.route = resolveRoute(r.route, ns, domain);
      if (r.mirror?.host) nr.mirror = { ...r.mirror, host: resolveShortname(r.mirror.host, ns, domain) };
      if (Array.isArray(r.mirrors)) nr.mirrors = r.mirrors.map((m: any) => resolveDestination(m, ns, domain));
      if (r.match) nr.match = resolveMatchGateways(r.match, ns);
      return nr;
    });
  }
  for (const kind of ['tcp', 'tls'] as const) {
    if (Array.isArray(spec[kind])) {
      out[kind] = spec[kind].map((r: any) => ({
        ...r,
        ...(Array.isArray(r.route) ? { route: resolveRoute(r.route, ns, domain) } : {}),
        ...(r.match ? { match: resolveMatchGateways(r.match, ns) } : {}),
      }));
    }
  }
  return out;
}

/** The gateways a VirtualService binds to; none means the mesh (getGatewayNames). */
export const vsGateways = (vs: IstioConfig): string[] =>
  Array.isArray(vs.spec.gateways) && vs.spec.gateways.length > 0 ? vs.spec.gateways : ['mesh'];
