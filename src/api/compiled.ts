// Compiled scenarios kept in a small LRU by content hash, so repeated translate and trace
// calls on the same mesh parse and index it once.

import { analyzeScenario, compileScenario, type CompiledScenario, type ScenarioInput } from '../engine.js';
import type { AnalysisMessage } from '../contract.js';
import { canonicalJson } from '../store/manifests.js';
import type { RevisionRecord } from '../store/scenarios.js';
import { createHash } from 'node:crypto';

export class CompiledScenarioCache {
  private readonly entries = new Map<string, CompiledScenario>();
  /** Analyses of stored revisions by content hash, for the answers that carry one without translating. */
  private readonly analyses = new Map<string, AnalysisMessage[]>();

  constructor(private readonly capacity = 16) {}

  /** The compiled scenario for an input; key is a content hash when the caller knows it. */
  async get(input: ScenarioInput, key = `input:${hashInput(input)}`): Promise<CompiledScenario> {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-inserted to mark it most recently used (a Map keeps insertion order).
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    // Certificates are checked at the time the scenario is first compiled.
    const compiled = compileScenario({ ...input, now: Date.now() });
    this.entries.set(key, compiled);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return compiled;
  }

  /** A stored revision, keyed by its content hash. */
  forRevision(r: Pick<RevisionRecord, 'manifests' | 'mesh' | 'options' | 'contentHash'>): Promise<CompiledScenario> {
    return this.get({ resources: r.manifests, mesh: r.mesh, options: r.options }, `revision:${r.contentHash}`);
  }

  /** istioctl analyze's messages for a stored revision (from its compiled scenario when there is one). */
  analysisOf(r: Pick<RevisionRecord, 'manifests' | 'mesh' | 'options' | 'contentHash'>): AnalysisMessage[] {
    const key = `revision:${r.contentHash}`;
    const found = this.entries.get(key)?.analysis ?? this.analyses.get(key);
    if (found) return found;
    const { messages } = analyzeScenario({ resources: r.manifests, mesh: r.mesh, options: r.options, now: Date.now() });
    this.analyses.set(key, messages);
    if (this.analyses.size > this.capacity) this.analyses.delete(this.analyses.keys().next().value!);
    return messages;
  }

  get size(): number {
    return this.entries.size;
  }
}

export const hashInput = (input: ScenarioInput): string =>
  createHash('sha256')
    .update(canonicalJson({ resources: input.resources, mesh: input.mesh ?? {}, options: input.options ?? {} }))
    .digest('hex');
