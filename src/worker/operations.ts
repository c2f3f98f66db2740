// The engine's heavy operations, by name: each takes a compiled scenario and plain-JSON arguments and
// returns plain JSON. REST, GraphQL and jobs all call them through one function (EnginePool.run), which
// runs them in a worker thread where the compiled-scenario cache lives. A new operation is one entry here.

import type { ProxySelector, TraceRequestInput } from '../contract.js';
import type { CompiledScenario, ProxyConfigOptions } from '../engine.js';
import type { ProxyConfigKind } from '../proxy-config/index.js';

export interface OperationContext {
  /** Work done so far, for jobs' progress (called at most every few hundred milliseconds by the pool). */
  progress(done: number, total: number): void;
}

export interface Operation<A, R> {
  run(scenario: CompiledScenario, args: A, context: OperationContext): R;
  /** What a caller can narrow when the operation runs over its time budget (said in the 503). */
  narrow: string;
}

const operation = <A, R>(o: Operation<A, R>): Operation<A, R> => o;

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
  describe: operation({
    run: (scenario, args: { pod: string }) => scenario.describe(args.pod),
    narrow: 'split the scenario: describe reads the whole mesh index',
  }),
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type OperationArgs<N extends OperationName> = Parameters<Operations[N]['run']>[1];
export type OperationResult<N extends OperationName> = ReturnType<Operations[N]['run']>;
