// How the APIs name scenarios for the engine pool (src/worker), whose threads compile and keep them:
// scenarioSource for an inline mesh, revisionSource for a stored revision (keyed by its content hash,
// so every caller of one revision shares its compiled scenario). And the analyses of stored revisions,
// which every view of a revision carries: computed in the pool once per content hash, kept here.

import type { ScenarioInput } from '../engine.js';
import type { AnalysisMessage } from '../contract.js';
import type { RevisionRecord } from '../store/scenarios.js';
import type { EnginePool } from '../worker/pool.js';
import type { ScenarioSource } from '../worker/scenarios.js';

type RevisionContent = Pick<RevisionRecord, 'manifests' | 'mesh' | 'options' | 'contentHash'>;

export const scenarioSource = (input: ScenarioInput): ScenarioSource => ({ input });

export const revisionSource = (r: RevisionContent): ScenarioSource => ({
  key: `revision:${r.contentHash}`,
  input: { resources: r.manifests, mesh: r.mesh, options: r.options },
});

export class RevisionAnalyses {
  private readonly analyses = new Map<string, Promise<AnalysisMessage[]>>();
  private static readonly KEPT = 64;

  constructor(private readonly engine: EnginePool) {}

  /** istioctl analyze's messages for a stored revision (small next to a compiled scenario, so kept by content hash). */
  of(r: RevisionContent): Promise<AnalysisMessage[]> {
    const source = revisionSource(r);
    const found = this.analyses.get(source.key!);
    if (found) return found;
    // Part of every write's and read's answer, not work a caller can narrow: neither refused as one
    // heavy request too many nor ended by the time budget (the write is already stored).
    const messages = this.engine
      .run('analyze', source, { now: Date.now() }, { bypassLimit: true, budgetMs: Infinity })
      .then((answer) => answer.value().messages);
    this.analyses.set(source.key!, messages);
    messages.catch(() => this.analyses.delete(source.key!));
    if (this.analyses.size > RevisionAnalyses.KEPT) this.analyses.delete(this.analyses.keys().next().value!);
    return messages;
  }
}
