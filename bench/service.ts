// npm run bench (second part): the service under load. /healthz latency (median, p99) while four
// 1000-service translations run, against the built server (`node dist/server.js`, on DATABASE_URL or an
// embedded PostgreSQL in a temporary folder); and translate throughput of the worker pool with every
// core's thread against one thread, on distinct meshes (each a cache miss: parse, index, xDS).
// Each figure is wall-clock time, printed with the machine's load average over the run: a figure
// taken while other work ran is not the idle machine's.
// Usage: npm run bench [-- --services 1000 --translations 4 --tasks 8] (after npm run build, alone:
// tsx bench/service.ts).

import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineOptions } from '../src/config.js';
import type { EnginePool as Pool } from '../src/worker/pool.js';
import { syntheticMesh } from './mesh.js';
import { freePort } from '../test/support/server.js';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const services = Number(argValue('services') ?? 1000);
const translations = Number(argValue('translations') ?? 4);
const tasks = Number(argValue('tasks') ?? 8);
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The 1-minute load average now, and the cores it is out of. */
const load = (): string => `load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
};

async function healthzUnderLoad(): Promise<void> {
  const port = await freePort();
  const dataDir = process.env.DATABASE_URL ? undefined : await mkdtemp(join(tmpdir(), 'meshplan-bench-'));
  if (dataDir) await chmod(dataDir, 0o755);
  const env = {
    ...process.env,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SEED_EXAMPLE: 'false',
    ENGINE_TIME_BUDGET_MS: '600000',
    ...(dataDir ? { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) } : {}),
  };
  const server = spawn(process.execPath, ['--max-old-space-size=1536', 'dist/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  try {
    while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 100));
    // Each translation its own mesh (a comment apart), so none is a cache hit.
    const bodies = Array.from({ length: translations }, (_, i) =>
      JSON.stringify({ resources: `# mesh ${i}\n${syntheticMesh(services)}`, proxy: { pod: `ns-${i % 10}/svc-${i}-v1` } }),
    );
    const loadAtStart = load();
    const started = performance.now();
    let running = translations;
    const heavy = bodies.map((body) =>
      fetch(`${url}/api/v1/translate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then((r) => r.arrayBuffer().then(() => r.status))
        .finally(() => running--),
    );
    const times: number[] = [];
    await new Promise((r) => setTimeout(r, 200));
    while (running === translations) {
      const start = performance.now();
      await fetch(`${url}/healthz`).then((r) => r.arrayBuffer());
      times.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 5));
    }
    const statuses = await Promise.all(heavy);
    const seconds = (performance.now() - started) / 1000;
    console.log(`\n/healthz while ${translations} translations of ${services} services run (built server, ${engineOptions().threads} worker threads):`);
    console.log(`  ${times.length} calls: median ${quantile(times, 0.5).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
    console.log(`  translations: ${statuses.join(', ')} in ${seconds.toFixed(1)} s (${load()} at the end; ${loadAtStart} at the start)`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

/** Translations per wall-clock second, and the CPU seconds (every thread of this process) each took. */
// The built pool, as the service runs it: its threads load dist/worker/worker.js, which needs no
// TypeScript loader (tsx's does not reach worker threads on Node 20).
const { EnginePool } = (await import(new URL('../dist/worker/pool.js', import.meta.url).href)) as { EnginePool: typeof Pool };

async function throughput(threads: number, inputs: string[]): Promise<{ perSecond: number; cpuPerTask: number }> {
  const pool = new EnginePool({ ...engineOptions({}), threads, maxInFlight: 1000, timeBudgetMs: 600_000 });
  // Threads boot before the clock starts.
  await Promise.all(Array.from({ length: threads }, () => pool.run('translate', { input: { resources: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n' } }, {})));
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(inputs.map((resources, i) => pool.run('translate', { input: { resources } }, { proxy: { pod: `ns-${i % 10}/svc-${i}-v1` } })));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await pool.close();
  return { perSecond: inputs.length / seconds, cpuPerTask: (used.user + used.system) / 1e6 / inputs.length };
}

await healthzUnderLoad();
const inputs = Array.from({ length: tasks }, (_, i) => `# mesh ${i}\n${syntheticMesh(services)}`);
const cores = availableParallelism();
const one = await throughput(1, inputs);
const loadOne = load();
const all = await throughput(cores, inputs);
const loadAll = load();
console.log(`\ntranslate throughput, ${tasks} distinct ${services}-service meshes (compile + one proxy each):`);
console.log(`  1 worker thread:  ${one.perSecond.toFixed(2)} translations/s, ${one.cpuPerTask.toFixed(2)} CPU s each (${loadOne})`);
console.log(`  ${cores} worker threads: ${all.perSecond.toFixed(2)} translations/s, ${all.cpuPerTask.toFixed(2)} CPU s each  (${(all.perSecond / one.perSecond).toFixed(2)}x; ${loadAll})`);
