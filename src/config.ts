// Settings from the environment, read once at start-up. The README lists each variable.

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { loadAccessConfig, type AccessConfig } from './access/config.js';
import { integer } from './util/env.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './api/guards.js';
import type { EnginePoolOptions } from './worker/pool.js';

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL to use; without it an embedded PostgreSQL keeps its data in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Port of the embedded PostgreSQL. */
  embeddedPort: number;
  logLevel: string;
  /** Largest request body in bytes; larger bodies get 413. */
  bodyLimit: number;
  production: boolean;
  /** Load the example scenario into an empty store at start-up. */
  seedExample: boolean;
  /** Tokens, OIDC, CORS, rate limit, security headers (src/access/config.ts). */
  access: AccessConfig;
  /** Header and body timeouts, keep-alive limits. */
  connectionLimits: ConnectionLimits;
  /** GraphQL introspection (off in production unless GRAPHQL_INTROSPECTION=true). */
  graphqlIntrospection: boolean;
  /** The engine's worker pool: threads, time budget, in-flight bound, caches, heap. */
  engine: EnginePoolOptions;
  /** Jobs (Prefer: respond-async), kept in PostgreSQL by pg-boss. */
  jobs: JobSettings;
}

export interface JobSettings {
  timeBudgetMs: number;
  concurrency: number;
  maintenanceSeconds: number;
}

const MiB = 1024 * 1024;
/** A sidecar's config dump in a 1000-service mesh is 22 MiB. */
export const DEFAULT_BODY_LIMIT = 32 * MiB;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integer(env, 'PORT', 3000),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.DATA_DIR || './.data'),
    embeddedPort: integer(env, 'EMBEDDED_PG_PORT', 54329),
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimit: integer(env, 'BODY_LIMIT', DEFAULT_BODY_LIMIT),
    production: env.NODE_ENV === 'production',
    seedExample: env.SEED_EXAMPLE !== 'false',
    access: loadAccessConfig(env),
    connectionLimits: {
      headersTimeoutMs: integer(env, 'HEADERS_TIMEOUT_MS', DEFAULT_CONNECTION_LIMITS.headersTimeoutMs),
      requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', DEFAULT_CONNECTION_LIMITS.requestTimeoutMs),
      keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs),
      maxRequestsPerSocket: integer(env, 'MAX_REQUESTS_PER_SOCKET', DEFAULT_CONNECTION_LIMITS.maxRequestsPerSocket),
    },
    graphqlIntrospection: env.GRAPHQL_INTROSPECTION ? env.GRAPHQL_INTROSPECTION === 'true' : env.NODE_ENV !== 'production',
    engine: engineOptions(env),
    jobs: jobSettings(env),
  };
}

/** The engine pool's settings; the defaults fit a mesh of a few thousand services on a 2-core, 8 GiB machine. */
export function engineOptions(env: NodeJS.ProcessEnv = process.env): EnginePoolOptions {
  const threads = integer(env, 'ENGINE_THREADS', availableParallelism());
  return {
    threads,
    timeBudgetMs: integer(env, 'ENGINE_TIME_BUDGET_MS', 30_000),
    maxInFlight: integer(env, 'ENGINE_MAX_IN_FLIGHT', Math.max(1, threads) * 4),
    scenarioCacheBytes: integer(env, 'SCENARIO_CACHE_BYTES', 256 * MiB),
    xdsCacheBytes: integer(env, 'XDS_CACHE_BYTES', 64 * MiB),
    workerHeapMb: integer(env, 'WORKER_HEAP_MB', 1024),
    threadNice: Math.min(19, Math.max(0, integer(env, 'ENGINE_THREAD_NICE', 10))),
  };
}

export function jobSettings(env: NodeJS.ProcessEnv = process.env): JobSettings {
  return {
    timeBudgetMs: integer(env, 'JOB_TIME_BUDGET_MS', 10 * 60_000),
    concurrency: Math.max(1, integer(env, 'JOB_CONCURRENCY', 1)),
    maintenanceSeconds: Math.max(1, integer(env, 'JOB_MAINTENANCE_SECONDS', 30)),
  };
}
