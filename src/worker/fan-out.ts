// Every proxy of a scenario across the engine pool: the proxies dealt round-robin into one batch per
// worker thread, each batch translated where its thread keeps the compiled scenario. Within a thread,
// proxies of one scope share their clusters and load assignments (src/xds/clusters/cache.ts); across
// threads, each compiles the scenario once. What comes back is small: per proxy the count of each
// resource kind, so a caller can fan out any whole-mesh question the same way.

import type { CompiledScenario } from '../engine.js';
import { toConfigDump } from '../xds/configdump.js';
import { generateXds } from '../xds/index.js';
import type { EnginePool } from './pool.js';
import type { ScenarioSource } from './scenarios.js';

export interface ProxySummary {
  id: string;
  type: string;
  namespace: string;
  name: string;
  listeners: number;
  routes: number;
  clusters: number;
  endpoints: number;
}

export interface BatchResult {
  proxies: ProxySummary[];
  /** The thread's heap after the batch, in bytes (what the batch cost the thread is at most this). */
  heapUsed: number;
}

/** Batch `batch` of `of`: the proxies whose position in the mesh's proxy list is batch (mod of), each translated to its config dump. */
export function translateBatch(scenario: CompiledScenario, args: { batch: number; of: number }, progress: (done: number, total: number) => void): BatchResult {
  const mine = scenario.index.proxies.filter((_, i) => i % args.of === args.batch);
  const proxies = mine.map((proxy, i): ProxySummary => {
    // Not through the scenario's xDS cache: each proxy is visited once, and keeping them would only grow the heap.
    const xds = generateXds(scenario.index, proxy);
    toConfigDump(xds, proxy);
    progress(i + 1, mine.length);
    return {
      id: proxy.id,
      type: proxy.type,
      namespace: proxy.namespace,
      name: proxy.name,
      listeners: xds.listeners.length,
      routes: xds.routes.length,
      clusters: xds.clusters.length,
      endpoints: xds.endpoints.length,
    };
  });
  return { proxies, heapUsed: process.memoryUsage().heapUsed };
}

/** Every proxy of the scenario, one batch per worker thread (one batch in-process), in the mesh's proxy order. */
export async function everyProxy(pool: EnginePool, source: ScenarioSource): Promise<{ proxies: ProxySummary[]; heapUsed: number[] }> {
  const of = Math.max(1, pool.options.threads);
  const answers = await Promise.all(
    Array.from({ length: of }, (_, batch) => pool.run('proxyBatch', source, { batch, of }).then((a) => a.value())),
  );
  // Back into the mesh's order: batch b held positions b, b + of, b + 2·of, …
  const total = answers.reduce((n, a) => n + a.proxies.length, 0);
  const proxies: ProxySummary[] = new Array(total);
  answers.forEach((a, batch) => a.proxies.forEach((p, k) => (proxies[batch + k * of] = p)));
  return { proxies, heapUsed: answers.map((a) => a.heapUsed) };
}
