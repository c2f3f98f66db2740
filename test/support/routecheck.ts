// Envoy's own router_check_tool suite (../shared/yardsticks/routecheck/cases.json, FORMAT.md beside it),
// read where it lies, and the FORMAT's matching rules: an answer scored in units.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cases.js';

export const routeCheckFile = process.env.MESHPLAN_ROUTECHECK_FILE ?? path.resolve(repoRoot, '../shared/yardsticks/routecheck/cases.json');

export interface RouteCheckExpect {
  allPass?: boolean;
  failedTests?: string[];
  failures?: Record<string, string[]>;
  failuresExact?: boolean;
  failureValues?: Record<string, Record<string, { expected: unknown; actual: unknown }>>;
  uncheckedTests?: string[];
  coveragePercent?: number;
  coverageBelow?: number;
  uncoveredIncludes?: { virtual_host: string; route: string | number }[];
  httpStatus?: number;
}

export interface RouteCheckCase {
  id: string;
  invocation: string;
  routeConfig: unknown;
  tests: { test_name: string; [k: string]: unknown }[];
  coverage?: 'basic' | 'detailed';
  expect: RouteCheckExpect;
}

export function readRouteCheckCases(): RouteCheckCase[] {
  if (!existsSync(routeCheckFile)) throw new Error(`routecheck yardstick not found at ${routeCheckFile} (../shared beside the clone, or MESHPLAN_ROUTECHECK_FILE)`);
  const file = JSON.parse(readFileSync(routeCheckFile, 'utf8')) as { format: string; cases: RouteCheckCase[] };
  if (file.format !== 'routecheck/v1') throw new Error(`unexpected format ${file.format}`);
  return file.cases;
}

interface Answer {
  status: number;
  contentType: string;
  body: any;
}

export interface Score {
  units: number;
  matched: number;
  mismatches: string[];
}

/** The part of a failure's field before the first . [ ] : / ( or space, in snake_case. */
const root = (field: string): string => field.split(/[.[\]:/( ]/, 1)[0].replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Scores one answer by the FORMAT's rules: one unit per scored test and per coverage assertion. */
export function scoreCase(c: RouteCheckCase, answer: Answer): Score {
  const e = c.expect;
  if (e.httpStatus !== undefined) {
    const ok = answer.status === e.httpStatus && answer.contentType.startsWith('application/problem+json');
    return { units: 1, matched: ok ? 1 : 0, mismatches: ok ? [] : [`want ${e.httpStatus} problem, got ${answer.status} ${answer.contentType}`] };
  }
  const unchecked = new Set(e.uncheckedTests ?? []);
  const scored = c.tests.filter((t) => !unchecked.has(t.test_name));
  const coverageUnits = ['coveragePercent', 'coverageBelow', 'uncoveredIncludes'].filter((k) => e[k as keyof RouteCheckExpect] !== undefined);
  const units = scored.length + coverageUnits.length;
  const results: any[] | undefined = answer.status === 200 && Array.isArray(answer.body?.results) ? answer.body.results : undefined;
  if (!results) return { units, matched: 0, mismatches: [`no results (status ${answer.status}): ${JSON.stringify(answer.body).slice(0, 300)}`] };
  const mismatches: string[] = [];
  const used = new Set<number>();
  let matched = 0;
  c.tests.forEach((test, i) => {
    let at = results[i]?.test_name === test.test_name && !used.has(i) ? i : results.findIndex((r, j) => !used.has(j) && r?.test_name === test.test_name);
    if (at >= 0) used.add(at);
    if (unchecked.has(test.test_name)) return;
    const result = at >= 0 ? results[at] : undefined;
    const failsInEnvoy = (e.failedTests ?? []).includes(test.test_name);
    const problems: string[] = [];
    if (!result) problems.push('no result');
    else if (typeof result.passed !== 'boolean') problems.push('passed is not a boolean');
    else if (!failsInEnvoy) {
      if (!result.passed) problems.push(`fails: ${JSON.stringify(result.failures)}`);
    } else {
      const failures: { field: string; expected: unknown; actual: unknown }[] = Array.isArray(result.failures) ? result.failures : [];
      const roots = new Set(failures.map((f) => root(String(f.field))));
      if (result.passed) problems.push('passes, Envoy fails it');
      for (const field of e.failures?.[test.test_name] ?? []) if (!roots.has(field)) problems.push(`no failure of ${field}`);
      if (e.failuresExact) for (const r of roots) if (!(e.failures?.[test.test_name] ?? []).includes(r)) problems.push(`unexpected failure of ${r}`);
      for (const [field, want] of Object.entries(e.failureValues?.[test.test_name] ?? {})) {
        const f = failures.find((x) => x.field === field || root(String(x.field)) === field);
        if (!f || String(f.expected) !== String(want.expected) || String(f.actual) !== String(want.actual)) {
          problems.push(`${field}: want expected ${JSON.stringify(want.expected)} actual ${JSON.stringify(want.actual)}, got ${JSON.stringify(f)}`);
        }
      }
    }
    if (problems.length) mismatches.push(`${test.test_name}: ${problems.join('; ')}`);
    else matched++;
  });
  const percent = Number(answer.body?.coverage?.percent);
  if (e.coveragePercent !== undefined) {
    if (Math.abs(percent - e.coveragePercent) <= 0.5) matched++;
    else mismatches.push(`coverage ${percent}, want ${e.coveragePercent}`);
  }
  if (e.coverageBelow !== undefined) {
    if (percent < e.coverageBelow) matched++;
    else mismatches.push(`coverage ${percent}, want below ${e.coverageBelow}`);
  }
  if (e.uncoveredIncludes !== undefined) {
    const uncovered: any[] = Array.isArray(answer.body?.coverage?.uncovered) ? answer.body.coverage.uncovered : [];
    const missing = e.uncoveredIncludes.filter((u) => !uncovered.some((x) => String(x?.virtual_host) === String(u.virtual_host) && String(x?.route) === String(u.route)));
    if (missing.length === 0) matched++;
    else mismatches.push(`uncovered lacks ${JSON.stringify(missing)} (has ${JSON.stringify(uncovered)})`);
  }
  return { units, matched, mismatches };
}
