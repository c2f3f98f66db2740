// istiod's xDS benchmarks side by side with meshplan's: the same workloads (bench/istiod-workloads.ts),
// the same proxy, and what each of istiod's benchmarks times:
//   InitPushContext       the push context from parsed config, and the proxy's sidecar scope, gateways and
//                         service targets (initPushContext in bench_test.go): buildMeshIndex + those look-ups
//   Listener/Route/Cluster/EndpointGeneration   one proxy's resources of that type, with XDS caching off
//                         (configureBenchmark): each sample runs on a fresh index, so no memo table of an
//                         earlier sample is reused.
// Figures are CPU time (process.cpuUsage) medians: wall time means little on a shared machine.
// Beside each, istiod's published figure where there is one, and ours / JSON.stringify of our own output
// (the floor for answering with a config dump).

import { parseManifests, buildMeshIndex, buildListeners, buildRouteConfigs, buildClusters, buildEndpoints } from './built.js';
import type { MeshIndex, Proxy } from '../src/mesh/types.js';
import { BENCH_MESH, BENCH_PROXY, ENDPOINT_CASES, endpointWorkload, istiodWorkloads, type Stage } from './istiod-workloads.js';

/** istiod's published medians (ms/op) for these workloads, as issue 17 quotes them: [low, high]. */
const ISTIOD_MS: Record<string, [number, number]> = {
  'RouteGeneration/http': [0.33, 0.35],
  'RouteGeneration/virtualservice': [1.03, 1.03],
  'RouteGeneration/gateways': [22.5, 25.8],
  'ClusterGeneration/gateways': [7.6, 9.8],
  'InitPushContext/gateways': [12.2, 12.2],
  'InitPushContext/http': [0.17, 0.19],
};

const BENCH_NAME: Record<Stage | 'init', string> = {
  init: 'InitPushContext',
  listeners: 'ListenerGeneration',
  routes: 'RouteGeneration',
  clusters: 'ClusterGeneration',
  endpoints: 'EndpointGeneration',
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** CPU milliseconds of one call, and its value. */
function cpu<T>(fn: () => T): { ms: number; value: T } {
  const start = process.cpuUsage();
  const value = fn();
  const d = process.cpuUsage(start);
  return { ms: (d.user + d.system) / 1000, value };
}

interface Figure {
  workload: string;
  bench: string;
  ms: number;
  resources?: number;
  stringifyMs?: number;
  note?: string;
}

const proxyOf = (index: MeshIndex, type: Proxy['type'], desc = BENCH_PROXY): Proxy =>
  index.makeProxy({ type, namespace: desc.namespace, labels: desc.labels, ips: desc.ips, metadata: {} });

/** Each stage of one proxy on a fresh index, timed on its own; with the JSON.stringify time of its output. */
function stageSamples(objects: Parameters<typeof buildMeshIndex>[0], type: Proxy['type'], stages: readonly Stage[], runs: number, desc = BENCH_PROXY) {
  const samples = new Map<Stage, { ms: number[]; json: number[]; count: number }>();
  for (const s of stages) samples.set(s, { ms: [], json: [], count: 0 });
  for (let r = 0; r < runs + 2; r++) {
    const index = buildMeshIndex(objects, BENCH_MESH, {});
    const proxy = proxyOf(index, type, desc);
    const listeners = cpu(() => buildListeners(index, proxy).listeners);
    const routes = stages.includes('routes') ? cpu(() => buildRouteConfigs(index, proxy).routes) : undefined;
    const clusters = cpu(() => buildClusters(index, proxy));
    const endpoints = cpu(() => buildEndpoints(index, proxy, clusters.value.shared).endpoints);
    if (r < 2) continue; // warm-up: the JIT
    const results: Record<Stage, { ms: number; value: unknown[] } | undefined> = {
      listeners,
      routes,
      clusters: { ms: clusters.ms, value: clusters.value.clusters },
      endpoints,
    };
    for (const s of stages) {
      const got = results[s]!;
      const sample = samples.get(s)!;
      sample.ms.push(got.ms);
      sample.json.push(cpu(() => JSON.stringify(got.value)).ms);
      sample.count = got.value.length;
    }
  }
  return samples;
}

function initSamples(objects: Parameters<typeof buildMeshIndex>[0], type: Proxy['type'], runs: number): number[] {
  const ms: number[] = [];
  for (let r = 0; r < runs + 2; r++) {
    const t = cpu(() => {
      const index = buildMeshIndex(objects, BENCH_MESH, {});
      const proxy = proxyOf(index, type);
      index.sidecarScope(proxy);
      index.gatewaysFor(proxy);
      index.serviceTargets(proxy);
    });
    if (r >= 2) ms.push(t.ms);
  }
  return ms;
}

function parsedObjects(name: string, yaml: string) {
  const parsed = parseManifests(yaml);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new Error(`istiod workload ${name}: ${errors.length} problem(s), first: ${errors[0].path} ${errors[0].message}`);
  return parsed.objects;
}

const fmtMs = (ms: number | undefined): string => (ms === undefined ? '—' : ms < 1 ? ms.toFixed(3) : ms.toFixed(2));

function printTable(figures: Figure[]): void {
  const header = ['workload', 'istiod benchmark', 'ours ms', 'res', 'istiod ms', 'ours/istiod', 'stringify ms', 'ours/stringify', 'note'];
  const rows = figures.map((f) => {
    const istiod = ISTIOD_MS[`${f.bench}/${f.workload}`];
    const istiodMid = istiod ? (istiod[0] + istiod[1]) / 2 : undefined;
    return [
      f.workload,
      f.bench,
      fmtMs(f.ms),
      f.resources === undefined ? '' : String(f.resources),
      istiod ? (istiod[0] === istiod[1] ? `${istiod[0]}` : `${istiod[0]}-${istiod[1]}`) : '—',
      istiodMid ? `x${(f.ms / istiodMid).toFixed(2)}` : '',
      fmtMs(f.stringifyMs),
      f.stringifyMs ? `x${(f.ms / Math.max(f.stringifyMs, 0.001)).toFixed(1)}` : '',
      f.note ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}

/** istiod's benchmark workloads: medians of `runs` samples (CPU ms); prints one table. */
export function benchIstiod(runs: number): Figure[] {
  console.log(`\nistiod's xDS benchmark workloads (pilot/pkg/xds/bench_test.go), one proxy, CPU ms medians of ${runs}, XDS caching off as in istiod's:`);
  const figures: Figure[] = [];
  for (const w of istiodWorkloads()) {
    const objects = parsedObjects(w.name, w.yaml);
    figures.push({ workload: w.name, bench: BENCH_NAME.init, ms: median(initSamples(objects, w.proxyType, runs)) });
    const samples = stageSamples(objects, w.proxyType, w.stages, runs);
    for (const [stage, s] of samples) {
      figures.push({ workload: w.name, bench: BENCH_NAME[stage], ms: median(s.ms), resources: s.count, stringifyMs: median(s.json) });
    }
  }
  // BenchmarkEndpointGeneration: its own configs and a sidecar at 10.3.3.3 (the four networks' gateways are not modelled).
  for (const [endpoints, services] of ENDPOINT_CASES) {
    const objects = parsedObjects(`endpoints ${endpoints}/${services}`, endpointWorkload(endpoints, services));
    const s = stageSamples(objects, 'sidecar', ['endpoints'], runs, { namespace: 'default', labels: {}, ips: ['10.3.3.3'] }).get('endpoints')!;
    figures.push({ workload: `${endpoints}/${services}`, bench: BENCH_NAME.endpoints, ms: median(s.ms), resources: s.count, stringifyMs: median(s.json), note: `${endpoints} endpoints x ${services} services` });
  }
  printTable(figures);
  console.log('  (res: resources generated; EndpointGeneration n/m: its four networks\' gateways are not modelled)');
  return figures;
}
