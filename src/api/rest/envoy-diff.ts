// REST of the Envoy config diff: between two stored revisions, and stateless between two inline
// meshes (or live config dumps), and drift. All of it runs in the engine pool, a large body read there too.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobQueue } from '../../jobs/queue.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import type { EnginePool } from '../../worker/pool.js';
import { revisionSource } from '../sources.js';
import { revisionEnvoyDiff } from '../envoy-diff.js';
import { engineBodies, type RevisionOf } from './engine-bodies.js';
import { DriftBody, EnvoyDiffBody, EnvoyDiffQuery, EnvoyDiffResult, NameParams, Problem, RevisionQuery } from './schemas.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

export async function envoyDiffRoutes(
  app: FastifyInstance,
  { store, engine, jobs }: { store: ScenarioStore; engine: EnginePool; jobs?: JobQueue },
): Promise<void> {
  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<typeof EnvoyDiffQuery> }>(
    '/api/v1/scenarios/:name/envoy-diff',
    {
      schema: {
        tags: ['scenarios'],
        summary: "How two revisions' Envoy config differs, proxy by proxy (from: last approved before to, else its predecessor)",
        params: NameParams,
        querystring: EnvoyDiffQuery,
        response: { 200: EnvoyDiffResult, ...problems(400, 404) },
      },
    },
    async (request) => {
      const { proxy, ...query } = request.query;
      return revisionEnvoyDiff(store, engine, request.params.name, { ...query, proxy: proxy ? { pod: proxy } : undefined });
    },
  );

  const { route } = engineBodies(engine, jobs);
  const envoyDiff = route('envoyDiff');
  app.post<{ Body: Static<typeof EnvoyDiffBody> }>(
    '/api/v1/envoy-diff',
    {
      schema: {
        tags: ['translate'],
        summary: 'How the Envoy config of two inline meshes (or live config dumps) differs, proxy by proxy',
        body: EnvoyDiffBody,
        response: { 200: EnvoyDiffResult, ...problems(400, 413) },
      },
      ...envoyDiff.options,
    },
    envoyDiff.handler,
  );

  const revisionOf: RevisionOf = async (request) => {
    const { params, query } = request as FastifyRequest<{ Params: Static<typeof NameParams>; Querystring: { revision?: unknown } }>;
    const revision = await store.revision(params.name, query.revision === undefined ? undefined : Number(query.revision));
    return { source: revisionSource(revision), number: revision.number };
  };
  const drift = route('drift', revisionOf);
  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof RevisionQuery>; Body: Static<typeof DriftBody> }>(
    '/api/v1/scenarios/:name/drift',
    {
      schema: {
        tags: ['scenarios'],
        summary: "Drift: how a live proxy's config dump differs from a stored revision's design for it (?revision=N, default latest)",
        params: NameParams,
        querystring: RevisionQuery,
        body: DriftBody,
        response: { 200: EnvoyDiffResult, ...problems(400, 404) },
      },
      ...drift.options,
    },
    drift.handler,
  );
}
