// Long engine work as jobs (Prefer: respond-async): queued in PostgreSQL by pg-boss, so every service
// instance on the same database takes jobs from one queue and a restart loses none (a job whose
// instance died is expired and retried). A job is one engine operation (src/worker/operations.ts) on a
// scenario, run through the same pool as a request, with its own time budget; its progress and answer
// are kept in the engine_jobs table beside it.
// pg-boss 10 is the newest major that supports Node 20 (11 and 12 need Node 22); it needs PostgreSQL 13+.

import PgBoss from 'pg-boss';
import type { PrismaClient } from '../generated/prisma/client.js';
import { InputError } from '../engine.js';
import { NotFoundError } from '../store/errors.js';
import type { OperationArgs, OperationName } from '../worker/operations.js';
import { EngineCancelledError, type EnginePool } from '../worker/pool.js';
import type { ScenarioSource } from '../worker/scenarios.js';

const QUEUE = 'engine';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface JobQueueOptions {
  connectionString: string;
  prisma: PrismaClient;
  engine: EnginePool;
  /** Longest a job may run, in ms (JOB_TIME_BUDGET_MS); a job past it fails, one that outlives its instance is retried after it. */
  timeBudgetMs: number;
  /** Jobs this instance runs at once (JOB_CONCURRENCY). */
  concurrency: number;
  /** How often pg-boss looks for expired jobs, in seconds (JOB_MAINTENANCE_SECONDS). */
  maintenanceSeconds: number;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

interface JobData {
  operation: OperationName;
  source: ScenarioSource;
  args: unknown;
}

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobView {
  id: string;
  operation: string;
  state: JobState;
  progress: { done: number; total: number };
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  attempts: number;
  error: string | null;
  /** Where the answer is, once completed. */
  result: string | null;
}

/** pg-boss's states in the API's words. */
const STATES: Record<string, JobState> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export class JobQueue {
  private readonly boss: PgBoss;
  private readonly running = new Map<string, AbortController>();
  private cancelWatch?: NodeJS.Timeout;

  constructor(private readonly options: JobQueueOptions) {
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      schema: 'pgboss',
      maintenanceIntervalSeconds: options.maintenanceSeconds,
      monitorStateIntervalSeconds: Math.max(1, options.maintenanceSeconds),
    });
    this.boss.on('error', (e) => options.log?.('job queue error', { err: e }));
  }

  async start(): Promise<void> {
    await this.boss.start();
    if (!(await this.boss.getQueue(QUEUE))) await this.boss.createQueue(QUEUE, { name: QUEUE }).catch(() => {});
    for (let i = 0; i < this.options.concurrency; i++) {
      await this.boss.work<JobData>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => this.runJob(job.id, job.data));
    }
    // A cancel may come through another instance: the running jobs' states are checked here.
    this.cancelWatch = setInterval(() => void this.watchCancels(), 1000);
    this.cancelWatch.unref();
  }

  /** Queues an operation; answers the job's id. */
  async submit<N extends OperationName>(operation: N, source: ScenarioSource, args: OperationArgs<N>): Promise<string> {
    const expireInSeconds = Math.ceil(this.options.timeBudgetMs / 1000) + 5;
    const id = await this.boss.send(QUEUE, { operation, source, args } satisfies JobData, { retryLimit: 2, retryDelay: 1, expireInSeconds });
    if (!id) throw new Error('the job queue refused the job');
    await this.options.prisma.engineJob.create({ data: { id, operation } });
    return id;
  }

  async get(id: string): Promise<JobView> {
    if (!UUID.test(id)) throw new NotFoundError(`no job ${id}`);
    const [job, row] = await Promise.all([this.boss.getJobById<JobData>(QUEUE, id, { includeArchive: true }), this.row(id)]);
    if (!job || !row) throw new NotFoundError(`no job ${id}`);
    // A job the engine refused ends completed in pg-boss (no retry) with an error of ours.
    const state = job.state === 'completed' && row.error ? 'failed' : (STATES[job.state] ?? 'queued');
    return {
      id,
      operation: row.operation,
      state,
      progress: { done: row.done, total: row.total },
      createdAt: job.createdOn,
      startedAt: job.startedOn ?? null,
      completedAt: job.completedOn ?? null,
      attempts: job.retryCount + (state === 'queued' ? 0 : 1),
      error: state === 'failed' ? (row.error ?? 'the job failed') : null,
      result: state === 'completed' ? `/api/v1/jobs/${id}/result` : null,
    };
  }

  /** The answer of a completed job, as JSON text; undefined while it is not completed. */
  async result(id: string): Promise<string | undefined> {
    if (!UUID.test(id)) throw new NotFoundError(`no job ${id}`);
    const row = await this.options.prisma.engineJob.findUnique({ where: { id }, select: { result: true, error: true } });
    if (!row) throw new NotFoundError(`no job ${id}`);
    return row.error ? undefined : (row.result ?? undefined);
  }

  async cancel(id: string): Promise<JobView> {
    await this.get(id);
    await this.boss.cancel(QUEUE, id);
    this.running.get(id)?.abort();
    return this.get(id);
  }

  /** Counts by state for /metrics. */
  async stats(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const rows = await this.options.prisma.$queryRaw<{ state: string; n: bigint }[]>`
      SELECT state::text AS state, count(*) AS n FROM pgboss.job WHERE name = ${QUEUE} GROUP BY state`;
    for (const r of rows) counts[STATES[r.state] ?? r.state] = (counts[STATES[r.state] ?? r.state] ?? 0) + Number(r.n);
    return counts;
  }

  /** Stops taking jobs and waits for the running ones (up to their budget), then closes pg-boss's pool. */
  async stop(): Promise<void> {
    clearInterval(this.cancelWatch);
    await this.boss.stop({ graceful: true, wait: true, timeout: this.options.timeBudgetMs });
  }

  private row(id: string) {
    return this.options.prisma.engineJob.findUnique({ where: { id }, select: { operation: true, done: true, total: true, error: true } });
  }

  private async runJob(id: string, data: JobData): Promise<void> {
    const controller = new AbortController();
    this.running.set(id, controller);
    let lastWrite = Promise.resolve();
    const onProgress = (done: number, total: number) => {
      lastWrite = lastWrite.then(() => this.options.prisma.engineJob.update({ where: { id }, data: { done, total } }).then(() => {}, () => {}));
    };
    try {
      const answer = await this.options.engine.run(data.operation, data.source, data.args as never, {
        budgetMs: this.options.timeBudgetMs,
        budgetSetting: 'JOB_TIME_BUDGET_MS',
        onProgress,
        signal: controller.signal,
        bypassLimit: true,
      });
      await lastWrite;
      await this.options.prisma.engineJob.update({ where: { id }, data: { result: answer.json, error: null } });
    } catch (e) {
      await lastWrite;
      if (e instanceof EngineCancelledError) return; // pg-boss already has it cancelled
      const message =
        e instanceof InputError ? `${e.message}: ${e.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` : (e as Error).message;
      await this.options.prisma.engineJob.update({ where: { id }, data: { error: message } }).catch(() => {});
      // Refused input will not get better on a retry: the job ends (pg-boss completes it) with its error.
      if (!(e instanceof InputError)) throw e;
    } finally {
      this.running.delete(id);
    }
  }

  private async watchCancels(): Promise<void> {
    for (const [id, controller] of this.running) {
      const job = await this.boss.getJobById(QUEUE, id).catch(() => null);
      if (job?.state === 'cancelled') controller.abort();
    }
  }
}
