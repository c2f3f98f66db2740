// Compiled scenarios where the engine runs (each worker thread, or the main thread for in-process
// callers), kept by content hash in a cache bounded by bytes, and the one function that runs a named
// operation on one of them. Results leave as UTF-8 JSON bytes: encoded where the work ran, they cross
// threads without a copy (transferred) and are sent as they are, where a structured clone of a 20 MiB
// config dump would be rebuilt object by object on the event loop, and even a string would be copied
// and encoded there again.

import { compileScenario, CompiledScenario, InputError, type ScenarioInput } from '../engine.js';
import type { ManifestProblem } from '../manifests/types.js';
import { canonicalJson } from '../store/manifests.js';
import { ByteLru } from '../util/byte-lru.js';
import { createHash } from 'node:crypto';
import { operations, type OperationContext, type OperationName } from './operations.js';
import { AnswerWithBytes } from './json-bytes.js';

/** A scenario to run on: its input, and a key naming its content (a revision's content hash) when known. */
export interface ScenarioSource {
  key?: string;
  input: ScenarioInput;
}

export interface CacheStats {
  hit: boolean;
  bytes: number;
  entries: number;
}

export type Outcome =
  | { ok: true; body: Uint8Array; moved?: Uint8Array[]; cache?: CacheStats }
  | { ok: false; error: { name: string; message: string; problems?: ManifestProblem[]; validation?: unknown[] }; cache?: CacheStats };

// TextEncoder gives each answer its own ArrayBuffer (Buffer.from may share a pooled one), so it can be transferred.
const utf8 = new TextEncoder();

// YAML text is hashed as it is: through canonicalJson's replacer a 1.6 MiB string cost 5-45 ms a request.
export const hashInput = (input: ScenarioInput): string =>
  createHash('sha256')
    .update(canonicalJson({ mesh: input.mesh ?? {}, options: input.options ?? {} }))
    .update(typeof input.resources === 'string' ? `\nyaml\n${input.resources}` : `\njson\n${canonicalJson(input.resources)}`)
    .digest('hex');

export class ScenarioCache {
  private readonly lru: ByteLru<CompiledScenario>;

  constructor(maxBytes: number) {
    this.lru = new ByteLru(maxBytes, (s) => s.cachedBytes);
  }

  /** The compiled scenario for a source, and whether it was cached. */
  get(source: ScenarioSource): { scenario: CompiledScenario; key: string; hit: boolean } {
    const key = source.key ?? `input:${hashInput(source.input)}`;
    const hit = this.lru.get(key);
    if (hit) return { scenario: hit, key, hit: true };
    // Certificates are judged at the time the scenario is first compiled (the engine reads no clock).
    const scenario = compileScenario({ ...source.input, now: source.input.now ?? Date.now() });
    this.lru.set(key, scenario);
    return { scenario, key, hit: false };
  }

  has(source: ScenarioSource): boolean {
    return this.lru.has(source.key ?? `input:${hashInput(source.input)}`);
  }

  /** Trims to the bound after a scenario grew by use; the one just used stays. */
  settle(key: string): void {
    this.lru.trim(key);
  }

  get bytes(): number {
    return this.lru.bytes;
  }

  get size(): number {
    return this.lru.size;
  }
}

/** Runs one operation; refusals (bad input, unknown proxy) come back as data, since errors lose their fields between threads. */
export function execute(
  cache: ScenarioCache,
  name: OperationName,
  source: ScenarioSource | undefined,
  args: unknown,
  progress: OperationContext['progress'],
): Outcome {
  const operation = operations[name] as
    | { run(s: CompiledScenario, a: unknown, c: OperationContext): unknown }
    | { runOnInput(i: ScenarioInput, a: unknown, c: OperationContext): unknown }
    | { runAlone(a: unknown, c: OperationContext): unknown }
    | undefined;
  if (!operation) return { ok: false, error: { name: 'Error', message: `no engine operation "${name}"` } };
  let hit = false;
  let looked = false;
  const used: string[] = [];
  const context: OperationContext = {
    progress,
    scenario: (other) => {
      looked = true;
      const found = cache.get(other);
      used.push(found.key);
      return found.scenario;
    },
  };
  // Trimmed to the bound once the scenarios used have grown by use; the ones just used stay. None
  // looked up (analyze reads the input as it is, a dump needs no scenario): no cache figures.
  const stats = (): CacheStats | undefined => {
    if (!looked) return undefined;
    for (const key of used.splice(0)) cache.settle(key);
    return { hit, bytes: cache.bytes, entries: cache.size };
  };
  try {
    let result: unknown;
    if ('runAlone' in operation) result = operation.runAlone(args, context);
    else if (!source) throw new Error(`engine operation "${name}" needs a scenario`);
    else if ('runOnInput' in operation) result = operation.runOnInput(source.input, args, context);
    else {
      looked = true;
      const found = cache.get(source);
      hit = found.hit;
      used.push(found.key);
      result = operation.run(found.scenario, args, context);
    }
    if (result instanceof AnswerWithBytes) return { ok: true, body: utf8.encode(JSON.stringify(result.value)), moved: result.bytes, cache: stats() };
    return { ok: true, body: utf8.encode(JSON.stringify(result)), cache: stats() };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: { name: e.name, message: e.message, problems: e.problems }, cache: stats() };
    const err = e as Error;
    return { ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e) }, cache: stats() };
  }
}
