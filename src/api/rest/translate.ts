// Translate, trace, proxy-config and describe: stateless (the mesh inline, or a live proxy's config dump) and per stored revision.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProxySelector, TraceRequestInput } from '../../contract.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import { revisionSource, scenarioSource } from '../sources.js';
import type { EnginePool } from '../../worker/pool.js';
import type { ScenarioSource } from '../../worker/scenarios.js';
import type { JobQueue } from '../../jobs/queue.js';
import { engineBodies } from './engine-bodies.js';
import { proxyConfigOptions } from './engine-requests.js';
import type { ProxyConfigKind } from '../../proxy-config/index.js';
import {
  DescribeBody,
  DescribeResult,
  ScenarioDescribeBody,
  NameParams,
  Problem,
  ProxyConfigBody,
  ProxyConfigResult,
  ScenarioProxyConfigBody,
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
  { store, engine, jobs }: { store: ScenarioStore; engine: EnginePool; jobs?: JobQueue },
): Promise<void> {
  const storedScenario = async (name: string, revision?: number) => revisionSource(await store.revision(name, revision));
  const { route, answerCall } = engineBodies(engine, jobs);
  const translate = route('translate');
  const trace = route('trace');
  const proxyConfig = route('proxyConfig');

  app.post<{ Body: Static<typeof TranslateBody> }>(
    '/api/v1/translate',
    {
      schema: {
        tags: ['translate'],
        summary: 'The Envoy config istiod would push to each proxy of an inline mesh (or to one)',
        body: TranslateBody,
        response: { 200: TranslateResult, ...problems(400, 413) },
      },
      ...translate.options,
    },
    translate.handler,
  );

  app.post<{ Body: Static<typeof TraceBody> }>(
    '/api/v1/trace',
    {
      schema: {
        tags: ['translate'],
        summary: "Trace a request through the Envoy config of an inline mesh, or of a live proxy's config dump (one hop)",
        body: TraceBody,
        response: { 200: TraceResult, ...problems(400, 413) },
      },
      ...trace.options,
    },
    trace.handler,
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
      // Every field is optional, so no body at all means every proxy.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const scenario = await storedScenario(request.params.name, request.query.revision);
      return answerCall(request, reply, { operation: 'translate', source: scenario, args: { proxy: request.body?.proxy as ProxySelector | undefined } });
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
    async (request, reply) => {
      const scenario = await storedScenario(request.params.name, request.query.revision);
      const args = { proxy: request.body.proxy as ProxySelector, request: request.body.request as TraceRequestInput };
      return answerCall(request, reply, { operation: 'trace', source: scenario, args });
    },
  );

  // istioctl proxy-config tables and describe: JSON, or the plain text istioctl prints for a client that asks for text.
  app.post<{ Body: Static<typeof ProxyConfigBody> }>(
    '/api/v1/proxy-config',
    {
      schema: {
        tags: ['translate'],
        summary: "istioctl proxy-config tables for one proxy of an inline mesh, or for a live proxy's config dump",
        body: ProxyConfigBody,
        response: { 200: ProxyConfigResult, ...problems(400, 413) },
      },
      ...proxyConfig.options,
    },
    proxyConfig.handler,
  );

  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof RevisionQuery>; Body: Static<typeof ScenarioProxyConfigBody> }>(
    '/api/v1/scenarios/:name/proxy-config',
    {
      schema: {
        tags: ['translate'],
        summary: 'istioctl proxy-config tables for one proxy of a stored scenario (?revision=N, default latest)',
        params: NameParams,
        querystring: RevisionQuery,
        body: ScenarioProxyConfigBody,
        response: { 200: ProxyConfigResult, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const scenario = await storedScenario(request.params.name, request.query.revision);
      const args = { proxy: request.body.proxy as ProxySelector, kinds: request.body.kinds as ProxyConfigKind[] | undefined, options: proxyConfigOptions(request.body, Date.now()) };
      return answerCall(request, reply, { operation: 'proxyConfig', source: scenario, args });
    },
  );

  const describe = (request: FastifyRequest, reply: FastifyReply, source: ScenarioSource, pod: string) =>
    answerCall(request, reply, { operation: 'describe', source, args: { pod } });

  app.post<{ Body: Static<typeof DescribeBody> }>(
    '/api/v1/describe',
    {
      schema: {
        tags: ['translate'],
        summary: 'istioctl x describe pod for a pod of an inline mesh: its services, routes, subsets, mTLS, policies and ingress exposure',
        body: DescribeBody,
        response: { 200: DescribeResult, ...problems(400, 413) },
      },
    },
    async (request, reply) => {
      const { pod, ...input } = request.body;
      return describe(request, reply, scenarioSource(input), pod);
    },
  );

  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof RevisionQuery>; Body: Static<typeof ScenarioDescribeBody> }>(
    '/api/v1/scenarios/:name/describe',
    {
      schema: {
        tags: ['translate'],
        summary: 'istioctl x describe pod for a pod of a stored scenario (?revision=N, default latest)',
        params: NameParams,
        querystring: RevisionQuery,
        body: ScenarioDescribeBody,
        response: { 200: DescribeResult, ...problems(400, 404) },
      },
    },
    async (request, reply) => describe(request, reply, await storedScenario(request.params.name, request.query.revision), request.body.pod),
  );
}
