// The REST bodies that are engine work as a whole: each route's body schema and how a body becomes one
// engine call (operation, scenario, arguments). The handlers use it on bodies read on the event loop;
// a large JSON body (a 13-20 MiB config dump, a mesh as a JSON array of objects) is not read there at
// all: its text goes to a worker thread, which parses it, checks it against the same schema and makes
// the same call (src/worker/requests.ts). Both paths give the same answers and the same problems.

import type { Static, TObject } from '@sinclair/typebox';
import type { ProxySelector, TraceRequestInput } from '../../contract.js';
import { InputError, type CoverageMode, type ProxyConfigOptions, type RouteTest } from '../../engine.js';
import type { ProxyConfigKind } from '../../proxy-config/index.js';
import type { DiffSide, DumpSide, OperationArgs, OperationName } from '../../worker/operations.js';
import type { ScenarioSource } from '../../worker/scenarios.js';
import { scenarioSource } from '../sources.js';
import { DriftBody, EnvoyDiffBody, ProxyConfigBody, RouteCheckBody, TraceBody, TranslateBody, VerifyBody } from './schemas.js';
import { requestProblem } from '../../manifests/types.js';

/** One engine operation to run; no source: the operation reads no scenario (a dump, an inline route configuration). */
export interface EngineCall<N extends OperationName = OperationName> {
  operation: N;
  source?: ScenarioSource;
  args: OperationArgs<N>;
}

/** What a call needs besides the body: the request's time (certificates are judged against it), a stored revision. */
export interface RequestContext {
  now: number;
  /** The stored revision a per-scenario route names (drift), and its number. */
  source?: ScenarioSource;
  revision?: number;
}

const call = <N extends OperationName>(operation: N, source: ScenarioSource | undefined, args: OperationArgs<N>): EngineCall =>
  ({ operation, source, args }) as EngineCall;

const refused = (path: string, message: string) => new InputError(message, [requestProblem(path, message)]);

type LiveOrGeneratedBody = { configDump?: unknown; resources?: unknown; proxy?: unknown; mesh?: unknown; options?: unknown };

/** The stateless routes take a mesh with a proxy of it, or a live proxy's config dump instead of both. */
function liveOrGenerated(body: LiveOrGeneratedBody): { configDump: unknown } | { source: ScenarioSource; proxy: ProxySelector } {
  if (body.configDump !== undefined) {
    if (body.resources !== undefined) throw refused('configDump', 'give either configDump (a live proxy) or resources and proxy (a design), not both');
    if (body.proxy !== undefined) throw refused('proxy', "a config dump is one proxy's config: proxy goes with resources only");
    return { configDump: body.configDump };
  }
  if (body.resources === undefined) throw refused('resources', 'resources (the mesh) and proxy are required, or a configDump instead');
  if (body.proxy === undefined) throw refused('proxy', 'proxy is required with resources: the Envoy to look from');
  const { resources, mesh, options } = body as Static<typeof TranslateBody>;
  return { source: scenarioSource({ resources, mesh, options }), proxy: body.proxy as ProxySelector };
}

export const proxyConfigOptions = (body: Pick<Static<typeof ProxyConfigBody>, 'filter' | 'verbose' | 'output'>, now: number): ProxyConfigOptions => ({
  ...(body.filter ? { filter: body.filter } : {}),
  ...(body.verbose !== undefined ? { verbose: body.verbose } : {}),
  ...(body.output ? { output: body.output } : {}),
  // VALID CERT of secrets is judged against the request's time, as istioctl does.
  now: new Date(now),
});

interface EngineRequest<B extends TObject> {
  body: B;
  /** The operation named in metrics and in the time budget's problem when the call is made in a worker. */
  label: OperationName;
  call(body: Static<B>, context: RequestContext): EngineCall;
}

const engineRequest = <B extends TObject>(r: EngineRequest<B>): EngineRequest<B> => r;

export const engineRequests = {
  translate: engineRequest({
    body: TranslateBody,
    label: 'translate',
    call: ({ proxy, ...input }) => call('translate', scenarioSource(input), { proxy: proxy as ProxySelector | undefined }),
  }),
  trace: engineRequest({
    body: TraceBody,
    label: 'trace',
    call: (body) => {
      const target = liveOrGenerated(body);
      const request = body.request as TraceRequestInput;
      return 'configDump' in target
        ? call('liveTrace', undefined, { configDump: target.configDump, request })
        : call('trace', target.source, { proxy: target.proxy, request });
    },
  }),
  proxyConfig: engineRequest({
    body: ProxyConfigBody,
    label: 'proxyConfig',
    call: (body, { now }) => {
      const target = liveOrGenerated(body);
      const kinds = body.kinds as ProxyConfigKind[] | undefined;
      const options = proxyConfigOptions(body, now);
      return 'configDump' in target
        ? call('liveProxyConfig', undefined, { configDump: target.configDump, kinds, options })
        : call('proxyConfig', target.source, { proxy: target.proxy, kinds, options });
    },
  }),
  routeCheck: engineRequest({
    body: RouteCheckBody,
    label: 'routeCheck',
    call: ({ routeConfig, configDump, resources, mesh, options, proxy, tests, coverage }) => {
      const routeTests = tests as RouteTest[];
      const mode = coverage as CoverageMode | undefined;
      // An inline route configuration, or a live proxy's by its name in the dump.
      if (typeof routeConfig !== 'string' || configDump !== undefined) {
        return call('liveRouteCheck', undefined, { routeConfig, configDump, tests: routeTests, coverage: mode });
      }
      if (resources === undefined) throw refused('body.resources', 'a route configuration by name needs the resources (and proxy) that generate it');
      if (proxy === undefined) throw refused('body.proxy', 'a route configuration by name needs the proxy it belongs to');
      return call('routeCheck', scenarioSource({ resources, mesh, options }), { proxy: proxy as ProxySelector, routeConfig, tests: routeTests, coverage: mode });
    },
  }),
  verify: engineRequest({
    body: VerifyBody,
    label: 'verify',
    call: ({ expectations, ...input }) => call('verify', scenarioSource(input), { expectations }),
  }),
  envoyDiff: engineRequest({
    body: EnvoyDiffBody,
    label: 'envoyDiff',
    call: ({ before, after, proxy, detail }) => {
      const side = (s: typeof before, at: 'before' | 'after'): DiffSide =>
        'configDump' in s ? { configDump: s.configDump, at: `${at}.configDump` } : { scenario: scenarioSource(s) };
      const [a, b] = [side(before, 'before'), side(after, 'after')];
      const selector = proxy as ProxySelector | undefined;
      // The run's scenario is the first side that is one; two dumps: nothing to compile.
      const compiled = 'scenario' in a ? a.scenario : 'scenario' in b ? b.scenario : undefined;
      if (compiled) return call('envoyDiff', compiled, { before: a, after: b, proxy: selector, detail });
      return call('dumpDiff', undefined, { before: a as DumpSide, after: b as DumpSide, proxy: selector, detail });
    },
  }),
  drift: engineRequest({
    body: DriftBody,
    label: 'drift',
    call: ({ configDump, proxy }, { source, revision }) => call('drift', source, { configDump, proxy: proxy as ProxySelector | undefined, revision }),
  }),
};

export type EngineRequestName = keyof typeof engineRequests;

/** The engine call of a body already checked against its route's schema. */
export const engineCallOf = (name: EngineRequestName, body: unknown, context: RequestContext): EngineCall =>
  (engineRequests[name] as EngineRequest<TObject>).call(body as never, context);
