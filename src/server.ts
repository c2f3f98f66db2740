// Starts meshplan: configuration, database (DATABASE_URL or embedded), migrations, the example
// on a new database, listening, and a graceful stop on SIGTERM and SIGINT.

import { pino } from 'pino';
import { accessAtStart, AccessSetupError } from './access/startup.js';
import { TokenStore } from './access/tokens.js';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/index.js';
import { migrationNames } from './db/migrate.js';
import { ScenarioStore } from './store/scenarios.js';
import { seedExample } from './store/seed.js';

const config = loadConfig();
const log = pino({ level: config.logLevel });

const db = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  embeddedPort: config.embeddedPort,
  log: (message) => log.debug({ component: 'database' }, message.trim()),
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
const access = await accessAtStart(config.access, config.host, new TokenStore(db.prisma)).catch(async (e) => {
  if (!(e instanceof AccessSetupError)) throw e;
  log.fatal(e.message);
  await db.close();
  process.exit(1);
});
log[access.level](access.message);

const app = await buildApp({
  db,
  bodyLimit: config.bodyLimit,
  production: config.production,
  logger: log,
  access: { config: config.access, enforced: access.enforced },
  connectionLimits: config.connectionLimits,
  graphqlIntrospection: config.graphqlIntrospection,
});

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping: finishing requests in flight');
  try {
    await app.close();
    await db.close();
    log.info('stopped');
    process.exit(0);
  } catch (e) {
    log.error({ err: e }, 'unclean stop');
    process.exit(1);
  }
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

try {
  await app.listen({ port: config.port, host: config.host });
} catch (e) {
  log.error({ err: e }, 'cannot listen');
  await db.close();
  process.exit(1);
}
