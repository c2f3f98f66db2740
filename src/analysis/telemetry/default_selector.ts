// telemetry.DefaultSelectorAnalyzer (analyzers/telemetry/default_selector.go): two Telemetries without a
// selector in one namespace, of which istiod uses one.

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, specOf } from '../context.js';

export const telemetryDefaultSelectorAnalyzer: Analyzer = {
  name: 'telemetry.DefaultSelectorAnalyzer',
  description: "Validates that there aren't multiple telemetry resources that have no selector",
  analyze(c) {
    const byNamespace = new Map<string, K8sObject[]>();
    for (const t of c.all(KINDS.Telemetry)) {
      if (specOf(t).selector !== undefined && specOf(t).selector !== null) continue;
      byNamespace.set(t.metadata.namespace, [...(byNamespace.get(t.metadata.namespace) ?? []), t]);
    }
    for (const [ns, ts] of byNamespace) {
      if (ts.length < 2) continue;
      const names = ts.map((t) => t.metadata.name).sort();
      for (const t of ts) c.report(t, 'MultipleTelemetriesWithoutWorkloadSelectors', `The Telemetries [${names.join(' ')}] in namespace "${ns}" have no selector: istiod uses only one`);
    }
  },
};
