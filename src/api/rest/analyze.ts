// istioctl analyze over an inline mesh or a stored revision (contract "Analyze"): always a 200 with the
// messages for input that can be read; schema errors are messages, not refusals. Run in the engine pool.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ScenarioStore } from '../../store/scenarios.js';
import type { EnginePool } from '../../worker/pool.js';
import { scenarioSource, type RevisionAnalyses } from '../sources.js';
import { AnalyzeBody, AnalyzeResult, NameParams, Problem, RevisionQuery } from './schemas.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

export async function analyzeRoutes(
  app: FastifyInstance,
  { store, engine, analyses }: { store: ScenarioStore; engine: EnginePool; analyses: RevisionAnalyses },
): Promise<void> {
  app.post<{ Body: Static<typeof AnalyzeBody> }>(
    '/api/v1/analyze',
    {
      schema: {
        tags: ['analyze'],
        summary: 'istioctl analyze of an inline mesh: messages with Istio codes (IST0101...), names and levels',
        body: AnalyzeBody,
        response: { 200: AnalyzeResult, ...problems(400, 413) },
      },
    },
    async (request) => (await engine.run('analyze', scenarioSource(request.body), { now: Date.now() })).value(),
  );

  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof RevisionQuery> }>(
    '/api/v1/scenarios/:name/analyze',
    {
      schema: {
        tags: ['analyze'],
        summary: 'istioctl analyze of a stored scenario (?revision=N, default latest)',
        params: NameParams,
        querystring: RevisionQuery,
        response: { 200: AnalyzeResult, ...problems(400, 404) },
      },
    },
    async (request) => {
      return { messages: await analyses.of(await store.revision(request.params.name, request.query.revision)) };
    },
  );
}
