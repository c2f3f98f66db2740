// Applies prisma/migrations at start-up with Prisma's own bookkeeping (_prisma_migrations),
// so `prisma migrate deploy` sees the same history on the same database.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { openSchemaEngine } from './schema-engine.js';

export const PRISMA_DIR = fileURLToPath(new URL('../../prisma/', import.meta.url));
const MIGRATIONS_DIR = join(PRISMA_DIR, 'migrations');
const SCHEMA_FILE = join(PRISMA_DIR, 'schema.prisma');

/** The names of the migrations in the repository, oldest first. */
export async function migrationNames(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function migrationList(): Promise<MigrationList> {
  const names = await migrationNames();
  const lockPath = join(MIGRATIONS_DIR, 'migration_lock.toml');
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok', value: await readFile(join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

/** Applies the migrations not yet applied; returns their names. */
export async function applyMigrations(connectionString: string, log: (m: string) => void = () => {}): Promise<string[]> {
  const schema = { path: 'schema.prisma', content: await readFile(SCHEMA_FILE, 'utf8') };
  const handle = await openSchemaEngine(connectionString, schema, log);
  try {
    const out = await handle.engine.applyMigrations({
      migrationsList: await migrationList(),
      filters: { externalTables: [], externalEnums: [] },
    });
    return out.appliedMigrationNames;
  } finally {
    await handle.close();
  }
}
