// The Envoy diff's figures (issue: one proxy under 150 ms warm; every proxy, summary, under 10 s
// and 1.5 GB): two revisions of the synthetic mesh that differ in one VirtualService's weights.

import { compileScenario, envoyDiff } from './built.js';
import { syntheticMesh } from './mesh.js';

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Wall and CPU milliseconds of one call (CPU too: on a shared machine wall time says more about the neighbours). */
function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const [w, c] = [performance.now(), cpuMs()];
  const value = fn();
  return { value, wall: performance.now() - w, cpu: cpuMs() - c };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function benchEnvoyDiff(services: number, row: (label: string, ms: number, note?: string) => void): void {
  const before = syntheticMesh(services);
  // svc-0's canary goes from 90/10 to 50/50: one VirtualService differs.
  const after = before.replace(/(name: svc-0\n  namespace: ns-0\nspec:\n  hosts:[\s\S]*?weight: )90([\s\S]*?weight: )10/, '$150$250');
  if (after === before) throw new Error('the synthetic mesh has no svc-0 canary to change');
  console.log(`\nEnvoy diff, synthetic mesh of ${services} services, two revisions differing in one VirtualService:`);
  const a = compileScenario({ resources: before });
  const b = compileScenario({ resources: after });
  const proxies = a.index.proxies.filter((p) => p.namespace === 'ns-1');
  // The first proxy of a scope generates what its scope shares, on both sides; then that scope is warm.
  const cold = timed(() => envoyDiff(a, b, { proxy: { pod: proxies[0].pod! } }));
  row('diff one proxy, its scope cold (first of its namespace)', cold.wall, `cpu ${cold.cpu.toFixed(0)} ms`);
  const warm = proxies.slice(1, 21).map((p) => timed(() => envoyDiff(a, b, { proxy: { pod: p.pod! } })));
  row('diff one proxy, scope warm (other proxies)', median(warm.map((r) => r.wall)), `median of ${warm.length}; cpu ${median(warm.map((r) => r.cpu)).toFixed(1)} ms`);
  const again = [...Array(20)].map(() => timed(() => envoyDiff(a, b, { proxy: { pod: proxies[1].pod! } })));
  row('diff one proxy again (its config cached)', median(again.map((r) => r.wall)), 'median of 20');
  const rssBefore = process.resourceUsage().maxRSS;
  const all = timed(() => envoyDiff(a, b, { detail: 'summary' }));
  const { summary } = all.value;
  row(`diff all ${summary.proxies} proxies, summary detail`, all.wall, `cpu ${(all.cpu / 1000).toFixed(1)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (was ${(rssBefore / 1024).toFixed(0)}); ${summary.changed} changed`);
}
