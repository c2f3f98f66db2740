// virtualservice.DestinationRuleAnalyzer (analyzers/virtualservice/destinationrules.go): a route's subset
// must be defined by a DestinationRule for its host, else Envoy answers 503 (no cluster).

import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str } from '../context.js';
import { resourceNameOfHost } from '../util/hosts.js';
import { mirrorDestinations, routeDestinations } from './util.js';

const subsetKey = (namespace: string, host: string, subset: string) => {
  const n = resourceNameOfHost(namespace, host);
  return `${n.namespace}/${n.name}+${subset}`;
};

export const destinationRuleAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationRuleAnalyzer',
  description: 'Checks the destination rules associated with each virtual service',
  analyze(c) {
    const subsets = new Set<string>();
    for (const dr of c.all(KINDS.DestinationRule)) {
      for (const ss of list(specOf(dr).subsets)) subsets.add(subsetKey(dr.metadata.namespace, str(specOf(dr).host), str(record(ss).name)));
    }
    for (const vs of c.all(KINDS.VirtualService)) {
      for (const d of [...routeDestinations(vs), ...mirrorDestinations(vs)]) {
        const [host, subset] = [str(d.destination.host), str(d.destination.subset)];
        if (!subset || subsets.has(subsetKey(vs.metadata.namespace, host, subset))) continue;
        const what = d.rule.startsWith('http.mirror') ? 'mirror+subset in destinationrule' : 'host+subset in destinationrule';
        c.report(vs, 'ReferencedResourceNotFound', `Referenced ${what} not found: "${host}+${subset}"`, `${d.path}.subset`);
      }
    }
  },
};
