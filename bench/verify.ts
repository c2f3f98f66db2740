// Route-check and verify medians for npm run bench: router_check_tool tests on a large route
// configuration (engine only), and an expectations document on the 1000-service mesh, warm.

import { performance } from 'node:perf_hooks';
import type { RouteTest } from '../src/engine.js';
import { checkRoutes, compileScenario } from './built.js';
import type { RouteConfiguration } from '../src/xds/envoy.js';
import { syntheticMesh } from './mesh.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeMedian(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** 10 virtual hosts of 100 routes each: prefix, exact-path and header matches, some weighted, some rewrites. */
function largeRouteConfig(routes: number): RouteConfiguration {
  const perHost = 100;
  return {
    name: 'bench',
    virtual_hosts: Array.from({ length: routes / perHost }, (_, v) => ({
      name: `host-${v}`,
      domains: [`host-${v}.example`, `host-${v}.example:80`],
      routes: Array.from({ length: perHost }, (_, r) => ({
        name: `route-${v}-${r}`,
        match: r % 3 === 0 ? { path: `/api/${r}` } : { prefix: `/svc/${r}/`, headers: r % 3 === 1 ? [{ name: 'x-tenant', string_match: { exact: `t${r}` } }] : [] },
        route:
          r % 5 === 0
            ? { weighted_clusters: { clusters: [{ name: `c-${v}-${r}-a`, weight: 90 }, { name: `c-${v}-${r}-b`, weight: 10 }] } }
            : { cluster: `c-${v}-${r}`, ...(r % 7 === 0 ? { prefix_rewrite: '/' } : {}) },
      })),
    })),
  };
}

function routeTests(rc: RouteConfiguration, count: number): RouteTest[] {
  const tests: RouteTest[] = [];
  for (let i = 0; i < count; i++) {
    const v = i % rc.virtual_hosts!.length;
    const r = (i * 37) % 100;
    const route = rc.virtual_hosts![v].routes![r];
    const path = route.match.path ?? `${route.match.prefix}item-${i}`;
    const headers = route.match.headers?.length ? [{ key: 'x-tenant', value: `t${r}` }] : [];
    const cluster = route.route!.cluster ?? route.route!.weighted_clusters!.clusters[0].name;
    tests.push({ test_name: `t${i}`, input: { authority: `host-${v}.example`, path, method: 'GET', random_value: 5, additional_request_headers: headers }, validate: { cluster_name: cluster, virtual_host_name: `host-${v}` } });
  }
  return tests;
}

export function benchRouteCheck(runs: number): void {
  const rc = largeRouteConfig(1000);
  const tests = routeTests(rc, 1000);
  const first = checkRoutes(rc, tests);
  if (first.failed) throw new Error(`bench route tests fail: ${JSON.stringify(first.results.find((r) => !r.passed))}`);
  const ms = timeMedian(runs, () => void checkRoutes(rc, tests, 'detailed'));
  console.log(`\nroute-check (engine): 1000 tests on a 1000-route configuration  ${ms.toFixed(1)} ms  median of ${runs}`);
}

export function benchVerify(runs: number, services = 1000): void {
  const scenario = compileScenario({ resources: syntheticMesh(services) });
  // 4 sources x 25 destinations: the proxies involved stay within the compiled scenario's xDS cache.
  const expectations = Array.from({ length: 100 }, (_, i) => {
    const source = i % 4;
    const target = 10 + (i % 25);
    return {
      name: `svc-${source} reaches svc-${target} (${i})`,
      proxy: { pod: `ns-${source}/svc-${source}-v1` },
      request: { port: 8080, host: `svc-${target}.ns-${target % 10}:8080`, ...(i % 2 ? { pick: { randomValue: i } } : {}) },
      expect: { error: null, outcome: { kind: 'upstream' }, cluster: `outbound|8080|*|svc-${target}.ns-${target % 10}.svc.cluster.local`, hops: [{}, { listener: 'virtualInbound' }] },
    };
  });
  const document = { expectations };
  const first = scenario.verify(document); // generates the proxies' xDS: the warm runs reuse it
  if (first.failed) throw new Error(`bench expectations fail: ${JSON.stringify(first.results.find((r) => !r.passed)?.failures)}`);
  const ms = timeMedian(runs, () => void scenario.verify(document));
  console.log(`verify: 100 expectations on the ${services}-service mesh, compiled scenario warm  ${ms.toFixed(1)} ms  median of ${runs}`);
}
