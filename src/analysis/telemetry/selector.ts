// telemetry.SelectorAnalyzer (analyzers/telemetry/selector.go): a Telemetry selector must match a pod of its
// namespace, and no pod may be selected by two Telemetries (istiod then picks one).

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, record, selectorString, selects, specOf } from '../context.js';

export const telemetrySelectorAnalyzer: Analyzer = {
  name: 'telemetry.SelectorAnalyzer',
  description: "Validates that telemetries that define a selector match at least one pod, and that there aren't multiple telemetry resources that select overlapping pods",
  analyze(c) {
    const byPod = new Map<K8sObject, K8sObject[]>();
    for (const t of c.all(KINDS.Telemetry)) {
      const matchLabels = record(record(specOf(t).selector).matchLabels);
      if (Object.keys(matchLabels).length === 0) continue;
      const pods = c.workloadPods().filter((p) => p.metadata.namespace === t.metadata.namespace && selects(matchLabels, labelsOf(p)));
      for (const p of pods) byPod.set(p, [...(byPod.get(p) ?? []), t]);
      if (pods.length === 0) c.report(t, 'ReferencedResourceNotFound', `Referenced selector not found: "${selectorString(matchLabels)}"`, 'spec.selector.matchLabels');
    }
    for (const [pod, ts] of byPod) {
      if (ts.length < 2) continue;
      const names = ts.map((t) => t.metadata.name).sort();
      for (const t of ts) {
        c.report(t, 'ConflictingTelemetryWorkloadSelectors', `The Telemetries [${names.join(' ')}] in namespace ${pod.metadata.namespace} select the same workload pod ${pod.metadata.name}: istiod uses only one`, 'metadata.name');
      }
    }
  },
};
