// Builds the meshplan service (REST, GraphQL, OpenAPI, health) without listening:
// tests call it in-process or over a real port; src/server.ts starts it.

import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerBodyParsers } from './api/bodies.js';
import { CompiledScenarioCache } from './api/compiled.js';
import { registerGraphQL } from './api/graphql/index.js';
import { registerMetrics } from './api/metrics.js';
import { sendProblem } from './api/problems.js';
import { scenarioRoutes } from './api/rest/scenarios.js';
import { translateRoutes } from './api/rest/translate.js';
import { openapiTransform } from './api/rest/examples.js';
import { ScenarioStore } from './store/scenarios.js';
import type { Database } from './db/index.js';
import { engineOptions, jobSettings, type JobSettings } from './config.js';
import { JobQueue } from './jobs/queue.js';
import { jobRoutes } from './api/rest/jobs.js';
import { EnginePool, type EnginePoolOptions } from './worker/pool.js';

export interface AppOptions {
  db: Pick<Database, 'prisma' | 'ready'> & Partial<Pick<Database, 'poolStats' | 'url'>>;
  /** Largest request body in bytes (413 above it). */
  bodyLimit?: number;
  production?: boolean;
  /** A pino logger; without it the app does not log. */
  logger?: FastifyBaseLogger;
  /** Deepest GraphQL query accepted; the schema's deepest legitimate query has depth 8. */
  graphqlDepth?: number;
  /** Bytes of compiled scenarios the in-process cache keeps (the worker threads have their own). */
  compiledCacheBytes?: number;
  /** The engine's worker pool, or settings for one (defaults: config.ts engineOptions, from the environment). */
  engine?: EnginePool | Partial<EnginePoolOptions>;
  /** Run jobs (Prefer: respond-async) with pg-boss on the database (db.url); off unless given. */
  jobs?: Partial<JobSettings>;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // coerceTypes true, not fastify's 'array': array coercion rewrites data while trying union branches.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: true } },
  });
  const store = new ScenarioStore(options.db.prisma);
  const compiled = new CompiledScenarioCache(options.compiledCacheBytes);
  const engine = options.engine instanceof EnginePool ? options.engine : new EnginePool({ ...engineOptions(), ...options.engine });
  const jobs =
    options.jobs && options.db.url
      ? new JobQueue({ ...jobSettings(), ...options.jobs, connectionString: options.db.url, prisma: options.db.prisma, engine, log: (m, d) => app.log.error(d, m) })
      : undefined;
  // After the requests in flight have finished (onClose runs then): the running jobs, then the threads.
  app.addHook('onClose', async () => {
    await jobs?.stop();
    if (!(options.engine instanceof EnginePool)) await engine.close();
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => sendProblem(reply, request, error));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('application/problem+json').send({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: `no route ${request.method} ${request.url.split('?')[0]}`,
      instance: request.url,
    }),
  );
  registerBodyParsers(app);
  await registerMetrics(app, { engine, poolStats: options.db.poolStats, ...(jobs ? { jobStats: () => jobs.stats() } : {}) });

  await app.register(swagger, {
    transform: openapiTransform,
    openapi: {
      info: {
        title: 'meshplan',
        version: '1',
        description: 'Istio mesh scenarios: stored revisions, reviews, and the Envoy config istiod would push.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['operations'], summary: 'Database reachable and migrations applied' } }, async (_request, reply) => {
    const ready = await options.db.ready();
    return reply.code(ready.ok ? 200 : 503).send(ready.ok ? { status: 'ready' } : { status: 'not ready', reason: ready.reason });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(scenarioRoutes, { store });
  await app.register(translateRoutes, { store, engine, jobs });
  if (jobs) await app.register(jobRoutes, { jobs });
  await registerGraphQL(app, { store, compiled, engine, jobs, graphiql: !options.production, queryDepth: options.graphqlDepth ?? 8 });

  await jobs?.start();
  return app;
}
