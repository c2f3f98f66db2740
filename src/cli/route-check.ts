// `meshplan route-check`, with router_check_tool's own files and flags, so its users can switch:
//   meshplan route-check -c routes.yaml -t tests.json [--details] [--only-show-failures] [-f 100] [--covall|--detailed-coverage]
// or over a generated route configuration instead of -c:
//   meshplan route-check --manifests samples/bookinfo --proxy istio-system/istio-ingressgateway --route-config http.8080 -t tests.yaml
// Exit 0 when every test passes and coverage meets -f, 1 otherwise (bad input exits 2, in src/cli.ts).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { inputProblems } from '../api/inputs.js';
import { compileScenario, routeCheck, type RouteCheckResult, type RouteTest } from '../engine.js';

export const ROUTE_CHECK_USAGE = `usage: meshplan route-check (-c <route config> | --manifests <files> --proxy ns/pod --route-config NAME) -t <tests> [options]
  -c, --config            an envoy.config.route.v3.RouteConfiguration, YAML or JSON
  -t, --test              router_check_tool tests ({tests: [...]}), YAML or JSON
  -d, --details           print every test and each field that differs
  --only-show-failures    print the failing tests only
  -f, --fail-under        coverage threshold in percent: below it exits 1
  --covall                detailed coverage (every field of every route)
  --detailed-coverage     print the routes no test covered
  --json                  the service's JSON answer`;

const readYaml = (file: string): unknown => parse(readFileSync(file, 'utf8'));

function printResult(result: RouteCheckResult, options: { details?: boolean; onlyFailures?: boolean }): void {
  for (const r of result.results) {
    if (options.onlyFailures && r.passed) continue;
    if (options.details || options.onlyFailures) console.log(r.test_name);
    for (const f of r.failures) console.log(`expected: [${f.expected}], actual: [${f.actual}], test type: ${f.field}`);
  }
}

export function routeCheckCommand(argv: string[], readManifests: (paths: string[]) => string): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      test: { type: 'string', short: 't' },
      details: { type: 'boolean', short: 'd' },
      'only-show-failures': { type: 'boolean' },
      'fail-under': { type: 'string', short: 'f' },
      covall: { type: 'boolean' },
      'detailed-coverage': { type: 'boolean' },
      manifests: { type: 'string', multiple: true },
      mesh: { type: 'string' },
      proxy: { type: 'string' },
      'route-config': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(ROUTE_CHECK_USAGE);
    return 0;
  }
  if (!values.test) throw new Error(`-t, --test <file> is required\n${ROUTE_CHECK_USAGE}`);
  const threshold = values['fail-under'] === undefined ? undefined : Number(values['fail-under']);
  if (threshold !== undefined && !Number.isFinite(threshold)) throw new Error(`-f ${values['fail-under']}: expected a percentage`);
  const file = readYaml(values.test) as { tests?: unknown } | null;
  // The service's own check of the tests, its paths named from the file.
  const problems = inputProblems('routeTests', { tests: file?.tests });
  if (problems.length) throw new Error(problems.map((p) => `${values.test}: ${p.path.replace(/^routeTests\./, '')} ${p.message}`).join('\nmeshplan: '));
  const tests = file!.tests as RouteTest[];
  const coverage = values.covall ? 'detailed' : 'basic';
  let result: RouteCheckResult;
  if (values.config) result = routeCheck(readYaml(values.config), tests, coverage);
  else {
    if (!values.manifests?.length || !values.proxy || !values['route-config']) throw new Error(`-c <route config>, or --manifests with --proxy and --route-config, is required\n${ROUTE_CHECK_USAGE}`);
    const scenario = compileScenario({ resources: readManifests(values.manifests), mesh: values.mesh ? JSON.parse(values.mesh) : {} });
    result = scenario.routeCheck({ pod: values.proxy }, values['route-config'], tests, coverage);
  }
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    printResult(result, { details: values.details, onlyFailures: values['only-show-failures'] });
    if (threshold !== undefined || values.covall || values['detailed-coverage']) console.log(`Current route coverage: ${Number(result.coverage.percent.toFixed(4))}%`);
    if (values['detailed-coverage'] || values.covall) {
      for (const u of result.coverage.uncovered) console.log(`Missing test for host: ${u.virtual_host}, route: ${u.route}`);
    }
  }
  const belowThreshold = threshold !== undefined && result.coverage.percent < threshold;
  if (belowThreshold) console.log(`Failed to meet coverage requirement: ${threshold}%`);
  return result.failed > 0 || belowThreshold ? 1 : 0;
}
