// Route-check (Envoy's router_check_tool) and verify (a mesh's expectations): stateless and per stored
// revision, in the engine pool (an inline or dumped route configuration too: a dump is 13-20 MiB).

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ProxySelector } from '../../contract.js';
import type { CoverageMode, RouteTest } from '../../engine.js';
import { ValidationError } from '../../store/errors.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import type { EnginePool } from '../../worker/pool.js';
import type { JobQueue } from '../../jobs/queue.js';
import { revisionSource } from '../sources.js';
import { engineBodies } from './engine-bodies.js';
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
import { requestProblem } from '../../manifests/types.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));
const tags = ['verify'];

const missing = (path: string, message: string) => new ValidationError(message, [requestProblem(path, message)]);

export async function verifyRoutes(
  app: FastifyInstance,
  { store, engine, jobs }: { store: ScenarioStore; engine: EnginePool; jobs?: JobQueue },
): Promise<void> {
  const { route, answerCall } = engineBodies(engine, jobs);
  const routeCheck = route('routeCheck');
  const verify = route('verify');

  app.post<{ Body: Static<typeof RouteCheckBody> }>(
    '/api/v1/route-check',
    {
      schema: {
        tags,
        summary: "Envoy's router_check_tool: tests against an inline RouteConfiguration, or a generated one (resources + proxy + its name)",
        body: RouteCheckBody,
        response: { 200: RouteCheckResult, ...problems(400, 413) },
      },
      ...routeCheck.options,
    },
    routeCheck.handler,
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
      return answerCall(request, reply, {
        operation: 'routeCheck',
        source,
        args: { proxy: proxy as ProxySelector, routeConfig, tests: tests as RouteTest[], coverage: coverage as CoverageMode | undefined },
      });
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
      ...verify.options,
    },
    verify.handler,
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
      return answerCall(request, reply, { operation: 'verify', source: revisionSource(revision), args: { expectations } });
    },
  );
}
