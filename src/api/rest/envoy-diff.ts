// REST of the Envoy config diff: between two stored revisions, and stateless between two inline
// meshes (or live config dumps).

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ProxySelector } from '../../contract.js';
import { drift, envoyDiff, readLiveProxyConfig, type DiffInput } from '../../engine.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import type { CompiledScenarioCache } from '../compiled.js';
import { revisionEnvoyDiff } from '../envoy-diff.js';
import { DriftBody, EnvoyDiffBody, EnvoyDiffQuery, EnvoyDiffResult, NameParams, Problem, RevisionQuery } from './schemas.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

type Side = Static<typeof EnvoyDiffBody>['before'];

export async function envoyDiffRoutes(
  app: FastifyInstance,
  { store, compiled }: { store: ScenarioStore; compiled: CompiledScenarioCache },
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
      return revisionEnvoyDiff(store, compiled, request.params.name, { ...query, proxy: proxy ? { pod: proxy } : undefined });
    },
  );

  const sideInput = async (side: Side, at: 'before' | 'after'): Promise<DiffInput> =>
    'configDump' in side ? readLiveProxyConfig(side.configDump, `${at}.configDump`) : compiled.get(side);

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
    async (request) => {
      const { before, after, proxy, detail } = request.body;
      return envoyDiff(await sideInput(before, 'before'), await sideInput(after, 'after'), { proxy: proxy as ProxySelector | undefined, detail });
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
      const live = readLiveProxyConfig(request.body.configDump);
      return { revision: revision.number, ...drift(await compiled.forRevision(revision), live, request.body.proxy as ProxySelector | undefined) };
    },
  );
}
