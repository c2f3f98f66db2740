// virtualservice.ConflictingMeshGatewayHostsAnalyzer (analyzers/virtualservice/conflictingmeshgatewayhosts.go):
// several mesh VirtualServices for one host (in one export scope) of which istiod uses only the oldest.

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, list, specOf, str } from '../context.js';
import { hostMatches } from '../../mesh/hosts.js';
import { toFqdn } from '../util/hosts.js';

const fullName = (o: K8sObject) => `${o.metadata.namespace}/${o.metadata.name}`;

export const conflictingMeshGatewayHostsAnalyzer: Analyzer = {
  name: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  description: 'Checks if multiple virtual services associated with the mesh gateway have conflicting hosts',
  analyze(c) {
    // "scope/fqdn" → mesh VirtualServices (initMeshGatewayHosts).
    const byHost = new Map<string, K8sObject[]>();
    for (const vs of c.all(KINDS.VirtualService)) {
      const gateways = list(specOf(vs).gateways).map(str);
      if (gateways.length > 0 && !gateways.includes('mesh')) continue;
      const exportTo = list(specOf(vs).exportTo).map(str);
      const ns = vs.metadata.namespace;
      const scopes = exportTo.length === 0 || exportTo.includes('*') ? ['*'] : [...new Set(exportTo.map((e) => (e === '.' ? ns : e)))];
      for (const scope of scopes) {
        for (const h of list(specOf(vs).hosts).map(str)) {
          const key = `${scope}/${toFqdn(ns, h)}`;
          byHost.set(key, [...(byHost.get(key) ?? []), vs]);
        }
      }
    }
    const reported = new Set<K8sObject>();
    for (const [scoped, own] of byHost) {
      const slash = scoped.indexOf('/');
      const [scope, host] = [scoped.slice(0, slash), scoped.slice(slash + 1)];
      const vss = [...own];
      if (scope !== '*') {
        for (const [other, list] of byHost) {
          const otherSlash = other.indexOf('/');
          if (other.slice(0, otherSlash) === '*' && hostMatches(host, other.slice(otherSlash + 1))) vss.push(...list);
        }
      }
      if (vss.length <= 1) continue;
      const names = vss.map(fullName).sort().join(',');
      for (const vs of vss) {
        if (reported.has(vs)) continue;
        reported.add(vs);
        c.report(vs, 'ConflictingMeshGatewayVirtualServiceHosts', `The VirtualServices ${names} associated with mesh gateway define the same host ${scoped}, which can lead to undefined behavior: merge them into one`, 'metadata.name');
      }
    }
  },
};
