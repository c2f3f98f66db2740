// Prints how many of ../shared/cases match, per file and per first problem, and with --write
// adds the calls that fail and are not yet listed to test/cases.known-failures.json
// (their reason starts as the observed mismatch; replace it with the real cause).

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CASE_FILES, repoRoot, runCaseFile } from '../test/support/cases.js';

const listPath = path.join(repoRoot, 'test/cases.known-failures.json');
const known: Record<string, string> = JSON.parse(readFileSync(listPath, 'utf8'));
const verbose = process.argv.includes('--verbose');
let total = 0;
let matched = 0;
for (const file of CASE_FILES) {
  const outcomes = runCaseFile(file);
  const ok = outcomes.filter((o) => o.problems.length === 0);
  total += outcomes.length;
  matched += ok.length;
  console.log(`${file}: ${ok.length}/${outcomes.length}`);
  for (const o of outcomes) {
    if (o.problems.length === 0) continue;
    if (verbose) console.log(`  ${o.key}: ${o.problems.join('; ')}`);
    if (process.argv.includes('--write') && known[o.key] === undefined) known[o.key] = o.problems.join('; ');
  }
}
console.log(`total: ${matched}/${total} (${((100 * matched) / total).toFixed(1)}%)`);
if (process.argv.includes('--write')) {
  const sorted = Object.fromEntries(Object.entries(known).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(listPath, `${JSON.stringify(sorted, null, 2)}\n`);
}
