// telemetry.LightstepAnalyzer (analyzers/telemetry/lightstep.go): tracing through a meshConfig extension
// provider of the deprecated lightstep type.

import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str } from '../context.js';

export const lightstepAnalyzer: Analyzer = {
  name: 'telemetry.LightstepAnalyzer',
  description: 'Validates that lightstep provider is still used',
  analyze(c) {
    const lightstep = new Set(list(c.mesh.extensionProviders).map(record).filter((p) => p.lightstep !== undefined).map((p) => str(p.name)));
    if (lightstep.size === 0) return;
    for (const t of c.all(KINDS.Telemetry)) {
      list(specOf(t).tracing).forEach((tr, i) => {
        for (const p of list(record(tr).providers).map(record)) {
          if (lightstep.has(str(p.name))) c.report(t, 'Deprecated', `Deprecated: The Lightstep provider ${str(p.name)} is deprecated, please migrate to OpenTelemetry provider.`, `spec.tracing[${i}].providers`);
        }
      });
    }
  },
};
