// Envoy's own router_check_tool suite (../shared/yardsticks/routecheck) through POST /api/v1/route-check
// over HTTP, scored in units by the FORMAT's matching rules. A case that does not match yet must be
// listed in routecheck.known-failures.json with a reason; a listed case that matches fails the run.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from './support/cases.js';
import { readRouteCheckCases, scoreCase } from './support/routecheck.js';
import { call, startTestServer } from './support/server.js';

const knownFailures: Record<string, string> = JSON.parse(readFileSync(path.join(repoRoot, 'test/routecheck.known-failures.json'), 'utf8'));

t.test('routecheck yardstick', async (t) => {
  const cases = readRouteCheckCases();
  t.ok(cases.length > 0, 'the yardstick has cases');
  const { url } = await startTestServer(t);
  let units = 0;
  let matched = 0;
  for (const c of cases) {
    const body = { routeConfig: c.routeConfig, tests: c.tests, ...(c.coverage ? { coverage: c.coverage } : {}) };
    const res = await call(url, 'POST', '/api/v1/route-check', body);
    const score = scoreCase(c, { status: res.status, contentType: res.headers.get('content-type') ?? '', body: res.body });
    units += score.units;
    matched += score.matched;
    t.comment(`${c.id}: ${score.matched} passed of ${score.units}`);
    const ok = score.matched === score.units;
    if (knownFailures[c.id] !== undefined) t.notOk(ok, `${c.id} is still a known failure (${knownFailures[c.id]}); else remove it from the list`);
    else t.same(score.mismatches, [], c.id);
  }
  t.comment(`routecheck: ${matched} passed of ${units} units (${cases.length} cases)`);
  t.same(Object.keys(knownFailures).filter((id) => !cases.some((c) => c.id === id)), [], 'known failures name real cases');
});
