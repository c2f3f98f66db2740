// Istio's own traffic-simulation tests (../shared/cases), run through meshplan's engine.
// Read where they lie, never copied: the repo's CI has ../shared beside the clone.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MeshConfigInput, ProxySelector, TraceHop, TraceRequestInput, TraceResult } from '../../src/contract.js';
import { compileScenario, type CompiledScenario } from '../../src/engine.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Beside the repo, as CI lays it out; MESHPLAN_CASES_DIR points elsewhere. */
export const casesDir = process.env.MESHPLAN_CASES_DIR ?? path.resolve(repoRoot, '../shared/cases');
export const CASE_FILES = ['gateway', 'peer-authentication', 'service-entry', 'sidecar'] as const;

export interface CaseExpect {
  error: string | null;
  listener?: string;
  filterChain?: string;
  routeConfig?: string;
  virtualHost?: string;
  route?: string;
  cluster?: string;
  strict?: boolean;
}

export interface CaseCall {
  name: string;
  request: TraceRequestInput;
  expect: CaseExpect;
  skip: string | null;
}

export interface Case {
  id: string;
  origin: string;
  description: string;
  mesh: MeshConfigInput;
  resources: string;
  options: { configDomain?: string };
  features?: Record<string, boolean>;
  tags?: string[];
  proxy: Extract<ProxySelector, { type: string }>;
  calls: CaseCall[];
}

export function loadCases(file: string): Case[] {
  const where = path.join(casesDir, `${file}.json`);
  if (!existsSync(where)) {
    throw new Error(`Istio's simulation cases are not at ${where}: put ../shared beside the repo, or set MESHPLAN_CASES_DIR`);
  }
  return (JSON.parse(readFileSync(where, 'utf8')) as { cases: Case[] }).cases;
}

export const callKey = (c: Case, call: CaseCall): string => `${c.id}#${call.name}`;

export const compileCase = (c: Case): CompiledScenario =>
  compileScenario({
    resources: c.resources,
    mesh: c.mesh,
    options: { configDomain: c.options?.configDomain, features: c.features ?? {} },
  });

/** The fields Istio's simulation reports (simulation.Result), from the first hop of a trace. */
const FIELDS = ['listener', 'filterChain', 'routeConfig', 'virtualHost', 'route', 'cluster'] as const;

const observed = (hop: TraceHop | undefined): Record<(typeof FIELDS)[number], string> => ({
  listener: hop?.listener ?? '',
  filterChain: hop?.filterChain ?? '',
  routeConfig: hop?.routeConfig ?? '',
  virtualHost: hop?.virtualHost ?? '',
  route: hop?.route ?? '',
  cluster: hop?.cluster ?? '',
});

/**
 * Compare as Istio's Result.Matches does: the error always; other fields when expected,
 * or all of them (absent = empty) when strict. Returns the mismatches, empty when it matches.
 */
export function compareCall(expect: CaseExpect, result: TraceResult): string[] {
  const hop = result.hops[0];
  const got = observed(hop);
  const gotError = hop?.error?.code ?? null;
  const problems: string[] = [];
  if ((expect.error ?? null) !== gotError) problems.push(`error: want ${expect.error ?? 'none'}, got ${gotError ?? 'none'}`);
  for (const field of FIELDS) {
    const want = expect[field];
    if (want === undefined && !expect.strict) continue;
    if ((want ?? '') !== got[field]) problems.push(`${field}: want ${JSON.stringify(want ?? '')}, got ${JSON.stringify(got[field])}`);
  }
  return problems;
}

export interface CallOutcome {
  key: string;
  file: string;
  problems: string[];
}

/** Run every call of a case file; a case whose mesh fails to compile fails all its calls. */
export function runCaseFile(file: string): CallOutcome[] {
  const outcomes: CallOutcome[] = [];
  for (const c of loadCases(file)) {
    let scenario: CompiledScenario | undefined;
    let compileError = '';
    try {
      scenario = compileCase(c);
    } catch (err) {
      compileError = `compile failed: ${(err as Error).message}`;
    }
    for (const call of c.calls) {
      let problems: string[];
      if (!scenario) problems = [compileError];
      else {
        try {
          problems = compareCall(call.expect, scenario.trace(c.proxy, call.request));
        } catch (err) {
          problems = [`trace failed: ${(err as Error).stack?.split('\n').slice(0, 3).join(' | ')}`];
        }
      }
      outcomes.push({ key: callKey(c, call), file, problems });
    }
  }
  return outcomes;
}
