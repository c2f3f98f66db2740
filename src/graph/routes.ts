// VirtualService routes as graph edges: each http/tls/tcp route's destinations with their weights,
// and its match conditions written as people read them (networking/v1 HTTPMatchRequest, L4 and TLS
// matches). Hosts are already fully qualified (src/mesh/config.ts resolveVirtualService).

import type { IstioConfig } from '../mesh/types.js';

export interface RouteDestination {
  /** "VirtualService namespace/name http[0]" (and the route's name). */
  route: string;
  protocol: 'http' | 'tls' | 'tcp';
  host: string;
  subset: string | null;
  port: number | null;
  weight: number;
  match: string;
}

const stringMatch = (m: any): string => {
  if (!m || typeof m !== 'object') return '';
  if (m.exact !== undefined) return `= ${m.exact}`;
  if (m.prefix !== undefined) return `${m.prefix}*`;
  if (m.regex !== undefined) return `~ ${m.regex}`;
  return '';
};

const keyed = (label: string, entries: unknown): string[] =>
  entries && typeof entries === 'object' ? Object.entries(entries).map(([k, v]) => `${label} ${k} ${stringMatch(v)}`.trim()) : [];

/** One match block's conditions joined by "and"; blocks joined by "or". */
function matchText(matches: unknown): string {
  if (!Array.isArray(matches) || matches.length === 0) return '';
  return matches
    .map((m: any) =>
      [
        m.uri ? `path ${stringMatch(m.uri)}` : '',
        m.method ? `method ${stringMatch(m.method)}` : '',
        m.authority ? `authority ${stringMatch(m.authority)}` : '',
        m.scheme ? `scheme ${stringMatch(m.scheme)}` : '',
        ...keyed('header', m.headers),
        ...keyed('query', m.queryParams),
        ...keyed('without header', m.withoutHeaders),
        m.port ? `port ${m.port}` : '',
        Array.isArray(m.sniHosts) ? `sni ${m.sniHosts.join(', ')}` : '',
        Array.isArray(m.destinationSubnets) ? `to ${m.destinationSubnets.join(', ')}` : '',
        m.sourceLabels ? `from ${Object.entries(m.sourceLabels).map(([k, v]) => `${k}=${v}`).join(',')}` : '',
        m.sourceNamespace ? `from namespace ${m.sourceNamespace}` : '',
      ]
        .filter(Boolean)
        .join(' and '),
    )
    .filter(Boolean)
    .join(' or ');
}

/** Match blocks that apply on a gateway ("mesh" or "namespace/name"): those naming no gateways, or this one. */
const matchesOn = (matches: any[], gateway: string): any[] =>
  matches.filter((m) => !Array.isArray(m?.gateways) || m.gateways.includes(gateway));

/** Every destination of every route of a VirtualService that applies on a gateway ("mesh" for sidecars);
 *  routes without one (redirects, direct responses) have none. */
export function routeDestinations(vs: IstioConfig, gateway: string): RouteDestination[] {
  const out: RouteDestination[] = [];
  for (const protocol of ['http', 'tls', 'tcp'] as const) {
    const routes: any[] = Array.isArray(vs.spec[protocol]) ? vs.spec[protocol] : [];
    routes.forEach((r, i) => {
      const matches = Array.isArray(r.match) ? matchesOn(r.match, gateway) : [];
      if (Array.isArray(r.match) && r.match.length > 0 && matches.length === 0) return; // for other gateways
      const destinations: any[] = Array.isArray(r.route) ? r.route.filter((d: any) => d?.destination?.host) : [];
      const total = destinations.reduce((sum, d) => sum + (Number(d.weight) || 0), 0);
      const route = `VirtualService ${vs.namespace}/${vs.name} ${protocol}[${i}]${r.name ? ` ${r.name}` : ''}`;
      for (const d of destinations) {
        // One destination without a weight takes all; weights are shares of their sum (Envoy's total_weight).
        const weight = destinations.length === 1 ? 100 : total > 0 ? Math.round(((Number(d.weight) || 0) * 100) / total) : 0;
        out.push({
          route,
          protocol,
          host: d.destination.host,
          subset: d.destination.subset ?? null,
          port: d.destination.port?.number ?? null,
          weight,
          match: matchText(matches),
        });
      }
    });
  }
  return out;
}
