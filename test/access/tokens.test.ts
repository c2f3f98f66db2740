// API tokens: created by admins over REST and by the command line against the service's
// database, stored as a hash only, shown once; revoked or expired tokens are refused at once.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import t from 'tap';
import { bearer, startAccessServer } from '../support/access.js';
import { repoRoot } from '../support/samples.js';
import { call, startTestServer } from '../support/server.js';

const run = promisify(execFile);
const cli = (args: string[], databaseUrl: string) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'token', ...args], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: databaseUrl } }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );

t.test('a token created over the API turns an open service on at once', async (t) => {
  const { url } = await startTestServer(t);
  t.equal((await call(url, 'GET', '/api/v1/tokens')).status, 200, 'open: anyone is admin');
  const made = await call(url, 'POST', '/api/v1/tokens', { name: 'ada', role: 'admin' });
  t.equal(made.status, 201);
  t.equal((await call(url, 'GET', '/api/v1/tokens')).status, 401);
  t.equal((await call(url, 'GET', '/api/v1/tokens', undefined, bearer(made.body.token))).status, 200);
});

t.test('tokens over REST: shown once, stored hashed, revoked and expired ones refused', async (t) => {
  const server = await startAccessServer(t);
  const { as, db } = server;

  const made = await as('admin', 'POST', '/api/v1/tokens', { name: 'ana', role: 'reviewer', expires: '30d' });
  t.equal(made.status, 201);
  t.match(made.body, { name: 'ana', role: 'reviewer', createdBy: 'ada', token: /^mpt_[A-Za-z0-9_-]{43}$/, revokedAt: null, lastUsedAt: null });
  const days = (Date.parse(made.body.expiresAt) - Date.parse(made.body.createdAt)) / 86_400_000;
  t.equal(days, 30, 'expires in 30 days');
  const token = made.body.token as string;

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  t.teardown(() => client.end());
  const row = (await client.query('SELECT * FROM api_tokens WHERE id = $1', [made.body.id])).rows[0];
  t.equal(row.hash, createHash('sha256').update(token).digest('hex'), 'the database holds its SHA-256');
  t.notOk(JSON.stringify(row).includes(token.slice(4)), 'and not the token');

  const listed = await as('admin', 'GET', '/api/v1/tokens');
  const entry = listed.body.items.find((i: any) => i.id === made.body.id);
  t.match(entry, { name: 'ana', prefix: token.slice(0, 10) });
  t.notOk('token' in entry || 'hash' in entry, 'listings never show the token again');

  const me = await call(server.url, 'GET', '/api/v1/me', undefined, bearer(token));
  t.same(me.body, { name: 'ana', role: 'reviewer', via: 'token' });
  t.ok((await as('admin', 'GET', '/api/v1/tokens')).body.items.find((i: any) => i.id === made.body.id).lastUsedAt, 'last use recorded');

  const revoked = await as('admin', 'DELETE', `/api/v1/tokens/${made.body.id}`);
  t.equal(revoked.status, 200);
  t.ok(revoked.body.revokedAt);
  const after = await call(server.url, 'GET', '/api/v1/scenarios', undefined, bearer(token));
  t.equal(after.status, 401, 'a revoked token is refused at once');
  t.match(after.body.detail, new RegExp(`token ${made.body.id} \\(ana\\) was revoked`));
  t.equal((await as('admin', 'DELETE', `/api/v1/tokens/${made.body.id}`)).body.revokedAt, revoked.body.revokedAt, 'revoking again changes nothing');
  t.equal((await as('admin', 'DELETE', '/api/v1/tokens/99999')).status, 404);

  const old = await server.app.access.tokens.create({ name: 'old', role: 'admin', expires: '1m' }, new Date(Date.now() - 120_000));
  const expired = await call(server.url, 'GET', '/api/v1/scenarios', undefined, bearer(old.token));
  t.equal(expired.status, 401, 'an expired token is refused');
  t.match(expired.body.detail, /token \d+ \(old\) expired at /);

  for (const [header, why] of [
    [`Bearer mpt_${'x'.repeat(43)}`, /unknown token/],
    [`Basic ${Buffer.from('ada:x').toString('base64')}`, /must be "Bearer <token>"/],
    ['Bearer eyJhbGciOiJIUzI1NiJ9.e30.x', /no OIDC issuer is configured/],
  ] as const) {
    const refused = await call(server.url, 'GET', '/api/v1/scenarios', undefined, { authorization: header });
    t.equal(refused.status, 401, header.slice(0, 12));
    t.match(refused.body.detail, why);
  }

  const bad = await as('admin', 'POST', '/api/v1/tokens', { name: 'x y', role: 'boss', expires: 'soon' });
  t.equal(bad.status, 400);
  t.match(bad.body.errors, [{ path: 'body.role', message: /must be one of "reader", "editor", "reviewer", "admin"/ }]);
  const badExpiry = await as('admin', 'POST', '/api/v1/tokens', { name: 'x y', role: 'reader', expires: 'soon' });
  t.match(badExpiry.body.errors, [{ path: 'name' }, { path: 'expires', message: /expected a positive duration/ }]);
});

t.test('meshplan token create, list and revoke work on the configured database', async (t) => {
  const { url, db } = await startTestServer(t);
  const created = await cli(['create', '--name', 'ana', '--role', 'editor', '--expires', '12h'], db.url);
  t.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  t.match(token, /^mpt_/, 'the token alone on stdout');
  t.match(created.stderr, /token 1 for ana \(editor\), expires .*shown this once/);

  // The service started open (no token then); the first use of a token turns access control on.
  t.equal((await call(url, 'GET', '/api/v1/scenarios')).status, 200, 'open until a token is used');
  t.equal((await call(url, 'GET', '/api/v1/scenarios', undefined, bearer(token))).status, 200);
  t.equal((await call(url, 'GET', '/api/v1/scenarios')).status, 401, 'from then on, calls need one');

  const listed = await cli(['list'], db.url);
  t.match(listed.stdout, /^ID\s+NAME\s+ROLE\s+PREFIX\s+CREATED\s+EXPIRES\s+REVOKED\s+LAST USED\n1\s+ana\s+editor\s+mpt_/);
  t.notOk(listed.stdout.includes(token), 'the list never shows the token');

  t.equal((await cli(['revoke', '1'], db.url)).code, 0);
  t.equal((await call(url, 'GET', '/api/v1/scenarios', undefined, bearer(token))).status, 401, 'revoked from the command line');
  t.equal((await call(url, 'GET', '/api/v1/scenarios')).status, 401, 'revoking the last token does not open the service');

  const refused = await cli(['create', '--name', 'bob', '--role', 'boss'], db.url);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /--role: role must be one of reader, editor, reviewer, admin/);
  t.equal((await cli(['revoke', '7'], db.url)).code, 2, 'an unknown token');
  t.equal((await cli([], db.url)).code, 2, 'no action prints the usage');
});
