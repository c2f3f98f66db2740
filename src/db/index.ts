// The database the service uses: DATABASE_URL, or an embedded PostgreSQL; migrated on open.

import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { startEmbeddedPostgres } from './embedded.js';
import { applyMigrations, migrationNames } from './migrate.js';
import { StartupError } from './startup-error.js';

export interface Database {
  url: string;
  prisma: PrismaClient;
  embedded: boolean;
  /** Migrations applied when this database was opened (all of them on a new database). */
  appliedMigrations: string[];
  /** Database reachable and every migration of the repository applied. */
  ready(): Promise<{ ok: boolean; reason?: string }>;
  /** Number of SQL queries sent so far (for checks that a request costs a fixed number). */
  queryCount(): number;
  /** The connection pool's state, for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  embeddedPort: number;
  log?: (message: string) => void;
  /** What the embedded PostgreSQL's start decided on its own (an orphan stopped, another port). */
  warn?: (message: string) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const log = options.log ?? (() => {});
  const embedded = options.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(options.dataDir, options.embeddedPort, log, options.warn ?? log);
  const url = options.databaseUrl ?? embedded!.url;
  try {
    const applied = await applyMigrations(url);
    if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
    return connect(url, embedded, applied);
  } catch (e) {
    await embedded?.stop();
    if (!options.databaseUrl || e instanceof StartupError) throw e;
    const message = String((e as Error).message ?? e).replace(/\s*\n\s*/g, ' ').trim();
    throw new StartupError(`cannot reach the database of DATABASE_URL: ${message}: check DATABASE_URL, or unset it for the embedded PostgreSQL`);
  }
}

function connect(url: string, embedded: { stop(): Promise<void> } | undefined, appliedMigrations: string[]): Database {
  // Our own pg pool, handed to Prisma's adapter, so its state can be read for /metrics.
  const pool = new pg.Pool({ connectionString: url });
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    log: [{ emit: 'event', level: 'query' }],
    // Prisma's defaults (2 s to get a connection, 5 s to finish) fail writes while the event loop is busy with a
    // long translation or writers queue on one scenario's row lock; these bounds only stop a stuck transaction.
    transactionOptions: { maxWait: 30_000, timeout: 60_000 },
  });
  let queries = 0;
  prisma.$on('query', () => {
    queries++;
  });
  return {
    url,
    prisma,
    embedded: embedded !== undefined,
    appliedMigrations,
    queryCount: () => queries,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async ready() {
      try {
        const rows = await prisma.$queryRaw<{ migration_name: string }[]>`
          SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
        const applied = new Set(rows.map((r) => r.migration_name));
        const missing = (await migrationNames()).filter((n) => !applied.has(n));
        return missing.length === 0 ? { ok: true } : { ok: false, reason: `migrations not applied: ${missing.join(', ')}` };
      } catch (e) {
        return { ok: false, reason: `database unreachable: ${(e as Error).message}` };
      }
    },
    async close() {
      await prisma.$disconnect();
      if (!pool.ended) await pool.end();
      await embedded?.stop();
    },
  };
}
