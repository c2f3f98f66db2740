// Istio's analyzer tests (../shared/yardsticks/analyze) through meshplan's analyze: N/M per analyzer,
// the offline headline (of 84) and the full count (of 104). Cases that do not match yet are listed with a
// reason in known-failures.json; a listed case that matches fails the run, so the list only shrinks.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from '../support/cases.js';
import { loadAnalyzeCases, runAnalyzeCase } from '../support/analyze-cases.js';

const knownFailures: Record<string, string> = JSON.parse(readFileSync(path.join(repoRoot, 'test/analysis/known-failures.json'), 'utf8'));
const file = loadAnalyzeCases();
const outcomes = file.cases.map((c) => runAnalyzeCase(c, file.messageTypes));

t.test('the yardstick has cases', async (t) => {
  t.equal(file.format, 'analyze/v1');
  t.ok(file.cases.length > 0, 'cases.json has cases');
});

const byAnalyzer = new Map<string, typeof outcomes>();
for (const o of outcomes) byAnalyzer.set(o.analyzer, [...(byAnalyzer.get(o.analyzer) ?? []), o]);

for (const [analyzer, list] of [...byAnalyzer].sort()) {
  t.test(analyzer, async (t) => {
    const ok = (o: (typeof outcomes)[number]) => o.problems.length === 0;
    t.comment(`${analyzer}: ${list.filter(ok).length} passed of ${list.length} (offline ${list.filter((o) => o.offline && ok(o)).length} of ${list.filter((o) => o.offline).length})`);
    for (const o of list) {
      for (const d of o.typeDifferences) t.comment(`${o.id}: level/name differ from messages.yaml: ${d}`);
      const known = knownFailures[o.id];
      if (known !== undefined) {
        t.notOk(ok(o), `${o.id} is still a known failure (else remove it from the list)`);
        if (!ok(o)) t.comment(`known failure ${o.id}: ${known} [${o.problems.join('; ')}]`);
      } else {
        t.same(o.problems, [], o.id);
      }
    }
  });
}

t.test('totals', async (t) => {
  const offline = outcomes.filter((o) => o.offline);
  const passed = (l: typeof outcomes) => l.filter((o) => o.problems.length === 0).length;
  t.comment(`offline: ${passed(offline)} passed of ${offline.length}; full: ${passed(outcomes)} passed of ${outcomes.length}`);
  t.same(Object.keys(knownFailures).filter((id) => !outcomes.some((o) => o.id === id)), [], 'known failures name real cases');
});
