// GET /metrics in Prometheus' text format (prom-client): HTTP durations by route and status, the
// engine's operations and stages, the compiled-scenario caches of its threads, jobs, the database pool,
// and Node's own (event-loop lag, heap, GC).

import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EnginePool } from '../worker/pool.js';

export interface MetricsSources {
  engine: EnginePool;
  poolStats?: () => { total: number; idle: number; waiting: number };
  /** Jobs by state, read at scrape time. */
  jobStats?: () => Promise<Record<string, number>>;
}

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export async function registerMetrics(app: FastifyInstance, sources: MetricsSources): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meshplan_' });

  const http = new Histogram({
    name: 'meshplan_http_request_duration_seconds',
    help: 'HTTP requests by method, route (the pattern, not the path) and status',
    labelNames: ['method', 'route', 'status'],
    buckets: SECONDS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    http.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  const operations = new Histogram({
    name: 'meshplan_engine_operation_duration_seconds',
    help: 'Engine operations in the worker pool, by operation and outcome (ok, refused, error, timeout, busy, cancelled)',
    labelNames: ['operation', 'outcome'],
    buckets: SECONDS,
    registers: [registry],
  });
  const stages = new Histogram({
    name: 'meshplan_engine_stage_duration_seconds',
    help: 'Time in each engine stage (parse, index, xds, trace) per operation',
    labelNames: ['stage'],
    buckets: SECONDS,
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: 'meshplan_compiled_scenario_cache_lookups_total',
    help: 'Compiled-scenario cache lookups in the worker threads, by result (hit, miss)',
    labelNames: ['result'],
    registers: [registry],
  });
  const cacheState = new Map<number, { bytes: number; entries: number }>();
  new Gauge({
    name: 'meshplan_compiled_scenario_cache_bytes',
    help: 'Estimated bytes held by the compiled-scenario caches of the worker threads (SCENARIO_CACHE_BYTES each)',
    registers: [registry],
    collect() {
      this.set([...cacheState.values()].reduce((sum, c) => sum + c.bytes, 0));
    },
  });
  new Gauge({
    name: 'meshplan_compiled_scenario_cache_entries',
    help: 'Compiled scenarios kept by the worker threads',
    registers: [registry],
    collect() {
      this.set([...cacheState.values()].reduce((sum, c) => sum + c.entries, 0));
    },
  });
  new Gauge({
    name: 'meshplan_engine_in_flight',
    help: 'Heavy engine operations running or queued (ENGINE_MAX_IN_FLIGHT bounds them)',
    registers: [registry],
    collect() {
      this.set(sources.engine.running);
    },
  });
  sources.engine.observer = {
    operation: (name, seconds, outcome) => operations.observe({ operation: name, outcome }, seconds),
    stages: (timings) => {
      for (const [stage, seconds] of Object.entries(timings)) stages.observe({ stage }, seconds);
    },
    cache: (thread, stats) => {
      cacheLookups.inc({ result: stats.hit ? 'hit' : 'miss' });
      cacheState.set(thread, { bytes: stats.bytes, entries: stats.entries });
    },
  };

  if (sources.poolStats) {
    const read = sources.poolStats;
    new Gauge({
      name: 'meshplan_db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting: requests waiting for one)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        for (const [state, n] of Object.entries(read())) this.set({ state }, n);
      },
    });
  }
  if (sources.jobStats) {
    const read = sources.jobStats;
    new Gauge({
      name: 'meshplan_jobs',
      help: 'Jobs by state (created, active, completed, failed, cancelled)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        for (const [state, n] of Object.entries(await read().catch(() => ({})))) this.set({ state }, n);
      },
    });
  }

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
