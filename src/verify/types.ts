// Expectations of a mesh (contract.md "Expectations and POST /api/v1/verify") and what verify answers.

import type { ProxySelector, TraceRequestInput, TraceResult } from '../contract.js';
import type { RouteCheckFailure, RouteTest, UncoveredRoute } from '../route-check/types.js';

export interface Expectation {
  name: string;
  proxy: ProxySelector;
  request: TraceRequestInput;
  /** Trace fields expected: the result's (flow, error, outcome, hops) and, at the top level, hop 0's. */
  expect: Record<string, unknown>;
}

export interface ProxyRouteTests {
  name?: string;
  proxy: ProxySelector;
  routeConfig: string;
  tests: RouteTest[];
}

export interface ExpectationsDocument {
  expectations?: Expectation[];
  routeTests?: ProxyRouteTests[];
}

export interface VerifyResultEntry {
  name: string;
  passed: boolean;
  failures: RouteCheckFailure[];
  trace?: TraceResult;
}

export interface ProxyCoverage {
  proxy: string;
  routes: number;
  covered: number;
  uncovered: (UncoveredRoute & { routeConfig: string })[];
}

export interface VerifyResult {
  passed: number;
  failed: number;
  results: VerifyResultEntry[];
  coverage: { percent: number; proxies: ProxyCoverage[] };
}
