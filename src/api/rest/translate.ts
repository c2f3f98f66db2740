// Translate, trace and proxy-config: stateless (the mesh inline) and per stored revision.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProxySelector, TraceRequestInput } from '../../contract.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import { InputError, readLiveProxyConfig, type CompiledScenario, type LiveProxyConfig, type ProxyConfigOptions, type ProxyConfigResult as ProxyConfigOutput } from '../../engine.js';
import type { CompiledScenarioCache } from '../compiled.js';
import type { ProxyConfigKind } from '../../proxy-config/index.js';
import {
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

/** The stateless routes take a mesh with a proxy of it, or a live proxy's config dump instead of both. */
async function liveOrGenerated(
  compiled: CompiledScenarioCache,
  body: LiveOrGeneratedBody,
): Promise<{ live: LiveProxyConfig } | { scenario: CompiledScenario; proxy: ProxySelector }> {
  if (body.configDump !== undefined) {
    if (body.resources !== undefined) throw refused('configDump', 'give either configDump (a live proxy) or resources and proxy (a design), not both');
    if (body.proxy !== undefined) throw refused('proxy', 'a config dump is one proxy\'s config: proxy goes with resources only');
    return { live: readLiveProxyConfig(body.configDump) };
  }
  if (body.resources === undefined) throw refused('resources', 'resources (the mesh) and proxy are required, or a configDump instead');
  if (body.proxy === undefined) throw refused('proxy', 'proxy is required with resources: the Envoy to look from');
  const { resources, mesh, options } = body as Static<typeof TranslateBody>;
  return { scenario: await compiled.get({ resources, mesh, options }), proxy: body.proxy as ProxySelector };
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
        summary: 'Trace a request through the Envoy config of an inline mesh, or of a live proxy\'s config dump (one hop)',
        body: TraceBody,
        response: { 200: TraceResult, ...problems(400, 413) },
      },
    },
    async (request) => {
      const source = await liveOrGenerated(compiled, request.body);
      const traced = request.body.request as TraceRequestInput;
      return 'live' in source ? source.live.trace(traced) : source.scenario.trace(source.proxy, traced);
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

  // istioctl proxy-config tables: JSON, or the plain text istioctl prints for a client that asks for text.
  const proxyConfigReply = (request: FastifyRequest, reply: FastifyReply, result: ProxyConfigOutput) => {
    if (!request.headers.accept?.startsWith('text/plain')) return result;
    reply.type('text/plain; charset=utf-8').serializer(String);
    return result.text;
  };

  app.post<{ Body: Static<typeof ProxyConfigBody> }>(
    '/api/v1/proxy-config',
    {
      schema: {
        tags: ['translate'],
        summary: 'istioctl proxy-config tables for one proxy of an inline mesh, or for a live proxy\'s config dump',
        body: ProxyConfigBody,
        response: { 200: ProxyConfigResult, ...problems(400, 413) },
      },
    },
    async (request, reply) => {
      const source = await liveOrGenerated(compiled, request.body);
      const kinds = request.body.kinds as ProxyConfigKind[] | undefined;
      const options = proxyConfigOptions(request.body);
      const result = 'live' in source ? source.live.proxyConfig(kinds, options) : source.scenario.proxyConfig(source.proxy, kinds, options);
      return proxyConfigReply(request, reply, result);
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
      const result = scenario.proxyConfig(request.body.proxy as ProxySelector, request.body.kinds as ProxyConfigKind[] | undefined, proxyConfigOptions(request.body));
      return proxyConfigReply(request, reply, result);
    },
  );
}
