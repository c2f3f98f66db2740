// npm run bench: medians of the engine's stages on synthetic meshes (100 and 1000 services by
// default) and on bookinfo, with the ratio between sizes to show how each stage scales.
// Usage: npm run bench [-- --sizes 100,1000 --runs 7 --istiod-runs 15 --only istiod|mesh|envoy-diff]

import { performance } from 'node:perf_hooks';
import { compileScenario, readLiveProxyConfig, parseManifests, readDocuments, generateXds, toConfigDump } from './built.js';
import { syntheticMesh } from './mesh.js';
import { benchEnvoyDiff } from './envoy-diff.js';
import { readSample } from '../test/support/samples.js';
import { benchRouteCheck, benchVerify } from './verify.js';
import { benchIstiod } from './istiod.js';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const sizes = (argValue('sizes') ?? '100,1000').split(',').map(Number);
const runs = Number(argValue('runs') ?? 7);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median of `repeat` timed calls, in milliseconds. */
function timeMedian(repeat: number, fn: (i: number) => void): number {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    fn(i);
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Median CPU time of `repeat` calls, in milliseconds (wall time means little on a shared machine). */
function cpuMedian(repeat: number, fn: (i: number) => void): number {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = process.cpuUsage();
    fn(i);
    const d = process.cpuUsage(start);
    times.push((d.user + d.system) / 1000);
  }
  return median(times);
}

/** Median CPU time of `repeat` calls, each on a value `prepare` makes first (not timed), in milliseconds. */
function cpuMedianPrepared<T>(repeat: number, prepare: () => T, fn: (value: T) => void): number {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const value = prepare();
    times.push(cpuMedian(1, () => fn(value)));
  }
  return median(times);
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(1)} ms`);
const row = (label: string, ms: number, note = ''): void => console.log(`  ${label.padEnd(52)} ${fmt(ms).padStart(12)}  ${note}`);

let coldRun = 0;
/** The same manifests with each document's text made new (a comment): nothing read before is reused. */
const cold = (text: string): string => `# run ${++coldRun}\n${text.replaceAll('\n---\n', `\n---\n# run ${coldRun}\n`)}`;
/** The manifests with one object changed: the first document that says `replicas: 1` says another number, new each time (a number seen before would find that document's reading and conversions still kept). */
let changes = 0;
const changeOne = (text: string): string => text.replace(/replicas: 1\n/, `replicas: ${++changes + 1}\n`);

interface SizeResult { compile: number; perProxy: number; trace: number }

function benchMesh(label: string, yamlText: string, traceRequest: { address: string; port: number; host: string }): SizeResult {
  console.log(`\n${label}: ${(yamlText.length / 2 ** 20).toFixed(2)} MiB of YAML`);
  for (let i = 0; i < 3; i++) parseManifests(cold(yamlText)); // warm-up: schema validators and the JIT
  // Cold: every document's text new (else what an earlier run read and checked would be reused).
  const texts = (n: number) => Array.from({ length: n }, () => cold(yamlText));
  const forRead = texts(runs);
  const readMs = cpuMedian(runs, (i) => void readDocuments(forRead[i]));
  const forParse = texts(runs);
  const all = cpuMedian(runs, (i) => void parseManifests(forParse[i]));
  const mbps = (ms: number) => `${(yamlText.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
  row('read YAML (CPU)', readMs, mbps(readMs));
  row('schema checks, Istio validation, limits (CPU)', all - readMs);
  row('parse + validate manifests (CPU)', all, `${mbps(all)}, target 30 MB/s`);
  const forCompile = texts(runs);
  const compile = cpuMedian(runs, (i) => void compileScenario({ resources: forCompile[i] }));
  row('compile (parse + mesh index, CPU)', compile, 'target 150 ms for 1000 services');
  // A new revision that changes one object: the other documents' reading and checks are reused. The
  // first revisions after a full compile also pay for optimising the reuse path: as a service's threads
  // that have taken a few edits, ten revisions go first (the first of them is the first edit after a start).
  compileScenario({ resources: yamlText });
  const warmUp = Array.from({ length: 10 }, () => changeOne(yamlText));
  const firstEdit = cpuMedian(1, () => void compileScenario({ resources: warmUp[0] }));
  for (const revision of warmUp.slice(1)) compileScenario({ resources: revision });
  const revisions = Array.from({ length: runs }, () => changeOne(yamlText));
  const incremental = cpuMedian(runs, (i) => void compileScenario({ resources: revisions[i] }));
  row('compile a revision changing one object (CPU)', incremental, `target 50 ms for 1000 services; the first edit after a start: ${firstEdit.toFixed(0)} ms`);

  const scenario = compileScenario({ resources: yamlText });
  const proxies = scenario.index.proxies;
  const sample = proxies.filter((_, i) => i % Math.max(1, Math.floor(proxies.length / 20)) === 0).slice(0, 20);
  // The first proxy of a freshly compiled scenario: what a user waits for on every new mesh (nothing shared is built yet).
  const firstProxy: number[] = [];
  for (let i = 0; i < runs; i++) {
    const fresh = compileScenario({ resources: cold(yamlText) });
    const proxy = fresh.index.proxies.find((p) => p.type === 'sidecar') ?? fresh.index.proxies[0];
    firstProxy.push(cpuMedian(1, () => void fresh.xds(proxy)));
  }
  row('translate the first proxy after a compile (CPU)', median(firstProxy), `median of ${runs} freshly compiled scenarios`);
  // Proxies of one namespace share what their scope sees; the first of each pays for building it.
  const seen = new Set<string>();
  const firstOfNamespace: number[] = [];
  const ofBuiltNamespace: number[] = [];
  for (const proxy of sample) {
    const ms = cpuMedian(1, () => void toConfigDump(generateXds(scenario.index, proxy)));
    (seen.has(proxy.namespace) ? ofBuiltNamespace : firstOfNamespace).push(ms);
    seen.add(proxy.namespace);
  }
  const perProxy = median(firstOfNamespace);
  row('translate one proxy, the first of its namespace (xDS + dump, CPU)', perProxy, `median of ${firstOfNamespace.length} proxies; target 20 ms`);
  if (ofBuiltNamespace.length > 0) {
    row('translate one proxy of a namespace already built (CPU)', median(ofBuiltNamespace), `median of ${ofBuiltNamespace.length} proxies`);
  }
  // A new mesh's first answer pays for its analysis: each run on a scenario compiled from new text.
  const analysis = cpuMedianPrepared(runs, () => compileScenario({ resources: cold(yamlText) }), (s) => void s.analysis);
  row('analysis (istioctl analyze + meshplan messages, CPU)', analysis, `median of ${runs} fresh scenarios`);

  let peakHeap = 0;
  const start = performance.now();
  for (const proxy of proxies) {
    void toConfigDump(generateXds(scenario.index, proxy));
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  row(`translate all ${proxies.length} proxies (one pass)`, performance.now() - start, `peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);

  const client = proxies.find((p) => p.type === 'sidecar') ?? proxies[0];
  scenario.trace({ pod: client.pod ?? '' }, { ...traceRequest, mode: 'outbound' }); // generate the xDS once
  const trace = timeMedian(2000, () => void scenario.trace({ pod: client.pod ?? '' }, { ...traceRequest, mode: 'outbound' }));
  row('trace one request (config already generated)', trace, 'median of 2000');

  // The same sidecar as a live proxy's dump: read back from JSON text, every table of it, a one-hop trace.
  const dumpText = JSON.stringify(scenario.translate({ pod: client.pod ?? '' }).proxies[0].configDump);
  const read = timeMedian(runs, () => void readLiveProxyConfig(JSON.parse(dumpText)));
  row('read its config dump (JSON.parse + dump reader)', read, `${(dumpText.length / 2 ** 20).toFixed(1)} MiB of JSON`);
  const live = readLiveProxyConfig(JSON.parse(dumpText));
  row('proxy-config all of the dump', timeMedian(runs, () => void live.proxyConfig(['all'])));
  row('trace one request over the dump', timeMedian(200, () => void live.trace({ ...traceRequest, mode: 'outbound' })), 'median of 200');
  return { compile, perProxy, trace };
}

// --only envoy-diff: just the Envoy diff's figures.
const only = argValue('only');
if (only === 'envoy-diff') {
  benchEnvoyDiff(sizes[sizes.length - 1], row);
  process.exit(0);
}
// --only istiod: just istiod's benchmark workloads; --only mesh: just the synthetic meshes.
if (only !== 'mesh') benchIstiod(Number(argValue('istiod-runs') ?? 15));
if (only === 'istiod') process.exit(0);

const results = sizes.map((n) =>
  benchMesh(`synthetic mesh, ${n} services`, syntheticMesh(n), { address: '10.96.0.1', port: 8080, host: 'svc-0.ns-0:8080' }),
);
if (results.length > 1) {
  const [small, big] = [results[0], results[results.length - 1]];
  console.log(`\nratios ${sizes[sizes.length - 1]} / ${sizes[0]} services (x${sizes[sizes.length - 1] / sizes[0]} input):`);
  console.log(`  compile x${(big.compile / small.compile).toFixed(1)}, translate one proxy x${(big.perProxy / small.perProxy).toFixed(1)}, trace x${(big.trace / small.trace).toFixed(1)}`);
}
benchMesh('bookinfo sample', readSample('bookinfo'), {
  address: '10.96.0.1', port: 9080, host: 'reviews:9080',
});

benchRouteCheck(runs);
benchVerify(runs, Math.max(...sizes));
benchEnvoyDiff(sizes[sizes.length - 1], row);
