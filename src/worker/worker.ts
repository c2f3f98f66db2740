// A worker thread of the engine pool (piscina runs this module's default export per task). Its
// compiled-scenario cache lives here, bounded by bytes (SCENARIO_CACHE_BYTES per thread).

import { threadId, type MessagePort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import { CompiledScenario } from '../engine.js';
import { observeStages, type Stage } from '../util/stages.js';
import type { OperationName } from './operations.js';
import { ScenarioCache, type Outcome, type ScenarioSource } from './scenarios.js';
import { executeTask, type RequestTask } from './requests.js';
import { lowerThreadPriority } from './priority.js';

export interface WorkerSettings {
  scenarioCacheBytes: number;
  xdsCacheBytes: number;
  /** How much lower than the event loop's this thread's CPU priority is (ENGINE_THREAD_NICE). */
  nice: number;
}

/** An operation with its scenario and arguments, or a large request body to read into one (requests.ts). */
export type Task = ({ operation: OperationName; source?: ScenarioSource; args: unknown } | { request: RequestTask }) & {
  /** Where progress goes (jobs); absent for plain requests. */
  progress?: MessagePort;
};

export type TaskOutcome = Outcome & { stages: Partial<Record<Stage, number>>; thread: number };

const settings = workerData as WorkerSettings;
lowerThreadPriority(settings.nice);
CompiledScenario.xdsCacheBytes = settings.xdsCacheBytes;
const cache = new ScenarioCache(settings.scenarioCacheBytes);

export default function runTask(task: Task): TaskOutcome {
  // The answer's bytes move to the main thread (transferred, not copied).
  const outcome = run(task);
  if (!outcome.ok) return outcome;
  const buffers = [outcome.body.buffer, ...(outcome.moved ?? []).map((b) => b.buffer)];
  return move({ [transferableSymbol]: buffers, [valueSymbol]: outcome } as never) as unknown as TaskOutcome;
}

function run(task: Task): TaskOutcome {
  const stages: Partial<Record<Stage, number>> = {};
  observeStages((stage, seconds) => (stages[stage] = (stages[stage] ?? 0) + seconds));
  let last = 0;
  const progress = (done: number, total: number) => {
    const now = Date.now();
    if (task.progress && (now - last > 250 || done === total)) {
      last = now;
      task.progress.postMessage({ done, total });
    }
  };
  try {
    return { ...executeTask(cache, task, progress), stages, thread: threadId };
  } finally {
    observeStages(undefined);
    task.progress?.close();
  }
}
