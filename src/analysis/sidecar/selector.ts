// sidecar.SelectorAnalyzer (analyzers/sidecar/selector.go): a Sidecar's workloadSelector must match a pod of
// its namespace; a pod selected by two Sidecars, or two Sidecars without selector in one namespace, leave
// istiod to pick one; a Sidecar for ambient workloads does nothing.

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, record, selectorString, selects, specOf } from '../context.js';
import { namespaceInAmbientMode, podInAmbientMode } from '../util/ambient.js';

const names = (list: K8sObject[]) => list.map((o) => o.metadata.name).sort();

export const sidecarSelectorAnalyzer: Analyzer = {
  name: 'sidecar.SelectorAnalyzer',
  description: "Validates that sidecars that define a workload selector match at least one pod, and that there aren't multiple sidecar resources that select overlapping pods",
  analyze(c) {
    const byPod = new Map<K8sObject, K8sObject[]>();
    const byNamespace = new Map<string, K8sObject[]>();
    for (const s of c.all(KINDS.Sidecar)) {
      const selector = record(record(specOf(s).workloadSelector).labels);
      const ns = s.metadata.namespace;
      if (Object.keys(selector).length === 0) {
        byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), s]);
        continue;
      }
      const pods = c.workloadPods().filter((p) => p.metadata.namespace === ns && selects(selector, labelsOf(p)));
      for (const p of pods) byPod.set(p, [...(byPod.get(p) ?? []), s]);
      if (pods.length === 0) c.report(s, 'ReferencedResourceNotFound', `Referenced selector not found: "${selectorString(selector)}"`, 'spec.workloadSelector.labels');
    }
    const reported = new Set<K8sObject>();
    const ineffective = (s: K8sObject, why: string) => {
      if (reported.has(s)) return;
      reported.add(s);
      c.report(s, 'IneffectivePolicy', `The policy has no impact: ${why}`);
    };
    for (const [pod, sidecars] of byPod) {
      const ambient = podInAmbientMode(pod);
      if (sidecars.length === 1 && !ambient) continue;
      for (const s of sidecars) {
        if (ambient) ineffective(s, 'selected workload is in ambient mode');
        else c.report(s, 'ConflictingSidecarWorkloadSelectors', `The Sidecars [${names(sidecars).join(' ')}] in namespace ${pod.metadata.namespace} select the same workload pod ${pod.metadata.name}: istiod uses only one`, 'metadata.name');
      }
    }
    for (const [ns, sidecars] of byNamespace) {
      if (namespaceInAmbientMode(c.find(KINDS.Namespace, '', ns))) {
        for (const s of sidecars) ineffective(s, 'namespace is in ambient mode');
        continue;
      }
      if (sidecars.length < 2) continue;
      for (const s of sidecars) c.report(s, 'MultipleSidecarsWithoutWorkloadSelectors', `The Sidecars [${names(sidecars).join(' ')}] in namespace "${ns}" have no workload selector: istiod uses only one`);
    }
  },
};
