// REST of the Envoy config diff: between two stored revisions, and stateless between two inline
// meshes (or live config dumps), and drift. Run in the engine pool; two dumps (no mesh to compile) in-process.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ProxySelector } from '../../contract.js';
import { envoyDiff, readLiveProxyConfig } from '../../engine.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import type { DiffSide } from '../../worker/operations.js';
import type { EnginePool } from '../../worker/pool.js';
import { revisionSource, scenarioSource } from '../sources.js';
import { engineAnswer } from './jobs.js';
import { revisionEnvoyDiff } from '../envoy-diff.js';
import { DriftBody, EnvoyDiffBody, EnvoyDiffQuery, EnvoyDiffResult, NameParams, Problem, RevisionQuery } from './schemas.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

type Side = Static<typeof EnvoyDiffBody>['before'];

export async function envoyDiffRoutes(
  app: FastifyInstance,
  { store, engine, jobs }: { store: ScenarioStore; engine: EnginePool; jobs?: JobQueue },
): Promise<void> {
  const answer = engineAnswer(engine, jobs);
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

  const diffSide = (side: Side, at: 'before' | 'after'): DiffSide =>
    'configDump' in side ? { configDump: side.configDump, at: `${at}.configDump` } : { scenario: scenarioSource(side) };

  app.post<{ Body: Static<typeof EnvoyDiffBody> }>(
    '/api/v1/envoy-diff',
    {
      schema: {
        tags: ['translate'],
        summary: 'How the Envoy config of two inline meshes (or live config dumps) differs, proxy by proxy',
        body: EnvoyDiffBody,
        response: { 200: EnvoyDiffResult, ...problems(400, 413) },
      },
    },
    async (request, reply) => {
      const { proxy, detail } = request.body;
      const [before, after] = [diffSide(request.body.before, 'before'), diffSide(request.body.after, 'after')];
      const dumps = [before, after].filter((side) => 'configDump' in side);
      // Two dumps: nothing to compile; read in-process, as one dump is for trace and proxy-config.
      if (dumps.length === 2) {
        const [a, b] = dumps.map((d) => readLiveProxyConfig(d.configDump, d.at));
        return envoyDiff(a, b, { proxy: proxy as ProxySelector | undefined, detail });
      }
      const compiled = [before, after].find((side) => 'scenario' in side)!;
      return answer(request, reply, 'envoyDiff', compiled.scenario, { before, after, proxy: proxy as ProxySelector | undefined, detail });
    },
  );

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
    },
    async (request) => {
      const revision = await store.revision(request.params.name, request.query.revision);
      const args = { configDump: request.body.configDump, proxy: request.body.proxy as ProxySelector | undefined };
      return { revision: revision.number, ...(await engine.run('drift', revisionSource(revision), args)).value() };
    },
  );
}
