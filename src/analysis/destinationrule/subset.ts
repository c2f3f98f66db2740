// destinationrule.SubsetSelectPodAnalyzer (analyzers/destinationrule/subset.go): a DestinationRule for a host
// no service defines (IST0174), and subsets whose labels (with the ServiceEntry's workload selector) match no
// pod, counting the topology labels a pod gets from its Node (IST0173).

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, selects, specOf, str } from '../context.js';
import { destinationHost, serviceEntryHosts } from '../util/hosts.js';

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
    const services = serviceEntryHosts(c);
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
    // Pods by each label (key=value), so a subset is checked against the pods that have one of its labels.
    const pods = c.workloadPods().map((p) => augmentedLabels(p, nodes));
    const byLabel = new Map<string, Record<string, string>[]>();
    for (const labels of pods) {
      for (const [k, v] of Object.entries(labels)) {
        const list = byLabel.get(`${k}=${v}`);
        if (list) list.push(labels);
        else byLabel.set(`${k}=${v}`, [labels]);
      }
    }
    for (const s of subsets) {
      const first = Object.entries(s.selector)[0];
      const candidates = first ? (byLabel.get(`${first[0]}=${first[1]}`) ?? []) : pods;
      s.matched = candidates.some((labels) => selects(s.selector, labels));
    }
    for (const s of subsets) {
      if (!s.matched) c.report(s.dr, 'DestinationRuleSubsetNotSelectPods', `The subset ${s.name} of the DestinationRule selects no pods: requests routed to it get 503`, s.path);
    }
  },
};
