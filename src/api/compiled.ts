// Where the APIs get compiled scenarios. Heavy work goes through the engine pool (src/worker), whose
// threads keep the compiled scenarios; this in-process cache, bounded by bytes, serves callers that
// still call a CompiledScenario's methods on the event loop. scenarioSource / revisionSource name a
// scenario for the pool, keyed like this cache (a revision by its content hash).

import { analyzeScenario, type CompiledScenario, type ScenarioInput } from '../engine.js';
import type { AnalysisMessage } from '../contract.js';
import type { RevisionRecord } from '../store/scenarios.js';
import { hashInput, ScenarioCache, type ScenarioSource } from '../worker/scenarios.js';

export { hashInput };

type RevisionContent = Pick<RevisionRecord, 'manifests' | 'mesh' | 'options' | 'contentHash'>;

export const scenarioSource = (input: ScenarioInput): ScenarioSource => ({ input });

export const revisionSource = (r: RevisionContent): ScenarioSource => ({
  key: `revision:${r.contentHash}`,
  input: { resources: r.manifests, mesh: r.mesh, options: r.options },
});

export class CompiledScenarioCache {
  private readonly cache: ScenarioCache;
  /** Analyses of stored revisions by content hash, for the answers that carry one without translating. */
  private readonly analyses = new Map<string, AnalysisMessage[]>();
  private static readonly ANALYSES_KEPT = 64;

  /** maxBytes: what the compiled scenarios together may hold (an estimate: heap growth while compiling and generating). */
  constructor(maxBytes = 256 * 1024 * 1024) {
    this.cache = new ScenarioCache(maxBytes);
  }

  /** The compiled scenario for an input; key is a content hash when the caller knows it. */
  async get(input: ScenarioInput, key?: string): Promise<CompiledScenario> {
    return this.cache.get({ input, ...(key ? { key } : {}) }).scenario;
  }

  /** A stored revision, keyed by its content hash. */
  forRevision(r: RevisionContent): Promise<CompiledScenario> {
    const source = revisionSource(r);
    return this.get(source.input, source.key);
  }

  /** istioctl analyze's messages for a stored revision, kept by content hash (small next to a compiled scenario). */
  analysisOf(r: RevisionContent): AnalysisMessage[] {
    const { key, input } = revisionSource(r);
    const found = this.analyses.get(key!);
    if (found) return found;
    const { messages } = analyzeScenario({ ...input, now: Date.now() });
    this.analyses.set(key!, messages);
    if (this.analyses.size > CompiledScenarioCache.ANALYSES_KEPT) this.analyses.delete(this.analyses.keys().next().value!);
    return messages;
  }

  get size(): number {
    return this.cache.size;
  }

  get bytes(): number {
    return this.cache.bytes;
  }
}
