// An analyzer as istioctl lists it (analysis.Analyzer: Metadata().Name and Description, then Analyze).

import type { AnalysisContext } from './context.js';

export interface Analyzer {
  /** Istio's Metadata().Name, as `istioctl analyze -L` lists it. */
  name: string;
  description: string;
  analyze(c: AnalysisContext): void;
}
