// The real service as a process, started the way a user starts it (`npm start`, the built
// server under plain node), for tests of what happens to processes: signals, kill -9, restarts.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface Service {
  /** The PID `npm start` gives (npm's own process). */
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything it printed so far. */
  output(): string;
  exited: Promise<number | null>;
}

export interface ServiceOptions {
  dataDir?: string;
  port?: number;
  env?: Record<string, string | undefined>;
  /** Wait for /readyz (default) or only for the process to start. */
  waitReady?: boolean;
}

/** A data folder PostgreSQL's system user can reach when the tests run as root; removed after the test. */
export async function tempDataDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshplan-service-'));
  await chmod(dir, 0o755);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `npm start` with its own port; by default an embedded PostgreSQL (DATABASE_URL removed). */
export async function startService(t: Teardown, options: ServiceOptions = {}): Promise<Service> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SEED_EXAMPLE: 'false',
    ...(options.dataDir ? { DATA_DIR: options.dataDir, EMBEDDED_PG_PORT: String(await freePort()) } : {}),
  };
  if (options.dataDir) delete env.DATABASE_URL;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const service: Service = { child, url: `http://127.0.0.1:${port}`, port, output: () => output, exited };
  if (options.waitReady === false) return service;
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`service exited early (${child.exitCode}):\n${output}`);
    const ready = await fetch(`${service.url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) return service;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`service did not become ready:\n${output}`);
}

/** The PID of the node server under `npm start` (npm's child: `sh -c exec node ...` became node). */
export function serverPid(service: Service): number {
  const children = spawnSync('pgrep', ['-P', String(service.child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  if (children.length !== 1) throw new Error(`npm start (PID ${service.child.pid}) has ${children.length} children:\n${service.output()}`);
  return Number(children[0]);
}

/** The log lines (pino JSON) printed so far. */
export function logLines(service: Service): { level: number; msg: string; [k: string]: unknown }[] {
  return service
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return []; // the last line, still being written
      }
    });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
