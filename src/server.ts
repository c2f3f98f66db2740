// Starts meshplan: configuration, database (DATABASE_URL or embedded), migrations, the example
// on a new database, listening, and a graceful stop on SIGTERM and SIGINT: the requests in
// flight finish (their database writes included) while new ones get 503 (src/api/draining.ts),
// then the pool closes, then the embedded PostgreSQL stops. Any start-up failure is one log line with its cause, then exit 1.

import { pino } from 'pino';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { openDatabase, type Database } from './db/index.js';
import { migrationNames } from './db/migrate.js';
import { StartupError, startupFailure } from './db/startup-error.js';
import { AccessSetupError, accessAtStart } from './access/startup.js';
import { TokenStore } from './access/tokens.js';
import { ScenarioStore } from './store/scenarios.js';
import { seedExample } from './store/seed.js';

const log = pino({ level: process.env.LOG_LEVEL || 'info' });
let db: Database | undefined;

try {
  const config = loadConfig();
  db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedPort: config.embeddedPort,
    log: (message) => log.debug({ component: 'database' }, message.trim()),
    warn: (message) => log.warn({ component: 'database' }, message),
  });
  log.info(
    { embedded: db.embedded, ...(db.embedded ? { dataDir: config.dataDir } : {}), appliedMigrations: db.appliedMigrations },
    'database ready',
  );

  // Only a database created by this start gets the example, so a deleted example stays deleted.
  const store = new ScenarioStore(db.prisma);
  const [firstMigration] = await migrationNames();
  if (config.seedExample && db.appliedMigrations.includes(firstMigration) && (await store.count()) === 0) {
    await seedExample(store);
    log.info('loaded the example scenario "bookinfo"');
  }

  // Open on loopback with no token or issuer; anywhere else access control must be on, or AUTH=off said.
  const access = await accessAtStart(config.access, config.host, new TokenStore(db.prisma)).catch((e) => {
    if (e instanceof AccessSetupError) throw new StartupError(e.message);
    throw e;
  });
  log[access.level](access.message);

  const app = await buildApp({
    db,
    bodyLimit: config.bodyLimit,
    production: config.production,
    logger: log,
    engine: config.engine,
    jobs: config.jobs,
    access: { config: config.access, enforced: access.enforced },
    connectionLimits: config.connectionLimits,
    graphqlIntrospection: config.graphqlIntrospection,
  });
  const opened = db;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing requests in flight');
    try {
      await app.drain(); // new requests get 503 (Connection: close) while the ones in flight finish
      await app.close(); // then the listener, the engine pool and jobs (onClose)
      await opened.close(); // the database pool, then the embedded PostgreSQL
      log.info('stopped');
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, 'unclean stop');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
} catch (e) {
  log.fatal(`cannot start: ${startupFailure(e)}`);
  await db?.close().catch(() => {});
  process.exit(1);
}
