// telemetry.ProviderAnalyzer (analyzers/telemetry/providers.go): access logging without a provider does
// nothing when meshConfig has no default access-log provider.

import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf } from '../context.js';

export const telemetryProviderAnalyzer: Analyzer = {
  name: 'telemetry.ProviderAnalyzer',
  description: 'Validates that providers in telemetry resource is valid',
  analyze(c) {
    if (list(record(c.mesh.defaultProviders).accessLogging).length > 0) return;
    for (const t of c.all(KINDS.Telemetry)) {
      list(specOf(t).accessLogging).forEach((l, i) => {
        const entry = record(l);
        if (entry.disabled === true || record(entry.disabled).value === true) return;
        if (list(entry.providers).length > 0) return;
        c.report(t, 'InvalidTelemetryProvider', `The Telemetry ${t.metadata.name} in namespace "${t.metadata.namespace}" has access logging without providers, and meshConfig has no default access-log provider: nothing is logged`, `spec.accessLogging[${i}]`);
      });
    }
  },
};
