// Every call of Istio's traffic-simulation tests (../shared/cases) through translate + trace,
// compared with Istio's expectation. Calls that do not match yet are listed, with a reason each,
// in cases.known-failures.json; that list only shrinks: an entry that now passes fails the run.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { CASE_FILES, repoRoot, runCaseFile } from './support/cases.js';

const knownFailures: Record<string, string> = JSON.parse(
  readFileSync(path.join(repoRoot, 'test/cases.known-failures.json'), 'utf8'),
);

for (const file of CASE_FILES) {
  t.test(`${file}.json`, async (t) => {
    const outcomes = runCaseFile(file);
    const matched = outcomes.filter((o) => o.problems.length === 0).length;
    t.comment(`${file}: ${matched}/${outcomes.length} calls match Istio`);
    for (const o of outcomes) {
      const known = knownFailures[o.key];
      if (known !== undefined) {
        t.ok(o.problems.length > 0, `${o.key} is still a known failure (else remove it from the list)`);
        if (o.problems.length > 0) t.comment(`known failure ${o.key}: ${known} [${o.problems.join('; ')}]`);
      } else {
        t.same(o.problems, [], o.key);
      }
    }
  });
}

t.test('known-failures list names only real calls', async (t) => {
  const keys = new Set(CASE_FILES.flatMap((f) => runCaseFile(f).map((o) => o.key)));
  t.same(Object.keys(knownFailures).filter((k) => !keys.has(k)), []);
});
