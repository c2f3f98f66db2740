// A real PostgreSQL for each test file: a fresh database on DATABASE_URL's server when it is
// set (as in CI), an embedded PostgreSQL in a temporary folder otherwise; and the service on it.

import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp, type AppOptions } from '../../src/app.js';
import { openDatabase, type Database } from '../../src/db/index.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { ScenarioStore } from '../../src/store/scenarios.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The URL of an empty database that is removed after the test. */
export async function emptyDatabase(t: Teardown): Promise<string> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `meshplan_test_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    t.teardown(async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    });
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'meshplan-test-'));
  // As root, PostgreSQL runs as another user, which must reach the folder (mkdtemp makes it 0700).
  await chmod(dataDir, 0o755);
  const embedded = await startEmbeddedPostgres(dataDir, await freePort());
  t.teardown(async () => {
    await embedded.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return embedded.url;
}

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  app: FastifyInstance;
  db: Database;
  store: ScenarioStore;
}

/** The service over a real port on a fresh, migrated database. */
export async function startTestServer(t: Teardown, options: Partial<AppOptions> = {}): Promise<TestServer> {
  const databaseUrl = await emptyDatabase(t);
  const db = await openDatabase({ databaseUrl, dataDir: '', embeddedPort: 0 });
  const app = await buildApp({ db, ...options });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  return { url: address, app, db, store: new ScenarioStore(db.prisma) };
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** An HTTP call over the real port; JSON bodies are sent as JSON, strings as YAML. */
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    const yaml = typeof body === 'string';
    init.body = yaml ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= yaml ? 'application/yaml' : 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}
