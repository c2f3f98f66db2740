// verify: every expectation traced and compared field by field with what it expects, every route test
// run with router_check_tool's rules, and route coverage over every proxy they looked from.

import type { ProxySelector, TraceHop, TraceRequestInput, TraceResult } from '../contract.js';
import type { ManifestProblem } from '../manifests/types.js';
import { checkRoutes } from '../route-check/check.js';
import { RouteCoverage, uncoveredRoutes } from '../route-check/coverage.js';
import { routeTestProblems } from '../route-check/tests.js';
import type { RouteCheckFailure } from '../route-check/types.js';
import type { RouteConfiguration } from '../xds/envoy.js';
import type { ExpectationsDocument, ProxyCoverage, VerifyResult, VerifyResultEntry } from './types.js';

/** What verify needs of a compiled scenario. */
export interface VerifyTarget {
  trace(selector: ProxySelector, request: TraceRequestInput): TraceResult;
  /** "namespace/name" of the proxy a selector names (throws InputError for an unknown pod). */
  proxyName(selector: ProxySelector): string;
  /** The proxy's generated route configurations (RDS). */
  routeConfigurations(selector: ProxySelector): RouteConfiguration[];
  routeConfiguration(selector: ProxySelector, name: string, at: string): RouteConfiguration;
}

/** A refusal of the input, with every problem (an engine InputError, made by the caller's class). */
export type InputErrorFactory = (message: string, problems: ManifestProblem[]) => Error;

const RESULT_FIELDS = new Set(['flow', 'error', 'outcome']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "reviews-v2-*" matches a generated pod name; otherwise strings compare exactly. */
const globMatches = (pattern: string, value: string): boolean =>
  pattern.includes('*') && new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

/** Partial comparison: objects by the keys expected, arrays element by element, null = null or absent. */
function compare(field: string, want: unknown, actual: unknown, failures: RouteCheckFailure[]): void {
  const fail = (): void => {
    failures.push({ field, expected: want as never, actual: (actual ?? null) as never });
  };
  if (want === null) {
    if (actual !== null && actual !== undefined) fail();
  } else if (Array.isArray(want)) {
    if (!Array.isArray(actual)) return fail();
    want.forEach((w, i) => compare(`${field}[${i}]`, w, actual[i], failures));
  } else if (isObject(want)) {
    if (!isObject(actual)) return fail();
    for (const [k, w] of Object.entries(want)) compare(`${field}.${k}`, w, actual[k], failures);
  } else if (want !== actual && !(typeof want === 'string' && typeof actual === 'string' && globMatches(want, actual))) fail();
}

function expectationFailures(expect: Record<string, unknown>, trace: TraceResult): RouteCheckFailure[] {
  const failures: RouteCheckFailure[] = [];
  for (const [key, want] of Object.entries(expect)) {
    if (RESULT_FIELDS.has(key) || key === 'hops') compare(key, want, (trace as unknown as Record<string, unknown>)[key], failures);
    else compare(key, want, (trace.hops[0] as unknown as Record<string, unknown>)[key], failures);
  }
  return failures;
}

/** Route positions ("vhost index/route index") a hop went through, in its route configuration. */
function hopRoute(rc: RouteConfiguration, hop: TraceHop): string | undefined {
  const v = (rc.virtual_hosts ?? []).findIndex((vh) => vh.name === hop.virtualHost);
  if (v < 0 || hop.route === null) return undefined;
  // The route step names an unnamed route by its position (#n).
  const label = hop.steps.find((s) => s.stage === 'route')?.chosen ?? '';
  const unnamed = /^#(\d+)$/.exec(label);
  const r = unnamed ? Number(unnamed[1]) : (rc.virtual_hosts![v].routes ?? []).findIndex((route) => route.name === hop.route);
  return r < 0 ? undefined : `${v}/${r}`;
}

class CoverageTally {
  /** proxy name → its selector and, per route configuration name, the positions covered. */
  private readonly proxies = new Map<string, { selector: ProxySelector; covered: Map<string, Set<string>> }>();

  lookedFrom(name: string, selector: ProxySelector): void {
    if (!this.proxies.has(name)) this.proxies.set(name, { selector, covered: new Map() });
  }

  covered(proxy: string, routeConfig: string): Set<string> | undefined {
    const entry = this.proxies.get(proxy);
    if (!entry) return undefined;
    let set = entry.covered.get(routeConfig);
    if (!set) entry.covered.set(routeConfig, (set = new Set()));
    return set;
  }

  /** A traced hop on a proxy looked from covers the route it took. */
  hop(target: VerifyTarget, hop: TraceHop): void {
    const name = `${hop.proxy.namespace}/${hop.proxy.name}`;
    const entry = this.proxies.get(name);
    if (!entry || hop.routeConfig === null) return;
    const rc = target.routeConfigurations(entry.selector).find((c) => c.name === hop.routeConfig);
    const position = rc && hopRoute(rc, hop);
    if (position) this.covered(name, rc.name)!.add(position);
  }

  report(target: VerifyTarget): VerifyResult['coverage'] {
    const proxies: ProxyCoverage[] = [];
    for (const [name, { selector, covered }] of [...this.proxies].sort(([a], [b]) => a.localeCompare(b))) {
      const entry: ProxyCoverage = { proxy: name, routes: 0, covered: 0, uncovered: [] };
      for (const rc of target.routeConfigurations(selector)) {
        const uncovered = uncoveredRoutes(rc, covered.get(rc.name) ?? new Set());
        const count = (rc.virtual_hosts ?? []).reduce((n, vh) => n + (vh.routes?.length ?? 0), 0);
        entry.routes += count;
        entry.covered += count - uncovered.length;
        entry.uncovered.push(...uncovered.map((u) => ({ routeConfig: rc.name, ...u })));
      }
      proxies.push(entry);
    }
    const routes = proxies.reduce((n, p) => n + p.routes, 0);
    const covered = proxies.reduce((n, p) => n + p.covered, 0);
    return { percent: routes ? (100 * covered) / routes : 0, proxies };
  }
}

/** Runs an expectations document (already read and checked) against a compiled scenario. */
export function runExpectations(target: VerifyTarget, document: ExpectationsDocument, inputError: InputErrorFactory): VerifyResult {
  const problems: ManifestProblem[] = [];
  const at = <T>(path: string, run: () => T): T | undefined => {
    try {
      return run();
    } catch (e) {
      const inner = (e as { problems?: ManifestProblem[] }).problems;
      if (!inner) throw e;
      problems.push(...inner.map((p) => ({ ...p, document: 0, kind: 'Expectations', path: `${path}${p.path.replace(/^proxy/, '')}` })));
      return undefined;
    }
  };
  const tally = new CoverageTally();
  const results: VerifyResultEntry[] = [];
  const traces: TraceResult[] = [];
  document.expectations?.forEach((e, i) => {
    const proxy = at(`expectations[${i}].proxy`, () => target.proxyName(e.proxy));
    if (proxy === undefined) return;
    tally.lookedFrom(proxy, e.proxy);
    const trace = target.trace(e.proxy, e.request);
    traces.push(trace);
    const failures = expectationFailures(e.expect, trace);
    results.push({ name: e.name, passed: failures.length === 0, failures, ...(failures.length ? { trace } : {}) });
  });
  document.routeTests?.forEach((group, i) => {
    problems.push(...routeTestProblems(group.tests, `routeTests[${i}].tests`).map((p) => ({ ...p, document: 0, kind: 'Expectations' })));
    const proxy = at(`routeTests[${i}].proxy`, () => target.proxyName(group.proxy));
    const rc = proxy === undefined ? undefined : at(`routeTests[${i}].routeConfig`, () => target.routeConfiguration(group.proxy, group.routeConfig, ''));
    if (proxy === undefined || !rc) return;
    tally.lookedFrom(proxy, group.proxy);
    const coverage = new RouteCoverage();
    const checked = checkRoutes(rc, group.tests, 'basic', coverage);
    for (const position of coverage.coveredRoutes()) tally.covered(proxy, rc.name)!.add(position);
    const prefix = group.name ?? `${proxy} ${rc.name}`;
    for (const r of checked.results) results.push({ name: `${prefix}: ${r.test_name}`, passed: r.passed, failures: r.failures });
  });
  // After every expectation: a later hop on a proxy looked from covers its route too.
  for (const trace of traces) for (const hop of trace.hops) tally.hop(target, hop);
  if (problems.length) throw inputError(`${problems.length} problem(s) in expectations`, problems);
  const passed = results.filter((r) => r.passed).length;
  return { passed, failed: results.length - passed, results, coverage: tally.report(target) };
}
