// The biggest costs of each benchmark workload, by V8's CPU profiler (what `node --cpu-prof` records),
// taken in-process so each workload gets its own profile: self time per function, the top N.
// Usage (on the build: npm run build first): npx tsx bench/profile.ts [--top 3] [--only gateways,auto] [--rounds 20]

import { Session } from 'node:inspector';
import { parseManifests, buildMeshIndex, compileScenario, generateXds, toConfigDump, buildListeners, buildRouteConfigs, buildClusters, buildEndpoints } from './built.js';
import { BENCH_MESH, BENCH_PROXY, istiodWorkloads } from './istiod-workloads.js';
import { syntheticMesh } from './mesh.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const session = new Session();
session.connect();
const post = <T>(method: string, params?: object): T => {
  let out: T | undefined;
  let error: Error | null = null;
  // The inspector session's callbacks run synchronously when posted from the main thread.
  session.post(method, params, (e, r) => {
    error = e;
    out = r as T;
  });
  if (error) throw error;
  return out as T;
};
post('Profiler.enable');
post('Profiler.setSamplingInterval', { interval: 100 });

/** Self time per function over the profiled calls: the top `n`, with their share of the total. */
function profileOf(fn: () => void, n: number): { total: number; top: { name: string; ms: number; share: number }[] } {
  post('Profiler.start');
  fn();
  const { profile } = post<{ profile: Profile }>('Profiler.stop');
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const cf = byId.get(id)!.callFrame;
    // Idle time, and the inspector's own dispatch of the profiler's messages, are not the workload's.
    if (cf.functionName === '(idle)' || cf.functionName === '(program)' || (cf.functionName === 'dispatch' && !cf.url)) return;
    const file = cf.url.split('/').slice(-2).join('/');
    const name = `${cf.functionName || '(anonymous)'} ${file}${file ? `:${cf.lineNumber + 1}` : ''}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  return { total: total / 1000, top };
}

function report(label: string, fn: () => void, n: number): void {
  fn(); // warm-up: the JIT
  const p = profileOf(fn, n);
  console.log(`${label}: ${p.total.toFixed(0)} ms profiled`);
  for (const t of p.top) console.log(`  ${(100 * t.share).toFixed(1).padStart(5)}%  ${t.ms.toFixed(1).padStart(8)} ms  ${t.name}`);
}

const top = Number(argValue('top') ?? 3);
const rounds = Number(argValue('rounds') ?? 20);
const only = argValue('only')?.split(',');
const wanted = (name: string) => !only || only.includes(name);

for (const w of istiodWorkloads()) {
  if (!wanted(w.name)) continue;
  const objects = parseManifests(w.yaml).objects;
  report(`${w.name} (init + ${w.stages.join(', ')}, x${rounds})`, () => {
    for (let r = 0; r < rounds; r++) {
      const index = buildMeshIndex(objects, BENCH_MESH, {});
      const proxy = index.makeProxy({ type: w.proxyType, ...BENCH_PROXY, metadata: {} });
      buildListeners(index, proxy);
      if (w.stages.includes('routes')) buildRouteConfigs(index, proxy);
      buildEndpoints(index, proxy, buildClusters(index, proxy).shared);
    }
  }, top);
}

if (wanted('mesh-1000')) {
  const text = syntheticMesh(1000);
  // Each round's text new, so that nothing read before is reused (see src/manifests/fast-yaml.ts).
  let round = 0;
  const fresh = () => `# round ${++round}\n${text.replaceAll('\n---\n', `\n---\n# round ${round}\n`)}`;
  report('mesh-1000 parse + validate (x5)', () => { for (let r = 0; r < 5; r++) parseManifests(fresh()); }, top);
  const objects = parseManifests(text).objects;
  report('mesh-1000 mesh index (x5)', () => { for (let r = 0; r < 5; r++) buildMeshIndex(objects, {}, {}); }, top);
  const scenario = compileScenario({ resources: text });
  const proxies = scenario.index.proxies;
  report(`mesh-1000 every proxy (${proxies.length})`, () => { for (const p of proxies) toConfigDump(generateXds(scenario.index, p), p); }, top);
}
session.disconnect();
