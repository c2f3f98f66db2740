// Every proxy of the 1000-service, 2000-proxy mesh across the engine pool (src/worker/fan-out.ts):
// wall time from the request to the last batch (threads booted and idle first), each thread's heap after
// its batch, and the process's peak RSS; beside it, one thread in-process for the CPU time per proxy.
// Usage: npm run build && npx tsx bench/every-proxy.ts [--services 1000] [--threads 2]

import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { engineOptions } from '../src/config.js';
import { EnginePool, everyProxy } from './built.js';
import { syntheticMesh } from './mesh.js';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

export async function benchEveryProxy(services: number, threads: number): Promise<void> {
  const resources = syntheticMesh(services);
  const pool = new EnginePool({ ...engineOptions({}), threads, timeBudgetMs: 600_000 });
  try {
    // Threads boot before the clock starts.
    await Promise.all(Array.from({ length: threads }, () => pool.run('translate', { input: { resources: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n' } }, {})));
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const load = (await import('node:os')).loadavg()[0];
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const { proxies, heapUsed } = await everyProxy(pool, { input: { resources } });
    const wall = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    console.log(`\nevery proxy of the ${services}-service mesh across ${threads} worker threads (compile in each + translate + config dump):`);
    console.log(`  ${proxies.length} proxies in ${(wall / 1000).toFixed(2)} s wall (load average ${load.toFixed(1)}), target 5 s; process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    console.log(`  heap per thread after its batch: ${heapUsed.map(mib).join(', ')}; process peak RSS ${mib(peakRss)} (target: heap under 1 GiB)`);
  } finally {
    await pool.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchEveryProxy(Number(argValue('services') ?? 1000), Number(argValue('threads') ?? availableParallelism()));
}
