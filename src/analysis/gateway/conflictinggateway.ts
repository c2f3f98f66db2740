// gateway.ConflictingGatewayAnalyzer (analyzers/gateway/conflictinggateway.go): Gateways that select the same
// workload and declare the same host and bind on the same port, which istiod can serve only once.

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, selectorString, selects, specOf, str, type AnalysisContext } from '../context.js';

/** host → bind, per gateway, per "selector~port" (the analyzer's gatewaysContextMap). */
type HostsBind = Map<string, string>;

const fullName = (o: K8sObject) => `${o.metadata.namespace}/${o.metadata.name}`;
const portOf = (server: any): string => String(Number(record(server?.port).number) || 0);

/** model.CheckDuplicates: hosts already known with the same bind; when none, the hosts become known. */
function checkDuplicates(hosts: string[], bind: string, known: HostsBind): string[] {
  const duplicates = hosts.filter((h) => known.has(h) && known.get(h) === bind);
  if (duplicates.length === 0) for (const h of hosts) known.set(h, bind);
  return duplicates;
}

function gatewaysMap(c: AnalysisContext): Map<string, Map<string, HostsBind>> {
  const out = new Map<string, Map<string, HostsBind>>();
  for (const gw of c.all(KINDS.Gateway)) {
    const sel = selectorString(record(specOf(gw).selector));
    for (const server of list(specOf(gw).servers)) {
      const key = `${sel}~${portOf(server)}`;
      if (!out.has(key)) out.set(key, new Map());
      out.get(key)!.set(fullName(gw), new Map(list(server?.hosts).map((h) => [str(h), str(server?.bind)])));
    }
  }
  return out;
}

const parseSelector = (s: string): Record<string, string> =>
  Object.fromEntries(s.split(',').map((p) => p.split('=')).filter((kv) => kv.length === 2));

export const conflictingGatewayAnalyzer: Analyzer = {
  name: 'gateway.ConflictingGatewayAnalyzer',
  description: "Checks a gateway's selector, port number and hosts",
  analyze(c) {
    const map = gatewaysMap(c);
    for (const gw of c.all(KINDS.Gateway)) {
      const selector = record(specOf(gw).selector);
      const sel = selectorString(selector);
      const sameWorkload = new Map<string, Map<string, HostsBind>>();
      for (const [key, gateways] of map) {
        const other = key.slice(0, key.lastIndexOf('~'));
        let matched = other === sel;
        if (!matched && (other.includes(sel) || sel.includes(other))) {
          const otherSelector = parseSelector(other);
          matched = c.workloadPods().some((pod) => selects(selector, labelsOf(pod)) && selects(otherSelector, labelsOf(pod)));
        }
        if (matched) sameWorkload.set(key, gateways);
      }
      if (sel !== '' && sameWorkload.size === 0) {
        c.report(gw, 'ReferencedResourceNotFound', `Referenced selector not found: "${sel}"`, 'spec.selector');
        continue;
      }
      list(specOf(gw).servers).forEach((server, i) => {
        const port = portOf(server);
        const conflicting: string[] = [];
        for (const [key, gateways] of sameWorkload) {
          if (key.slice(key.lastIndexOf('~') + 1) !== port) continue;
          for (const [name, hostsBind] of gateways) {
            if (name !== fullName(gw) && checkDuplicates(list(server?.hosts).map(str), str(server?.bind), hostsBind).length > 0) {
              conflicting.push(name);
            }
          }
        }
        if (conflicting.length === 0) return;
        const hosts = list(server?.hosts).map(str).join(',');
        c.report(
          gw,
          'ConflictingGateways',
          `This gateway conflicts with gateway(s) ${conflicting.sort().join(',')}: workload selector "${sel}", port ${port}, hosts ${hosts}`,
          `spec.servers[${i}]`,
        );
      });
    }
  },
};
