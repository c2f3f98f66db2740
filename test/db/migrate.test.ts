// Migrations apply by themselves, keep Prisma's _prisma_migrations bookkeeping, apply once,
// and readiness reports a database whose migrations are missing.

import pg from 'pg';
import t from 'tap';
import { openDatabase } from '../../src/db/index.js';
import { applyMigrations, migrationNames } from '../../src/db/migrate.js';
import { emptyDatabase } from '../support/server.js';

t.test('migrations', async (t) => {
  const url = await emptyDatabase(t);
  const names = await migrationNames();
  t.ok(names.length >= 1);

  t.same(await applyMigrations(url), names, 'a new database gets every migration');
  t.same(await applyMigrations(url), [], 'a second run applies nothing');

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  const rows = await client.query(
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
  );
  t.same(rows.rows.map((r) => r.migration_name), names, "Prisma's own bookkeeping table");
  for (const r of rows.rows) {
    t.match(r.checksum, /^[0-9a-f]{64}$/);
    t.ok(r.finished_at, 'finished');
  }
  const tables = await client.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  t.same(tables.rows.map((r) => r.table_name), ['_prisma_migrations', 'api_tokens', 'audit_log', 'engine_jobs', 'reviews', 'revisions', 'scenarios']);

  const db = await openDatabase({ databaseUrl: url, dataDir: '', embeddedPort: 0 });
  t.teardown(() => db.close());
  t.same(db.appliedMigrations, []);
  t.same(await db.ready(), { ok: true });
  await client.query("UPDATE _prisma_migrations SET migration_name = 'renamed'");
  const notReady = await db.ready();
  t.equal(notReady.ok, false);
  t.match(notReady.reason, /migrations not applied/);
});

t.test('an unreachable database fails start-up loudly', async (t) => {
  const url = new URL(await emptyDatabase(t));
  url.port = '1';
  await t.rejects(applyMigrations(url.toString()));
  await t.rejects(openDatabase({ databaseUrl: url.toString(), dataDir: '', embeddedPort: 0 }));
});
