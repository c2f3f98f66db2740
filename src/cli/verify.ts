// `meshplan verify -f <manifests> -e <expectations> [--junit FILE] [--json]`: exit 0 when every
// expectation holds, 1 when any fails (bad input exits 2, in src/cli.ts).

import { readFileSync, writeFileSync } from 'node:fs';
import type { CompiledScenario } from '../engine.js';
import { toJUnit } from '../verify/junit.js';
import type { VerifyResult } from '../verify/types.js';

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function printVerify(result: VerifyResult): void {
  for (const r of result.results) {
    console.log(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}`);
    for (const f of r.failures) console.log(`      ${f.field}: expected ${show(f.expected)}, got ${show(f.actual)}`);
  }
  console.log(`\n${result.passed} passed, ${result.failed} failed`);
  console.log(`route coverage ${result.coverage.percent.toFixed(1)}%`);
  for (const p of result.coverage.proxies) {
    console.log(`  ${p.proxy}: ${p.covered} of ${p.routes} routes`);
    for (const u of p.uncovered.slice(0, 10)) console.log(`      not exercised: ${u.routeConfig} ${u.virtual_host} route ${u.route}`);
    if (p.uncovered.length > 10) console.log(`      ... and ${p.uncovered.length - 10} more`);
  }
}

export function verifyCommand(scenario: CompiledScenario, options: { expectations?: string; junit?: string; json?: boolean }): number {
  if (!options.expectations) throw new Error('-e, --expectations <file> is required');
  const result = scenario.verify(readFileSync(options.expectations, 'utf8'));
  if (options.junit) writeFileSync(options.junit, toJUnit(result));
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else printVerify(result);
  return result.failed > 0 ? 1 : 0;
}
