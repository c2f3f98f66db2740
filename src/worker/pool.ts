// The one door to the engine's heavy work for the service: a named operation (operations.ts) on a
// scenario, run in a pool of worker threads (piscina) so the event loop keeps answering /healthz and
// small requests while a big mesh translates. Each run has a time budget (503 past it: the thread is
// ended, and the problem says what to narrow) and the number of heavy runs in flight is bounded
// (429 with Retry-After past it). With threads: 0 the operations run in-process (same code, no budget).

import { MessageChannel } from 'node:worker_threads';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { InputError } from '../engine.js';
import type { Stage } from '../util/stages.js';
import { operations, type OperationArgs, type OperationName, type OperationResult } from './operations.js';
import { ScenarioCache, type CacheStats, type ScenarioSource } from './scenarios.js';
import { executeTask, type RequestTask } from './requests.js';
import type { Task, TaskOutcome, WorkerSettings } from './worker.js';
import { JsonBytes, ownBuffer } from './json-bytes.js';

export interface EnginePoolOptions {
  /** Worker threads; 0 runs in-process (ENGINE_THREADS). */
  threads: number;
  /** Longest a request's operation may run, in ms (ENGINE_TIME_BUDGET_MS). */
  timeBudgetMs: number;
  /** Heavy operations running or queued at once; more get 429 (ENGINE_MAX_IN_FLIGHT). */
  maxInFlight: number;
  /** Bytes of compiled scenarios each thread keeps (SCENARIO_CACHE_BYTES). */
  scenarioCacheBytes: number;
  /** Bytes of generated xDS each compiled scenario keeps (XDS_CACHE_BYTES). */
  xdsCacheBytes: number;
  /** Heap limit of each worker thread in MiB (WORKER_HEAP_MB); a thread that needs more ends, with a 503. */
  workerHeapMb: number;
  /** How much lower the threads' CPU priority is than the event loop's, 0-19 (ENGINE_THREAD_NICE). */
  threadNice: number;
}

export interface RunOptions {
  /** Overrides the pool's time budget (jobs have their own; Infinity: none), and the setting that names it. */
  budgetMs?: number;
  budgetSetting?: string;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Jobs are bounded by the job queue, not by the in-flight limit. */
  bypassLimit?: boolean;
}

/** What an operation answered: UTF-8 JSON as it left the thread, sent as it is, decoded and parsed only when asked. */
export class EngineAnswer<N extends OperationName> {
  constructor(
    readonly body: Uint8Array,
    /** Bytes the operation gave beside its JSON (see AnswerWithBytes). */
    readonly moved: Uint8Array[] = [],
  ) {}

  /** The bytes as a Buffer (no copy), for a reply. */
  get buffer(): Buffer {
    return Buffer.from(this.body.buffer, this.body.byteOffset, this.body.byteLength);
  }

  get json(): string {
    return this.buffer.toString('utf8');
  }

  value(): OperationResult<N> {
    return JSON.parse(this.json) as OperationResult<N>;
  }
}

/** 429: too many heavy requests in flight. */
export class EngineBusyError extends Error {
  override name = 'EngineBusyError';
  readonly statusCode = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** 503: the operation ran over its time budget, or needed more memory than a thread has. */
export class EngineOverloadError extends Error {
  override name = 'EngineOverloadError';
  readonly statusCode = 503;
}

/** Cancelled by its caller (a job's cancel). */
export class EngineCancelledError extends Error {
  override name = 'EngineCancelledError';
}

export interface EngineObserver {
  operation?(name: OperationName, seconds: number, outcome: 'ok' | 'refused' | 'error' | 'timeout' | 'busy' | 'cancelled'): void;
  stages?(stages: Partial<Record<Stage, number>>): void;
  cache?(thread: number, stats: CacheStats): void;
}

const workerFile = (): string => {
  const here = fileURLToPath(import.meta.url);
  return new URL(`./worker${extname(here)}`, import.meta.url).href;
};

// A compile and a translation allocate hundreds of MiB that live for one task; with V8's default young
// generation (16 MiB semi-spaces) much of it is promoted and marked again in the old generation. 64 MiB
// semi-spaces: 890 -> 670-780 ms CPU per 1000-service translation (GC 223-306 -> 145-164 ms, medians of
// 9, interleaved on one machine); 128 MiB gave no more. A small WORKER_HEAP_MB gets a young generation
// to scale (a quarter of it).
const youngGenerationMb = (heapMb: number): number => Math.min(192, Math.max(16, Math.floor(heapMb / 4)));

/**
 * The bytes a task moves to the thread: a large body's. An argument given as JsonBytes (a GraphQL
 * variable, which two fields of one query may both use) is copied, a memcpy.
 */
const movable = (task: Task): ArrayBuffer[] => ('request' in task ? [ownBuffer(task.request.body)] : []);

export class EnginePool {
  private readonly piscina?: Piscina<Task, TaskOutcome>;
  private readonly inline?: ScenarioCache;
  private inFlight = 0;
  private recentSeconds = 1;
  observer: EngineObserver = {};

  constructor(readonly options: EnginePoolOptions) {
    if (options.threads > 0) {
      const settings: WorkerSettings = { scenarioCacheBytes: options.scenarioCacheBytes, xdsCacheBytes: options.xdsCacheBytes, nice: options.threadNice };
      this.piscina = new Piscina<Task, TaskOutcome>({
        filename: workerFile(),
        // Threads start on first use and stay: their compiled scenarios and V8's optimized code are what make
        // the next request fast (a new thread's first 1000-service translation took 2.9 CPU s, a warm one's 1.0).
        minThreads: 0,
        maxThreads: options.threads,
        idleTimeout: Infinity,
        workerData: settings,
        resourceLimits: { maxOldGenerationSizeMb: options.workerHeapMb, maxYoungGenerationSizeMb: youngGenerationMb(options.workerHeapMb) },
      });
    } else {
      this.inline = new ScenarioCache(options.scenarioCacheBytes);
    }
  }

  get running(): number {
    return this.inFlight;
  }

  /** Runs `name` on the scenario with `args` (no scenario: a standalone operation); an engine refusal rejects with the same InputError as in-process. */
  run<N extends OperationName>(name: N, source: ScenarioSource | undefined, args: OperationArgs<N>, options: RunOptions = {}): Promise<EngineAnswer<N>> {
    return this.runTask(name, { operation: name, source, args }, options);
  }

  /** Reads a large request body where the engine runs and runs the call it asks for (src/worker/requests.ts). */
  runRequest(request: RequestTask, options: RunOptions = {}): Promise<EngineAnswer<OperationName>> {
    return this.runTask(request.label, { request }, options);
  }

  /** A large GraphQL request body read in a thread: the request, with its large variables as JsonBytes (src/worker/graphql-requests.ts). */
  async readGraphQLRequest(body: JsonBytes): Promise<unknown> {
    const answer = await this.run('readGraphQLRequest', undefined, { body });
    // The answer's JSON is the AnswerWithBytes' value; its bytes came beside it.
    const { request, large } = answer.value() as unknown as { request: { variables: Record<string, unknown> }; large: string[] };
    large.forEach((name, i) => (request.variables[name] = new JsonBytes(answer.moved[i])));
    return request;
  }

  /** `name`: the operation named in metrics and in the time budget's problem. */
  private async runTask<N extends OperationName>(name: N, task: Task, options: RunOptions): Promise<EngineAnswer<N>> {
    if (!options.bypassLimit && this.inFlight >= this.options.maxInFlight) {
      const retryAfter = Math.max(1, Math.ceil((this.recentSeconds * this.inFlight) / Math.max(1, this.options.threads)));
      this.observer.operation?.(name, 0, 'busy');
      throw new EngineBusyError(
        `${this.inFlight} heavy requests are in flight, the most this service takes at once (ENGINE_MAX_IN_FLIGHT=${this.options.maxInFlight}): retry in ${retryAfter} s`,
        retryAfter,
      );
    }
    this.inFlight++;
    const start = performance.now();
    let outcome: 'ok' | 'refused' | 'error' | 'timeout' | 'cancelled' = 'error';
    try {
      const result = await this.dispatch(name, task, options);
      if (result.stages) this.observer.stages?.(result.stages);
      if (result.cache) this.observer.cache?.(result.thread, result.cache);
      if (result.ok) {
        outcome = 'ok';
        return new EngineAnswer<N>(result.body, result.moved);
      }
      const { error } = result;
      outcome = error.name === 'InputError' || error.validation ? 'refused' : 'error';
      if (error.problems) throw new InputError(error.message, error.problems);
      // A large body its schema refuses: the error fastify's validation gives, so the problem document is the same.
      if (error.validation) throw Object.assign(new Error(error.message), { statusCode: 400, validation: error.validation, validationContext: 'body' });
      throw new Error(error.message);
    } catch (e) {
      if (e instanceof EngineOverloadError) outcome = 'timeout';
      if (e instanceof EngineCancelledError) outcome = 'cancelled';
      throw e;
    } finally {
      this.inFlight--;
      const seconds = (performance.now() - start) / 1000;
      this.recentSeconds = 0.8 * this.recentSeconds + 0.2 * seconds;
      this.observer.operation?.(name, seconds, outcome);
    }
  }

  private async dispatch(name: OperationName, task: Task, options: RunOptions): Promise<TaskOutcome> {
    if (!this.piscina) {
      const result = executeTask(this.inline!, task, options.onProgress ?? (() => {}));
      return { ...result, stages: {}, thread: 0 };
    }
    const budgetMs = options.budgetMs ?? this.options.timeBudgetMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = Number.isFinite(budgetMs)
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, budgetMs)
      : undefined;
    const onCancel = () => controller.abort();
    options.signal?.addEventListener('abort', onCancel, { once: true });
    const channel = options.onProgress ? new MessageChannel() : undefined;
    channel?.port1.on('message', (m: { done: number; total: number }) => options.onProgress!(m.done, m.total));
    try {
      const sent: Task = { ...task, ...(channel ? { progress: channel.port2 } : {}) };
      const transferList = [...(channel ? [channel.port2] : []), ...movable(sent)];
      const result = await this.piscina.run(sent, { signal: controller.signal, transferList });
      return result;
    } catch (e) {
      if (timedOut) {
        throw new EngineOverloadError(
          `${name} ran over its time budget of ${budgetMs / 1000} s and was stopped: ${operations[name].narrow} (the budget is ${options.budgetSetting ?? 'ENGINE_TIME_BUDGET_MS'})`,
        );
      }
      if (controller.signal.aborted) throw new EngineCancelledError(`${name} was cancelled`);
      if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new EngineOverloadError(
          `${name} needed more memory than a worker thread has (WORKER_HEAP_MB=${this.options.workerHeapMb}) and was stopped: ${operations[name].narrow}`,
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCancel);
      channel?.port1.close();
    }
  }

  async close(): Promise<void> {
    await this.piscina?.close();
  }
}
