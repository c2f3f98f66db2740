// npm run bench (second part): the service under load, started as `npm start` starts it (the node
// flags of package.json's start script, the built dist/server.js, on DATABASE_URL or an embedded
// PostgreSQL in a temporary folder). /healthz latency (median, p99) while four 1000-service
// translations run; and translate throughput over HTTP with every core's worker thread against one
// thread (ENGINE_THREADS), on distinct meshes (each a cache miss: parse, index, xDS, analysis).
// Each figure is wall-clock time, printed with the machine's load average over the run: a figure
// taken while other work ran is not the idle machine's.
// Usage: npm run bench [-- --services 1000 --translations 4 --tasks 8] (after npm run build, alone:
// tsx bench/service.ts).

import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineOptions } from '../src/config.js';
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

/** node's arguments in `npm start` (package.json: `exec node <flags> dist/server.js`), so the bench runs what users run. */
async function startArguments(): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1);
}

interface Service {
  url: string;
  /** CPU seconds the server process (every thread) has used so far. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

async function startService(env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const dataDir = process.env.DATABASE_URL ? undefined : await mkdtemp(join(tmpdir(), 'meshplan-bench-'));
  if (dataDir) await chmod(dataDir, 0o755);
  const server = spawn(process.execPath, await startArguments(), {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SEED_EXAMPLE: 'false',
      ENGINE_TIME_BUDGET_MS: '600000',
      ...(dataDir ? { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 100));
  return {
    url,
    // /proc/<pid>/stat: utime and stime (fields 14 and 15) in clock ticks of 1/100 s.
    cpuSeconds: async () => {
      const fields = (await readFile(`/proc/${server.pid}/stat`, 'utf8')).split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: async () => {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Each translation its own mesh (a comment apart, `tag`), so none is a cache hit. */
const translateBodies = (n: number, tag = 'mesh'): string[] =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ resources: `# ${tag} ${i}\n${syntheticMesh(services)}`, proxy: { pod: `ns-${i % 10}/svc-${i}-v1` } }));
const warmUpBodies = (threads: number, round: number): string[] => translateBodies(threads, `warm-up ${round}`);

// node:http with the answer's bytes dropped as they come: the load generator shares the two cores with the
// server, and fetch's web streams took 0.21 CPU s per 25 MiB answer here (12% of the machine at two threads).
const translate = (service: Service, body: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const request = httpRequest(`${service.url}/api/v1/translate`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.on('data', () => {});
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });

async function healthzUnderLoad(): Promise<void> {
  const service = await startService({});
  try {
    const bodies = translateBodies(translations);
    const loadAtStart = load();
    const started = performance.now();
    let running = translations;
    const heavy = bodies.map((body) => translate(service, body).finally(() => running--));
    const times: number[] = [];
    await new Promise((r) => setTimeout(r, 200));
    while (running === translations) {
      const start = performance.now();
      await fetch(`${service.url}/healthz`).then((r) => r.arrayBuffer());
      times.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 5));
    }
    const statuses = await Promise.all(heavy);
    const seconds = (performance.now() - started) / 1000;
    console.log(`\n/healthz while ${translations} translations of ${services} services run (npm start's server, ${engineOptions().threads} worker threads):`);
    console.log(`  ${times.length} calls: median ${quantile(times, 0.5).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
    console.log(`  translations: ${statuses.join(', ')} in ${seconds.toFixed(1)} s (${load()} at the end; ${loadAtStart} at the start)`);
  } finally {
    await service.stop();
  }
}

/** Translations per wall-clock second over HTTP with `threads` worker threads, and the server's CPU seconds per translation. */
async function throughput(threads: number, bodies: string[]): Promise<{ perSecond: number; cpuPerTask: number; clientCpuPerTask: number }> {
  const service = await startService({ ENGINE_THREADS: String(threads), ENGINE_MAX_IN_FLIGHT: String(bodies.length + threads) });
  try {
    // Steady state, as a service that has run a while: every thread boots and has run translations of this
    // size (ten each, at once, on meshes of their own) before the clock starts, so V8 has optimized its code.
    // After three each, V8's background compiler still spent 0.14 CPU s per translation (after twelve, 0.03):
    // on two cores it takes from the threads, and the run measures compiling.
    for (let round = 0; round < 10; round++) await Promise.all(warmUpBodies(threads, round).map((body) => translate(service, body)));
    const cpu = await service.cpuSeconds();
    const client = process.cpuUsage();
    const started = performance.now();
    const statuses = await Promise.all(bodies.map((body) => translate(service, body)));
    const clientCpu = process.cpuUsage(client);
    const seconds = (performance.now() - started) / 1000;
    if (statuses.some((s) => s !== 200)) throw new Error(`translations answered ${statuses.join(', ')}`);
    return {
      perSecond: bodies.length / seconds,
      cpuPerTask: ((await service.cpuSeconds()) - cpu) / bodies.length,
      clientCpuPerTask: (clientCpu.user + clientCpu.system) / 1e6 / bodies.length,
    };
  } finally {
    await service.stop();
  }
}

await healthzUnderLoad();
const bodies = translateBodies(tasks);
const cores = availableParallelism();
const one = await throughput(1, bodies);
const loadOne = load();
const all = await throughput(cores, bodies);
const loadAll = load();
console.log(`\ntranslate throughput over HTTP, ${tasks} distinct ${services}-service meshes (compile, one proxy, analysis each):`);
console.log(`  1 worker thread:  ${one.perSecond.toFixed(2)} translations/s, ${one.cpuPerTask.toFixed(2)} CPU s each (${loadOne})`);
console.log(`  ${cores} worker threads: ${all.perSecond.toFixed(2)} translations/s, ${all.cpuPerTask.toFixed(2)} CPU s each  (${(all.perSecond / one.perSecond).toFixed(2)}x; ${loadAll})`);
console.log(`  (the load generator, this process: ${one.clientCpuPerTask.toFixed(2)} and ${all.clientCpuPerTask.toFixed(2)} CPU s per translation)`);
