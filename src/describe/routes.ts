// The VirtualService and DestinationRule facts istioctl x describe prints for a service of a pod
// (istioctl/pkg/describe/describe.go printDestinationRule, httpRouteMatchSvc, tcpRouteMatchSvc, renderMatch).

import { hostMatches, labelsMatch } from '../mesh/hosts.js';
import type { IstioConfig, Service } from '../mesh/types.js';
import type { PodDescription } from './schema.js';

type DestinationRuleFacts = NonNullable<PodDescription['services'][number]['ports'][number]['destinationRule']>;
export type VirtualServiceFacts = NonNullable<PodDescription['services'][number]['ports'][number]['virtualService']>;

/** The subsets whose labels the pod carries, and those it does not (getDestRuleSubsets). */
export function subsetsOf(dr: IstioConfig, labels: Record<string, string>): { matching: string[]; nonMatching: string[] } {
  const subsets: any[] = Array.isArray(dr.spec.subsets) ? dr.spec.subsets : [];
  const matching = subsets.filter((s) => labelsMatch(s?.labels ?? {}, labels)).map((s) => String(s?.name));
  const nonMatching = subsets.filter((s) => !labelsMatch(s?.labels ?? {}, labels)).map((s) => String(s?.name));
  return { matching, nonMatching };
}

/** recordShortPolicies: which of load balancer, connection pool and outlier detection a policy sets. */
const shortPolicies = (p: any): string[] =>
  [['loadBalancer', 'load balancer'], ['connectionPool', 'connection pool'], ['outlierDetection', 'outlier detection']].filter(([f]) => p?.[f]).map(([, n]) => n);

export function destinationRuleFacts(dr: IstioConfig, labels: Record<string, string>): DestinationRuleFacts {
  const { matching, nonMatching } = subsetsOf(dr, labels);
  const tp = dr.spec.trafficPolicy;
  return {
    name: dr.name,
    namespace: dr.namespace,
    host: String(dr.spec.host ?? ''),
    matchingSubsets: matching,
    nonMatchingSubsets: nonMatching,
    trafficPolicy: tp
      ? {
          ...(tp.tls?.mode ? { tlsMode: String(tp.tls.mode) } : {}),
          policies: shortPolicies(tp),
          portLevelSettings: (Array.isArray(tp.portLevelSettings) ? tp.portLevelSettings : []).map((ps: any) => ({
            port: Number(ps?.port?.number ?? 0),
            ...(ps?.tls?.mode ? { tlsMode: String(ps.tls.mode) } : {}),
            policies: shortPolicies(ps),
          })),
        }
      : null,
  };
}

/** renderStringMatch: exact as is, prefix with a `*`, else the match's own form. */
function renderStringMatch(m: any): string {
  if (m?.exact !== undefined) return String(m.exact);
  if (m?.prefix !== undefined) return `${m.prefix}*`;
  if (m?.regex !== undefined) return `regex ${m.regex}`;
  return JSON.stringify(m ?? {});
}

/** renderMatch: the URI (uncased when ignoreUriCase), then the headers. */
export function renderMatch(match: any): string {
  let out = 'Match: ';
  if (match?.uri) out += renderStringMatch(match.uri) + (match.ignoreUriCase ? ' uncased' : '');
  const headers = Object.entries(match?.headers ?? {});
  if (headers.length > 0) out += ` when headers are ${headers.map(([k, v]) => `${k}=${renderStringMatch(v)}`).join('; ')}`;
  if (match?.port) out += ` port ${match.port}`;
  return out.trim();
}

/**
 * Every rule of a VirtualService for one service of the pod: its matches and destinations, and whether it
 * reaches the pod (a destination is the service, with no subset or one the pod matches).
 */
export function virtualServiceFacts(vs: IstioConfig, svc: Service, subsets: { matching: string[]; nonMatching: string[] } | undefined): VirtualServiceFacts {
  const routes: VirtualServiceFacts['routes'] = [];
  for (const kind of ['http', 'tls', 'tcp'] as const) {
    const rules: any[] = Array.isArray(vs.spec[kind]) ? vs.spec[kind] : [];
    rules.forEach((rule, index) => {
      const notes: string[] = [];
      let reachesPod = false;
      const destinations = (Array.isArray(rule?.route) ? rule.route : []).map((d: any) => {
        const host = String(d?.destination?.host ?? '');
        const subset = d?.destination?.subset ? String(d.destination.subset) : undefined;
        if (hostMatches(host, svc.hostname) && !host.startsWith('*')) {
          if (!subset || subsets?.matching.includes(subset)) reachesPod = true;
          else if (subsets?.nonMatching.includes(subset)) notes.push(`Route to non-matching subset ${subset}`);
          else notes.push(subsets ? `Route to UNKNOWN subset ${subset}` : `Route to subset ${subset} but NO DESTINATION RULE defining subsets`);
        }
        return {
          host,
          ...(subset ? { subset } : {}),
          ...(d?.destination?.port?.number ? { port: Number(d.destination.port.number) } : {}),
          weight: d?.weight !== undefined ? Number(d.weight) : (rule.route.length === 1 ? 100 : 0),
        };
      });
      const matches = (Array.isArray(rule?.match) ? rule.match : []).map((m: any) => (kind === 'http' ? renderMatch(m) : `Match: ${JSON.stringify(m)}`));
      if (kind === 'http' && rule?.fault) matches.unshift(`Fault injection ${JSON.stringify(rule.fault)}`);
      routes.push({ kind, index, ...(rule?.name ? { name: String(rule.name) } : {}), reachesPod, matches, destinations, notes });
    });
  }
  return { name: vs.name, namespace: vs.namespace, hosts: (vs.spec.hosts ?? []).map(String), routes };
}
