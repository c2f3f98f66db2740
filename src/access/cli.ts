// `meshplan token create|list|revoke`: API tokens in the configured database (DATABASE_URL, else
// the embedded PostgreSQL of DATA_DIR: the running service's when it is up, else started here).

import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../config.js';
import { runningEmbeddedUrl } from '../db/embedded.js';
import { openDatabase, type Database } from '../db/index.js';
import { ValidationError } from '../store/errors.js';
import { ROLES } from './roles.js';
import { TokenStore, type TokenRecord } from './tokens.js';

export const TOKEN_USAGE = `usage: meshplan token create --name NAME --role ${ROLES.join('|')} [--expires 30d]
       meshplan token list [--json]
       meshplan token revoke ID
  create prints the token on stdout, once: it is stored only as a hash`;

/** Whether a PostgreSQL answers at this URL (the service's embedded one, when it runs). */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function openConfiguredDatabase(): Promise<Database> {
  const config = loadConfig();
  if (config.databaseUrl) return openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, embeddedPort: config.embeddedPort });
  const running = runningEmbeddedUrl(config.dataDir);
  if (running && (await answers(running))) return openDatabase({ databaseUrl: running, dataDir: config.dataDir, embeddedPort: config.embeddedPort });
  return openDatabase({ dataDir: config.dataDir, embeddedPort: config.embeddedPort });
}

const when = (d: Date | null): string => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');

function printTable(tokens: TokenRecord[]): void {
  const rows = [
    ['ID', 'NAME', 'ROLE', 'PREFIX', 'CREATED', 'EXPIRES', 'REVOKED', 'LAST USED'],
    ...tokens.map((t) => [String(t.id), t.name, t.role, `${t.prefix}...`, when(t.createdAt), when(t.expiresAt), when(t.revokedAt), when(t.lastUsedAt)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}

/** Runs a token command; returns the exit code (2: bad flags, bad input, an unknown token, no database). */
export async function tokenCommand(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof ValidationError) for (const p of e.problems) console.error(`meshplan: --${p.path}: ${p.message}`);
    else console.error(`meshplan: ${(e as Error).message}`);
    return 2;
  }
}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, id] = positionals;
  if (values.help || !['create', 'list', 'revoke'].includes(action)) {
    console.error(TOKEN_USAGE);
    return values.help ? 0 : 2;
  }
  if (action === 'create' && (!values.name || !values.role)) {
    console.error(`meshplan: token create needs --name and --role\n${TOKEN_USAGE}`);
    return 2;
  }
  if (action === 'revoke' && !/^\d+$/.test(id ?? '')) {
    console.error(`meshplan: token revoke needs the token's ID (see \`meshplan token list\`)\n${TOKEN_USAGE}`);
    return 2;
  }
  const db = await openConfiguredDatabase();
  const tokens = new TokenStore(db.prisma);
  try {
    if (action === 'create') {
      const created = await tokens.create({ name: values.name!, role: values.role!, expires: values.expires, createdBy: 'command line' });
      console.error(
        `token ${created.id} for ${created.name} (${created.role}), ${created.expiresAt ? `expires ${when(created.expiresAt)}` : 'does not expire'}; ` +
          'it is shown this once: send it as "Authorization: Bearer <token>"',
      );
      console.log(created.token);
    } else if (action === 'list') {
      const list = await tokens.list();
      if (values.json) console.log(JSON.stringify(list, null, 2));
      else printTable(list);
    } else {
      const revoked = await tokens.revoke(Number(id));
      console.error(`token ${revoked.id} (${revoked.name}) revoked at ${when(revoked.revokedAt)}`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
