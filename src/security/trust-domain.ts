// The trust domain bundle: the mesh's trust domain and its aliases, which make principals written for
// one trust domain match identities of the others (pilot/pkg/security/trustdomain/bundle.go).

import type { MeshConfig } from '../mesh/types.js';

/** "cluster.local" in a principal stands for the local trust domain, whatever it is. */
const CLUSTER_LOCAL = 'cluster.local';

/** trustdomain.NewBundle(mesh.trustDomain, mesh.trustDomainAliases): the aliases sorted, as mesh.go reads them. */
export function trustDomainBundle(mesh: MeshConfig): string[] {
  const aliases = Array.isArray(mesh.trustDomainAliases) ? (mesh.trustDomainAliases as string[]).map(String) : [];
  return [mesh.trustDomain, ...[...new Set(aliases)].sort()];
}

/** ReplaceTrustDomainAliases: a principal "<td>/ns/<ns>/sa/<sa>" of a known (or the cluster.local) trust domain, once per trust domain. */
export function replaceTrustDomainAliases(bundle: string[], principals: string[]): string[] {
  const out: string[] = [];
  for (const principal of principals) {
    const parts = principal.split('/');
    // Not a SPIFFE identity, or "*" as trust domain: the trust domain is not enforced.
    if (parts.length !== 5 || parts[0] === '*') {
      out.push(principal);
      continue;
    }
    const td = parts[0];
    if (!bundle.some((known) => domainMatch(td, known)) && td !== CLUSTER_LOCAL) {
      out.push(principal);
      continue;
    }
    const forAliases: string[] = [];
    for (const alias of bundle) {
      // A "*suffix" trust domain that covers this alias keeps the principal as written.
      const p = suffixMatch(alias, td) ? principal : [alias, ...parts.slice(1)].join('/');
      if (!forAliases.includes(p)) forAliases.push(p);
    }
    out.push(...forAliases);
  }
  return out;
}

/** ExpandTrustDomainAliases: a known trust domain stands for all of them. */
export function expandTrustDomainAliases(bundle: string[], values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) for (const td of bundle.includes(v) ? bundle : [v]) if (!out.includes(td)) out.push(td);
  return out;
}

/** util.go suffixMatch: "*x" matches names ending in x. */
const suffixMatch = (name: string, pattern: string): boolean => pattern.startsWith('*') && name.endsWith(pattern.slice(1));
const prefixMatch = (name: string, pattern: string): boolean => pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1));

/** util.go stringMatch for one entry: equal, "*", or a prefix/suffix pattern on either side. */
const domainMatch = (a: string, s: string): boolean =>
  a === s || s === '*' || prefixMatch(a, s) || prefixMatch(s, a) || suffixMatch(a, s) || suffixMatch(s, a);
