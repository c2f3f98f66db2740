// Route-check (Envoy's router_check_tool) and verify (a mesh's expectations): stateless and per stored revision.
// A generated route configuration and verify run in the engine pool; an inline or dumped route
// configuration is one object, checked in-process.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ProxySelector } from '../../contract.js';
import { checkRoutes, readLiveProxyConfig, routeCheck, routeTestProblems, type CoverageMode, type RouteTest } from '../../engine.js';
import { ValidationError } from '../../store/errors.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import type { EnginePool } from '../../worker/pool.js';
import type { JobQueue } from '../../jobs/queue.js';
import { revisionSource, scenarioSource } from '../sources.js';
import { engineAnswer } from './jobs.js';
import {
  NameParams,
  Problem,
  RevisionQuery,
  RouteCheckBody,
  RouteCheckResult,
  ScenarioRouteCheckBody,
  ScenarioVerifyBody,
  VerifyBody,
  VerifyResult,
} from './schemas.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));
const tags = ['verify'];

const missing = (path: string, message: string) => new ValidationError(message, [{ document: -1, path, message, severity: 'error' }]);

export async function verifyRoutes(
  app: FastifyInstance,
  { store, engine, jobs }: { store: ScenarioStore; engine: EnginePool; jobs?: JobQueue },
): Promise<void> {
  const answer = engineAnswer(engine, jobs);

  app.post<{ Body: Static<typeof RouteCheckBody> }>(
    '/api/v1/route-check',
    {
      schema: {
        tags,
        summary: "Envoy's router_check_tool: tests against an inline RouteConfiguration, or a generated one (resources + proxy + its name)",
        body: RouteCheckBody,
        response: { 200: RouteCheckResult, ...problems(400, 413) },
      },
    },
    async (request, reply) => {
      const { routeConfig, configDump, resources, mesh, options, proxy, tests, coverage } = request.body;
      const routeTests = tests as RouteTest[];
      if (typeof routeConfig !== 'string') return routeCheck(routeConfig, routeTests, coverage as CoverageMode | undefined);
      if (configDump !== undefined) {
        // A live proxy's route configuration, by its name in the dump.
        const problems = routeTestProblems(routeTests);
        if (problems.length) throw new ValidationError(`${problems.length} problem(s) in tests`, problems);
        return checkRoutes(readLiveProxyConfig(configDump).routeConfiguration(routeConfig), routeTests, coverage as CoverageMode | undefined);
      }
      if (resources === undefined) throw missing('body.resources', 'a route configuration by name needs the resources (and proxy) that generate it');
      if (proxy === undefined) throw missing('body.proxy', 'a route configuration by name needs the proxy it belongs to');
      const args = { proxy: proxy as ProxySelector, routeConfig, tests: routeTests, coverage: coverage as CoverageMode | undefined };
      return answer(request, reply, 'routeCheck', scenarioSource({ resources, mesh, options }), args);
    },
  );

  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof RevisionQuery>; Body: Static<typeof ScenarioRouteCheckBody> }>(
    '/api/v1/scenarios/:name/route-check',
    {
      schema: {
        tags,
        summary: "router_check_tool tests against one proxy's generated route configuration in a stored scenario (?revision=N)",
        params: NameParams,
        querystring: RevisionQuery,
        body: ScenarioRouteCheckBody,
        response: { 200: RouteCheckResult, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const source = revisionSource(await store.revision(request.params.name, request.query.revision));
      const { proxy, routeConfig, tests, coverage } = request.body;
      return answer(request, reply, 'routeCheck', source, { proxy: proxy as ProxySelector, routeConfig, tests: tests as RouteTest[], coverage: coverage as CoverageMode | undefined });
    },
  );

  app.post<{ Body: Static<typeof VerifyBody> }>(
    '/api/v1/verify',
    {
      schema: {
        tags,
        summary: 'Run an expectations document (expected traces, route tests) against an inline mesh',
        body: VerifyBody,
        response: { 200: VerifyResult, ...problems(400, 413) },
      },
    },
    async (request, reply) => {
      const { expectations, ...input } = request.body;
      return answer(request, reply, 'verify', scenarioSource(input), { expectations });
    },
  );

  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof RevisionQuery>; Body: Static<typeof ScenarioVerifyBody> }>(
    '/api/v1/scenarios/:name/verify',
    {
      schema: {
        tags,
        summary: "Run a stored revision's expectations (or the body's) against it (?revision=N, default latest)",
        params: NameParams,
        querystring: RevisionQuery,
        body: ScenarioVerifyBody,
        response: { 200: VerifyResult, ...problems(400, 404) },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const revision = await store.revision(request.params.name, request.query.revision);
      const expectations = request.body?.expectations ?? revision.expectations;
      if (!expectations) throw missing('body.expectations', `revision ${revision.number} of "${revision.scenario}" has no expectations: send some in the body`);
      return answer(request, reply, 'verify', revisionSource(revision), { expectations });
    },
  );
}
