// Istio's analyzer tests (../shared/yardsticks/analyze/cases.json, analyze/v1) run through meshplan's
// analyze, matched as FORMAT.md beside them says: per (code, kind, namespace, name), counted; only the
// case's codes count; tolerated keys may be over.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeScenario } from '../../src/engine.js';
import { repoRoot } from './cases.js';

export const analyzeCasesFile =
  process.env.MESHPLAN_ANALYZE_CASES ?? path.resolve(repoRoot, '../shared/yardsticks/analyze/cases.json');

interface Key {
  code: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface AnalyzeCase {
  id: string;
  analyzer: string;
  codes: string[];
  resources: string;
  mesh: Record<string, unknown>;
  expected: Key[];
  tolerate?: Key[];
  offline: boolean;
  note?: string;
}

export interface AnalyzeCaseFile {
  format: string;
  messageTypes: Record<string, { name: string; level: string }>;
  cases: AnalyzeCase[];
}

export function loadAnalyzeCases(): AnalyzeCaseFile {
  if (!existsSync(analyzeCasesFile)) {
    throw new Error(`Istio's analyzer cases are not at ${analyzeCasesFile}: put ../shared beside the repo, or set MESHPLAN_ANALYZE_CASES`);
  }
  return JSON.parse(readFileSync(analyzeCasesFile, 'utf8')) as AnalyzeCaseFile;
}

const keyOf = (k: { code: string; kind?: string; namespace?: string; name?: string }) =>
  `${k.code} ${k.kind ?? ''} ${k.namespace ?? ''}/${k.name ?? ''}`;

export interface AnalyzeOutcome {
  id: string;
  analyzer: string;
  offline: boolean;
  /** Keys short or over, and level/name differences; empty when the case matches. */
  problems: string[];
  /** Level or name differing from messages.yaml (reported, not scored). */
  typeDifferences: string[];
}

/** The time Istio's expectations hold at: the expired certificate of gatewaySecretValidations is past, the other valid. */
const NOW = Date.parse('2026-12-01T00:00:00Z');

export function runAnalyzeCase(c: AnalyzeCase, types: AnalyzeCaseFile['messageTypes']): AnalyzeOutcome {
  const problems: string[] = [];
  const typeDifferences: string[] = [];
  let messages;
  try {
    messages = analyzeScenario({ resources: c.resources, ...(Object.keys(c.mesh).length ? { mesh: c.mesh } : {}), now: NOW }).messages;
  } catch (e) {
    return { id: c.id, analyzer: c.analyzer, offline: c.offline, problems: [`refused: ${(e as Error).message}`], typeDifferences };
  }
  const got = new Map<string, number>();
  for (const m of messages) {
    if (!c.codes.includes(m.code)) continue;
    const t = types[m.code];
    if (t && (t.name !== m.name || t.level !== m.level)) typeDifferences.push(`${m.code}: ${m.name}/${m.level} vs ${t.name}/${t.level}`);
    const k = keyOf({ code: m.code, ...m.resource });
    got.set(k, (got.get(k) ?? 0) + 1);
  }
  const want = new Map<string, number>();
  for (const e of c.expected) want.set(keyOf(e), (want.get(keyOf(e)) ?? 0) + 1);
  const tolerated = new Set((c.tolerate ?? []).map(keyOf));
  for (const k of new Set([...got.keys(), ...want.keys()])) {
    const [g, w] = [got.get(k) ?? 0, want.get(k) ?? 0];
    if (g < w) problems.push(`missing ${k} (${g} of ${w})`);
    else if (g > w && !tolerated.has(k)) problems.push(`unexpected ${k} (${g}, expected ${w})`);
  }
  return { id: c.id, analyzer: c.analyzer, offline: c.offline, problems, typeDifferences };
}
