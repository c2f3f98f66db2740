// The authz yardstick: Istio's AuthorizationPolicy builder tests, matched against the filters the engine
// puts on the sidecar's virtualInbound chains. Cases that do not match yet are listed with a reason in
// authz-yardstick.known-failures.json; a listed case that passes fails the run, so the list only shrinks.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from '../support/cases.js';
import { loadAuthzCases, runAuthzCase } from '../support/authz-cases.js';

const knownFailures: Record<string, string> = JSON.parse(
  readFileSync(path.join(repoRoot, 'test/security/authz-yardstick.known-failures.json'), 'utf8'),
);

t.test('authz yardstick', async (t) => {
  const cases = loadAuthzCases().filter((c) => c.supported !== false);
  t.ok(cases.length > 0, 'the yardstick has cases');
  const outcomes = cases.map(runAuthzCase);
  const matched = outcomes.filter((o) => o.problems.length === 0).length;
  const strict = outcomes.filter((o) => o.problems.length === 0 && o.passthroughProblems.length === 0).length;
  t.comment(`authz: ${matched} passed of ${outcomes.length} (with the passthrough chains too: ${strict} of ${outcomes.length})`);
  for (const o of outcomes) {
    const known = knownFailures[o.id];
    if (known !== undefined) {
      t.ok(o.problems.length > 0, `${o.id} is still a known failure (else remove it from the list)`);
      if (o.problems.length > 0) t.comment(`known failure ${o.id}: ${known}`);
    } else {
      t.same(o.problems, [], o.id);
    }
  }
  t.same(Object.keys(knownFailures).filter((k) => !cases.some((c) => c.id === k)), [], 'known failures name real cases');
});
