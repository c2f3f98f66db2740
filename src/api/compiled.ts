// Where the APIs get compiled scenarios. Heavy work goes through the engine pool (src/worker), whose
// threads keep the compiled scenarios; this in-process cache, bounded by bytes, serves callers that
// still call a CompiledScenario's methods on the event loop. scenarioSource / revisionSource name a
// scenario for the pool, keyed like this cache (a revision by its content hash).

import type { CompiledScenario, ScenarioInput } from '../engine.js';
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

  get size(): number {
    return this.cache.size;
  }

  get bytes(): number {
    return this.cache.bytes;
  }
}
