// Builds the meshplan service (REST, GraphQL, OpenAPI, health) without listening:
// tests call it in-process or over a real port; src/server.ts starts it.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { OPEN_ACCESS, type AccessConfig } from './access/config.js';
import accessPlugin from './api/access.js';
import { registerBodyParsers } from './api/bodies.js';
import { RevisionAnalyses } from './api/sources.js';
import { registerDraining } from './api/draining.js';
import { guardGraphQL } from './api/graphql/access.js';
import { registerGraphQL } from './api/graphql/index.js';
import { sendProblem } from './api/problems.js';
import { accessRoutes } from './api/rest/access.js';
import { guardOptions, registerInputGuards, type ConnectionLimits } from './api/guards.js';
import { scenarioRoutes } from './api/rest/scenarios.js';
import { translateRoutes } from './api/rest/translate.js';
import { analyzeRoutes } from './api/rest/analyze.js';
import { verifyRoutes } from './api/rest/verify.js';
import { envoyDiffRoutes } from './api/rest/envoy-diff.js';
import { ReviewGate } from './api/review-gate.js';
import { registerMetrics } from './api/metrics.js';
import { openapiTransform } from './api/rest/examples.js';
import { jobRoutes } from './api/rest/jobs.js';
import { registerDashboard } from './api/ui.js';
import { ScenarioStore } from './store/scenarios.js';
import type { Database } from './db/index.js';
import { DEFAULT_BODY_LIMIT, engineOptions, jobSettings, type JobSettings } from './config.js';
import { JobQueue } from './jobs/queue.js';
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
  /** GraphQL introspection and suggestions; default: on unless production. */
  graphqlIntrospection?: boolean;
  /** Largest GraphQL answer in bytes (default: GRAPHQL_MAX_RESPONSE_BYTES). */
  graphqlMaxResponseBytes?: number;
  /** Header and body timeouts and keep-alive limits (src/api/guards.ts has the defaults). */
  connectionLimits?: ConnectionLimits;
  /** The engine's worker pool, or settings for one (defaults: config.ts engineOptions, from the environment). */
  engine?: EnginePool | Partial<EnginePoolOptions>;
  /** Run jobs (Prefer: respond-async) with pg-boss on the database (db.url); off unless given. */
  jobs?: Partial<JobSettings>;
  /** Tokens, OIDC, CORS, rate limit, headers; `enforced`: access control on from the start (src/access/startup.ts). Default: open, no rate limit. */
  access?: { config: AccessConfig; enforced?: boolean };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...guardOptions(options.connectionLimits),
    // coerceTypes true, not fastify's 'array': array coercion rewrites data while trying union branches.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: true } },
  });
  registerDraining(app);
  const engine = options.engine instanceof EnginePool ? options.engine : new EnginePool({ ...engineOptions(), ...options.engine });
  // A revision's manifests are read and checked in an engine thread (not counted against the bound on heavy requests).
  const store = new ScenarioStore(options.db.prisma, async (resources) => (await engine.run('checkManifests', undefined, { resources }, { bypassLimit: true })).value());
  const analyses = new RevisionAnalyses(engine);
  const gate = new ReviewGate(store, engine);
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
  registerBodyParsers(app, (body) => engine.readGraphQLRequest(body));
  registerInputGuards(app);
  // First, so its hooks and its route table see every route registered after it.
  await app.register(accessPlugin, { prisma: options.db.prisma, store, config: options.access?.config ?? OPEN_ACCESS, enforced: options.access?.enforced });
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

  await app.register(scenarioRoutes, { store, analyses, gate });
  await app.register(translateRoutes, { store, engine, jobs });
  if (jobs) await app.register(jobRoutes, { jobs });
  await app.register(analyzeRoutes, { store, engine, analyses });
  await app.register(verifyRoutes, { store, engine, jobs });
  await app.register(envoyDiffRoutes, { store, engine, jobs });
  await app.register(accessRoutes);
  await registerGraphQL(app, {
    store,
    analyses,
    gate,
    engine,
    jobs,
    graphiql: !options.production,
    queryDepth: options.graphqlDepth ?? 8,
    introspection: options.graphqlIntrospection ?? !options.production,
    maxResponseBytes: options.graphqlMaxResponseBytes,
  });
  guardGraphQL(app, { store });
  await registerDashboard(app);

  await jobs?.start();

  return app;
}
