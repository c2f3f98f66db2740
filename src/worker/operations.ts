// The engine's heavy operations, by name: each takes a compiled scenario and plain-JSON arguments and
// returns plain JSON. REST, GraphQL and jobs all call them through one function (EnginePool.run), which
// runs them in a worker thread where the compiled-scenario cache lives. A new operation is one entry here.

import type { ProxySelector, TraceRequestInput } from '../contract.js';
import type { DiffDetail } from '../diff/index.js';
import {
  analyzeScenario,
  checkRoutes,
  drift,
  InputError,
  routeCheck,
  routeTestProblems,
  envoyDiff,
  readLiveProxyConfig,
  type CompiledScenario,
  type CoverageMode,
  type DiffInput,
  type ProxyConfigOptions,
  type RouteTest,
  type ScenarioInput,
} from '../engine.js';
import type { ProxyConfigKind } from '../proxy-config/index.js';
import type { ScenarioSource } from './scenarios.js';
import { checkManifestsApart } from '../store/manifests.js';
import { translateBatch } from './fan-out.js';
import { readGraphQLRequest } from './graphql-requests.js';
import type { JsonBytes } from './json-bytes.js';

export interface OperationContext {
  /** Work done so far, for jobs' progress (called at most every few hundred milliseconds by the pool). */
  progress(done: number, total: number): void;
  /** Another scenario, from the same thread's cache (the other side of an Envoy diff). */
  scenario(source: ScenarioSource): CompiledScenario;
}

export interface Operation<A, R> {
  run(scenario: CompiledScenario, args: A, context: OperationContext): R;
  /** What a caller can narrow when the operation runs over its time budget (said in the 503). */
  narrow: string;
}

/** An operation on the scenario's input as it is, not compiled first: analyze reads what compiling refuses. */
export interface InputOperation<A, R> {
  runOnInput(input: ScenarioInput, args: A, context: OperationContext): R;
  narrow: string;
}

/** An operation with no scenario: a live proxy's config dump, or an inline route configuration, is all it reads. */
export interface StandaloneOperation<A, R> {
  runAlone(args: A, context: OperationContext): R;
  narrow: string;
}

const operation = <A, R>(o: Operation<A, R>): Operation<A, R> => o;
const inputOperation = <A, R>(o: InputOperation<A, R>): InputOperation<A, R> => o;
const standaloneOperation = <A, R>(o: StandaloneOperation<A, R>): StandaloneOperation<A, R> => o;

/** One side of an Envoy diff: a scenario (compiled in the thread), or a live proxy's config dump (`at`: where it was in the request). */
export type DumpSide = { configDump: unknown; at: string };
export type DiffSide = { scenario: ScenarioSource } | DumpSide;
const readDumpSide = (side: DumpSide) => readLiveProxyConfig(side.configDump, side.at);

export const operations = {
  translate: operation({
    run: (scenario, args: { proxy?: ProxySelector }, context) => scenario.translate(args.proxy, undefined, context.progress),
    narrow: 'name one proxy (proxy.pod), or narrow what proxies see with a Sidecar or exportTo',
  }),
  trace: operation({
    run: (scenario, args: { proxy: ProxySelector; request: TraceRequestInput }) => scenario.trace(args.proxy, args.request),
    narrow: 'trace from a proxy that sees fewer services (a Sidecar scope), or split the scenario',
  }),
  proxyConfig: operation({
    run: (scenario, args: { proxy: ProxySelector; kinds?: ProxyConfigKind[]; options?: ProxyConfigOptions }) =>
      scenario.proxyConfig(args.proxy, args.kinds, args.options),
    narrow: 'ask for fewer kinds, or for a proxy that sees fewer services (a Sidecar scope)',
  }),
  verify: operation({
    run: (scenario, args: { expectations: unknown }) => scenario.verify(args.expectations),
    narrow: 'split the expectations document, or look from proxies that see fewer services (a Sidecar scope)',
  }),
  routeCheck: operation({
    run: (scenario, args: { proxy: ProxySelector; routeConfig: string; tests: RouteTest[]; coverage?: CoverageMode }) =>
      scenario.routeCheck(args.proxy, args.routeConfig, args.tests, args.coverage),
    narrow: 'check a proxy that sees fewer services (a Sidecar scope), or send fewer tests',
  }),
  /** The run's scenario is the first side that is a scenario; the other side comes from the same cache or a dump. */
  envoyDiff: operation({
    run: (_scenario, args: { before: DiffSide; after: DiffSide; proxy?: ProxySelector; detail?: DiffDetail }, context) => {
      const side = (s: DiffSide): DiffInput => ('scenario' in s ? context.scenario(s.scenario) : readDumpSide(s));
      return envoyDiff(side(args.before), side(args.after), { proxy: args.proxy, detail: args.detail, onProgress: context.progress });
    },
    narrow: 'name one proxy (proxy), or ask for detail: summary',
  }),
  drift: operation({
    /** `revision`: the stored revision's number, said in the answer. */
    run: (scenario, args: { configDump: unknown; proxy?: ProxySelector; revision?: number }) => ({
      ...(args.revision !== undefined ? { revision: args.revision } : {}),
      ...drift(scenario, readLiveProxyConfig(args.configDump), args.proxy),
    }),
    narrow: 'name the proxy the dump is from (proxy), or narrow what it sees with a Sidecar',
  }),
  /** `now`: when certificates are judged (the caller's clock; the engine reads none). */
  analyze: inputOperation({
    runOnInput: (input, args: { now: number }) => analyzeScenario({ ...input, now: args.now }),
    narrow: 'split the scenario into smaller ones',
  }),
  graph: operation({
    run: (scenario) => scenario.graph(),
    narrow: 'split the scenario into smaller ones',
  }),
  /** The mesh's proxies without their config, sorted by namespace and name. */
  proxies: operation({
    run: (scenario) =>
      scenario.index.proxies
        .map(({ id, type, namespace, name, pod, labels, ips }) => ({ id, type, namespace, name, pod, labels, ips }))
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
    narrow: 'split the scenario into smaller ones',
  }),
  // One batch of everyProxy (src/worker/fan-out.ts): every `of`-th proxy from position `batch`.
  proxyBatch: operation({
    run: (scenario, args: { batch: number; of: number }, context) => translateBatch(scenario, args, context.progress),
    narrow: 'narrow what proxies see with a Sidecar or exportTo, or split the scenario',
  }),
  describe: operation({
    run: (scenario, args: { pod: string }) => scenario.describe(args.pod),
    narrow: 'split the scenario: describe reads the whole mesh index',
  }),
  /** A large GraphQL request body, read for the event loop (large variables as their bytes). */
  readGraphQLRequest: standaloneOperation({
    // Sent as its bytes; here already parsed, as every JsonBytes argument is (readJsonArgs).
    runAlone: (args: { body: JsonBytes }) => readGraphQLRequest(args.body as unknown),
    narrow: 'send a smaller request, or a config dump to the REST routes',
  }),
  /** A revision's manifests checked before the store writes them (src/store/scenarios.ts ManifestChecker). */
  checkManifests: standaloneOperation({
    runAlone: (args: { resources: unknown }) => checkManifestsApart(args.resources),
    narrow: 'send a smaller mesh',
  }),
  // A live proxy's config dump: read (13-20 MiB for a sidecar of a big mesh) and used where the engine runs.
  liveTrace: standaloneOperation({
    runAlone: (args: { configDump: unknown; request: TraceRequestInput }) => readLiveProxyConfig(args.configDump).trace(args.request),
    narrow: 'send a smaller config dump (a proxy with a Sidecar scope)',
  }),
  liveProxyConfig: standaloneOperation({
    runAlone: (args: { configDump: unknown; kinds?: ProxyConfigKind[]; options?: ProxyConfigOptions }) =>
      readLiveProxyConfig(args.configDump).proxyConfig(args.kinds, args.options),
    narrow: 'ask for fewer kinds, or send a smaller config dump',
  }),
  /** router_check_tool over an inline route configuration, or over one of a config dump's (by name). */
  liveRouteCheck: standaloneOperation({
    runAlone: (args: { routeConfig: unknown; configDump?: unknown; tests: RouteTest[]; coverage?: CoverageMode }) => {
      if (args.configDump === undefined) return routeCheck(args.routeConfig, args.tests, args.coverage);
      const problems = routeTestProblems(args.tests);
      if (problems.length) throw new InputError(`${problems.length} problem(s) in tests`, problems);
      return checkRoutes(readLiveProxyConfig(args.configDump).routeConfiguration(String(args.routeConfig)), args.tests, args.coverage);
    },
    narrow: 'send fewer tests, or a smaller route configuration',
  }),
  /** An Envoy diff of two config dumps: nothing to compile. */
  dumpDiff: standaloneOperation({
    runAlone: (args: { before: DumpSide; after: DumpSide; proxy?: ProxySelector; detail?: DiffDetail }, context) =>
      envoyDiff(readDumpSide(args.before), readDumpSide(args.after), { proxy: args.proxy, detail: args.detail, onProgress: context.progress }),
    narrow: 'name one proxy (proxy), or ask for detail: summary',
  }),
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;
type ArgsOf<O> = O extends Operation<infer A, unknown> ? A : O extends InputOperation<infer A, unknown> ? A : O extends StandaloneOperation<infer A, unknown> ? A : never;
type ResultOf<O> = O extends Operation<never, infer R>
  ? R
  : O extends InputOperation<never, infer R>
    ? R
    : O extends StandaloneOperation<never, infer R>
      ? R
      : never;
export type OperationArgs<N extends OperationName> = ArgsOf<Operations[N]>;
export type OperationResult<N extends OperationName> = ResultOf<Operations[N]>;
