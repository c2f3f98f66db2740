// router_check_tool tests' header matchers are Envoy HeaderMatchers: checked as strictly as the route
// configuration, so a misspelt matcher is refused instead of silently matching everything.

import { checkEnvoyResource } from '../envoy/protos.js';
import type { ManifestProblem } from '../manifests/types.js';
import type { RouteTest } from './types.js';

const HEADER_MATCHER = 'type.googleapis.com/envoy.config.route.v3.HeaderMatcher';

export function routeTestProblems(tests: readonly RouteTest[], at = 'tests'): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  tests.forEach((test, i) => {
    for (const field of ['request_header_matches', 'response_header_matches'] as const) {
      test.validate?.[field]?.forEach((matcher, j) => {
        for (const e of checkEnvoyResource(HEADER_MATCHER, matcher).errors) {
          const colon = e.indexOf(': ');
          problems.push({ document: -1, object: test.test_name, path: `${at}[${i}].validate.${field}[${j}]${e.slice(1, colon)}`, message: e.slice(colon + 2), severity: 'error' });
        }
      });
    }
  });
  return problems;
}
