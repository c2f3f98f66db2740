// Translate, trace and proxy-config: stateless (the mesh inline) and per stored revision.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProxySelector, TraceRequestInput } from '../../contract.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import { InputError, readLiveProxyConfig, type DescribeResult as DescribeOutput, type LiveProxyConfig, type ProxyConfigOptions, type ProxyConfigResult as ProxyConfigOutput } from '../../engine.js';
import { revisionSource, scenarioSource } from '../sources.js';
import type { EnginePool } from '../../worker/pool.js';
import type { OperationArgs } from '../../worker/operations.js';
import type { ScenarioSource } from '../../worker/scenarios.js';
import type { JobQueue } from '../../jobs/queue.js';
import { engineAnswer } from './jobs.js';
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

const refused = (path: string, message: string) =>
  new InputError(message, [{ document: -1, path, message, severity: 'error' }]);

type LiveOrGeneratedBody = { configDump?: unknown; resources?: unknown; proxy?: unknown; mesh?: unknown; options?: unknown };

/**
 * The stateless routes take a mesh with a proxy of it, or a live proxy's config dump instead of both.
 * A dump is one proxy's config, read in-process; a mesh goes to the engine pool.
 */
function liveOrGenerated(body: LiveOrGeneratedBody): { live: LiveProxyConfig } | { source: ScenarioSource; proxy: ProxySelector } {
  if (body.configDump !== undefined) {
    if (body.resources !== undefined) throw refused('configDump', 'give either configDump (a live proxy) or resources and proxy (a design), not both');
    if (body.proxy !== undefined) throw refused('proxy', "a config dump is one proxy's config: proxy goes with resources only");
    return { live: readLiveProxyConfig(body.configDump) };
  }
  if (body.resources === undefined) throw refused('resources', 'resources (the mesh) and proxy are required, or a configDump instead');
  if (body.proxy === undefined) throw refused('proxy', 'proxy is required with resources: the Envoy to look from');
  const { resources, mesh, options } = body as Static<typeof TranslateBody>;
  return { source: scenarioSource({ resources, mesh, options }), proxy: body.proxy as ProxySelector };
}

const proxyConfigOptions = (body: Pick<Static<typeof ProxyConfigBody>, 'filter' | 'verbose' | 'output'>): ProxyConfigOptions => ({
  ...(body.filter ? { filter: body.filter } : {}),
  ...(body.verbose !== undefined ? { verbose: body.verbose } : {}),
  ...(body.output ? { output: body.output } : {}),
  // VALID CERT of secrets is judged against today, as istioctl does.
  now: new Date(),
});

export async function translateRoutes(
  app: FastifyInstance,
  { store, engine, jobs }: { store: ScenarioStore; engine: EnginePool; jobs?: JobQueue },
): Promise<void> {
  const storedScenario = async (name: string, revision?: number) => revisionSource(await store.revision(name, revision));
  const answer = engineAnswer(engine, jobs);

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
    async (request, reply) => {
      const { proxy, ...input } = request.body;
      return answer(request, reply, 'translate', scenarioSource(input), { proxy: proxy as ProxySelector | undefined });
    },
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
    },
    async (request, reply) => {
      const target = liveOrGenerated(request.body);
      const traced = request.body.request as TraceRequestInput;
      if ('live' in target) return target.live.trace(traced);
      return answer(request, reply, 'trace', target.source, { proxy: target.proxy, request: traced });
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
      // Every field is optional, so no body at all means every proxy.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const scenario = await storedScenario(request.params.name, request.query.revision);
      return answer(request, reply, 'translate', scenario, { proxy: request.body?.proxy as ProxySelector | undefined });
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
      return answer(request, reply, 'trace', scenario, args);
    },
  );

  // istioctl proxy-config tables: JSON, or the plain text istioctl prints for a client that asks for text.
  const asText = (reply: FastifyReply, result: ProxyConfigOutput | DescribeOutput) => {
    reply.type('text/plain; charset=utf-8').serializer(String);
    return result.text;
  };
  const proxyConfig = async (request: FastifyRequest, reply: FastifyReply, source: ScenarioSource, args: OperationArgs<'proxyConfig'>) => {
    if (!request.headers.accept?.startsWith('text/plain')) return answer(request, reply, 'proxyConfig', source, args);
    return asText(reply, (await engine.run('proxyConfig', source, args)).value() as ProxyConfigOutput);
  };

  app.post<{ Body: Static<typeof ProxyConfigBody> }>(
    '/api/v1/proxy-config',
    {
      schema: {
        tags: ['translate'],
        summary: "istioctl proxy-config tables for one proxy of an inline mesh, or for a live proxy's config dump",
        body: ProxyConfigBody,
        response: { 200: ProxyConfigResult, ...problems(400, 413) },
      },
    },
    async (request, reply) => {
      const target = liveOrGenerated(request.body);
      const kinds = request.body.kinds as ProxyConfigKind[] | undefined;
      const options = proxyConfigOptions(request.body);
      if ('live' in target) {
        const result = target.live.proxyConfig(kinds, options);
        return request.headers.accept?.startsWith('text/plain') ? asText(reply, result) : result;
      }
      return proxyConfig(request, reply, target.source, { proxy: target.proxy, kinds, options });
    },
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
      const args = { proxy: request.body.proxy as ProxySelector, kinds: request.body.kinds as ProxyConfigKind[] | undefined, options: proxyConfigOptions(request.body) };
      return proxyConfig(request, reply, scenario, args);
    },
  );

  // istioctl x describe pod: JSON, or the text istioctl prints for a client that asks for text.
  const describe = async (request: FastifyRequest, reply: FastifyReply, source: ScenarioSource, pod: string) => {
    if (!request.headers.accept?.startsWith('text/plain')) return answer(request, reply, 'describe', source, { pod });
    return asText(reply, (await engine.run('describe', source, { pod })).value() as DescribeOutput);
  };

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
