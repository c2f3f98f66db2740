// Translate and trace: stateless (the mesh inline) and per stored revision.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ProxySelector, TraceRequestInput } from '../../contract.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import type { CompiledScenarioCache } from '../compiled.js';
import {
  NameParams,
  Problem,
  RevisionQuery,
  ScenarioTraceBody,
  ScenarioTranslateBody,
  TraceBody,
  TraceResult,
  TranslateBody,
  TranslateResult,
} from './schemas.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

export async function translateRoutes(
  app: FastifyInstance,
  { store, compiled }: { store: ScenarioStore; compiled: CompiledScenarioCache },
): Promise<void> {
  const storedScenario = async (name: string, revision?: number) => {
    return compiled.forRevision(await store.revision(name, revision));
  };

  app.post<{ Body: Static<typeof TranslateBody> }>(
    '/api/v1/translate',
    {
      schema: {
        tags: ['translate'],
        summary: 'The Envoy config istiod would push to each proxy of an inline mesh (or to one)',
        body: TranslateBody,
        response: { 200: TranslateResult, ...problems(400, 413) },
      },
    },
    async (request) => {
      const { proxy, ...input } = request.body;
      return (await compiled.get(input)).translate(proxy as ProxySelector | undefined);
    },
  );

  app.post<{ Body: Static<typeof TraceBody> }>(
    '/api/v1/trace',
    {
      schema: {
        tags: ['translate'],
        summary: 'Trace a request through the Envoy config of an inline mesh',
        body: TraceBody,
        response: { 200: TraceResult, ...problems(400, 413) },
      },
    },
    async (request) => {
      const { proxy, request: traced, ...input } = request.body;
      return (await compiled.get(input)).trace(proxy as ProxySelector, traced as TraceRequestInput);
    },
  );

  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof RevisionQuery>; Body: Static<typeof ScenarioTranslateBody> }>(
    '/api/v1/scenarios/:name/translate',
    {
      schema: {
        tags: ['translate'],
        summary: 'Translate a stored scenario (?revision=N, default latest)',
        params: NameParams,
        querystring: RevisionQuery,
        body: ScenarioTranslateBody,
        response: { 200: TranslateResult, ...problems(400, 404) },
      },
    },
    async (request) => {
      const scenario = await storedScenario(request.params.name, request.query.revision);
      return scenario.translate(request.body?.proxy as ProxySelector | undefined);
    },
  );

  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof RevisionQuery>; Body: Static<typeof ScenarioTraceBody> }>(
    '/api/v1/scenarios/:name/trace',
    {
      schema: {
        tags: ['translate'],
        summary: 'Trace a request through a stored scenario (?revision=N, default latest)',
        params: NameParams,
        querystring: RevisionQuery,
        body: ScenarioTraceBody,
        response: { 200: TraceResult, ...problems(400, 404) },
      },
    },
    async (request) => {
      const scenario = await storedScenario(request.params.name, request.query.revision);
      return scenario.trace(request.body.proxy as ProxySelector, request.body.request as TraceRequestInput);
    },
  );
}
