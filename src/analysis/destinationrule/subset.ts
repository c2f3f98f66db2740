// destinationrule.SubsetSelectPodAnalyzer (analyzers/destinationrule/subset.go): a DestinationRule for a host
// no service defines (IST0174), and subsets whose labels (with the ServiceEntry's workload selector) match no
// pod, counting the topology labels a pod gets from its Node (IST0173).

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, selects, specOf, str } from '../context.js';
import { destinationHost, serviceEntryHostMap } from '../util/hosts.js';

/** label.AugmentLabels with the pod's node: region, zone, subzone and hostname labels. */
function augmentedLabels(pod: K8sObject, nodes: Map<string, Record<string, string>>): Record<string, string> {
  const out = { ...labelsOf(pod) };
  const nodeName = str(specOf(pod).nodeName);
  const node = nodes.get(nodeName);
  if (node) {
    const set = (k: string, v: string | undefined) => v && (out[k] = v);
    set('topology.kubernetes.io/region', node['topology.kubernetes.io/region']);
    set('topology.kubernetes.io/zone', node['topology.kubernetes.io/zone']);
    set('topology.istio.io/subzone', node['topology.istio.io/subzone']);
  }
  if (nodeName) out['kubernetes.io/hostname'] = nodeName;
  return out;
}

export const subsetSelectPodAnalyzer: Analyzer = {
  name: 'destinationrule.SubsetSelectPodAnalyzer',
  description: 'Checks if pods are selected by subsets in destination rules.',
  analyze(c) {
    const services = serviceEntryHostMap(c);
    const nodes = new Map(c.all(KINDS.Node).map((n) => [n.metadata.name, labelsOf(n)]));
    const subsets: { dr: K8sObject; name: string; path: string; selector: Record<string, any>; matched: boolean }[] = [];
    for (const dr of c.all(KINDS.DestinationRule)) {
      const spec = specOf(dr);
      const se = destinationHost(dr.metadata.namespace, list(spec.exportTo).map(str), str(spec.host), services);
      if (!se) {
        c.report(dr, 'UnknownDestinationRuleHost', `DestinationRule for non-existent service host ${str(spec.host)}: its policies apply to nothing`, 'spec.host');
        continue;
      }
      list(spec.subsets).forEach((ss, i) => {
        subsets.push({ dr, name: str(record(ss).name), path: `spec.subsets[${i}]`, selector: { ...se.workloadSelector, ...record(record(ss).labels) }, matched: false });
      });
    }
    const pods = c.workloadPods().map((p) => augmentedLabels(p, nodes));
    for (const s of subsets) s.matched = pods.some((labels) => selects(s.selector, labels));
    for (const s of subsets) {
      if (!s.matched) c.report(s.dr, 'DestinationRuleSubsetNotSelectPods', `The subset ${s.name} of the DestinationRule selects no pods: requests routed to it get 503`, s.path);
    }
  },
};
