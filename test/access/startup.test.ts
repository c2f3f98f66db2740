// The two-command start stays open on loopback and says so; on any other address the service
// refuses to start without access control, unless AUTH=off is said.

import { spawn } from 'node:child_process';
import t from 'tap';
import { loadAccessConfig, OPEN_ACCESS } from '../../src/access/config.js';
import { accessAtStart, AccessSetupError, isLoopback } from '../../src/access/startup.js';
import { TokenStore } from '../../src/access/tokens.js';
import { openDatabase } from '../../src/db/index.js';
import { repoRoot } from '../support/samples.js';
import { emptyDatabase } from '../support/server.js';

/** The real service with this environment: its exit code (null: still running when it logged `until`) and log. */
function startService(env: Record<string, string>, until?: RegExp): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/server.js'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', SEED_EXAMPLE: 'false', LOG_LEVEL: 'info', ...env },
    });
    let log = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const read = (chunk: Buffer) => {
      log += chunk;
      if (until?.test(log)) child.kill('SIGTERM');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? null : code, log });
    });
  });
}

t.test('loopback or not, tokens or not', async (t) => {
  const db = await openDatabase({ databaseUrl: await emptyDatabase(t), dataDir: '', embeddedPort: 0 });
  t.teardown(() => db.close());
  const tokens = new TokenStore(db.prisma);

  const open = await accessAtStart(OPEN_ACCESS, '127.0.0.1', tokens);
  t.same([open.enforced, open.level], [false, 'warn']);
  t.match(open.message, /access control is open: no token or OIDC issuer is configured and 127\.0\.0\.1 is loopback/);
  await t.rejects(accessAtStart(OPEN_ACCESS, '0.0.0.0', tokens), new AccessSetupError(
    'refusing to listen on 0.0.0.0 with no access control: create a token (`npm run cli -- token create --name admin --role admin`), set OIDC_ISSUER, or set AUTH=off to serve everyone as admin',
  ));
  t.match(await accessAtStart({ ...OPEN_ACCESS, mode: 'off' }, '0.0.0.0', tokens), { enforced: false, message: /AUTH=off/ });
  t.match(await accessAtStart({ ...OPEN_ACCESS, mode: 'on' }, '127.0.0.1', tokens), { enforced: true, message: /AUTH=on.*no token exists/ });
  const oidc = loadAccessConfig({ OIDC_ISSUER: 'https://login.example', OIDC_AUDIENCE: 'meshplan', OIDC_JWKS_URL: 'https://login.example/jwks' });
  t.match(await accessAtStart(oidc, '0.0.0.0', tokens), { enforced: true, message: 'access control is on: OIDC issuer https://login.example' });

  const expired = await tokens.create({ name: 'old', role: 'admin', expires: '1m' }, new Date(Date.now() - 120_000));
  await t.rejects(accessAtStart(OPEN_ACCESS, '0.0.0.0', tokens), AccessSetupError, 'an expired token is no access control');
  await tokens.create({ name: 'ada', role: 'admin' });
  t.match(await accessAtStart(OPEN_ACCESS, '0.0.0.0', tokens), { enforced: true, message: 'access control is on: 1 active token(s)' });
  t.ok(expired.id);

  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) t.ok(isLoopback(host), host);
  for (const host of ['0.0.0.0', '::', '10.0.0.4', 'meshplan.internal']) t.notOk(isLoopback(host), host);
});

t.test('settings are checked at start-up', async (t) => {
  t.throws(() => loadAccessConfig({ AUTH: 'maybe' }), /AUTH must be auto, on or off/);
  t.throws(() => loadAccessConfig({ OIDC_ISSUER: 'https://x' }), /OIDC_AUDIENCE and OIDC_JWKS_URL must be set too/);
  t.throws(() => loadAccessConfig({ OIDC_ISSUER: 'https://x', OIDC_AUDIENCE: 'a', OIDC_JWKS_URL: 'https://x/j', OIDC_ROLE_MAP: 'ops=boss' }), /OIDC_ROLE_MAP/);
  t.throws(() => loadAccessConfig({ RATE_LIMIT: '-1' }), /RATE_LIMIT must be a non-negative integer/);
  t.match(loadAccessConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', OIDC_ISSUER: 'https://x', OIDC_AUDIENCE: 'a', OIDC_JWKS_URL: 'https://x/j', OIDC_ROLE_MAP: 'ops=admin,dev=editor' }), {
    mode: 'auto',
    corsOrigins: ['https://a.example', 'https://b.example'],
    rateLimit: 600,
    oidc: { rolesClaim: 'roles', nameClaim: 'preferred_username', roleMap: { ops: 'admin', dev: 'editor' } },
  });
});

t.test('the service itself', async (t) => {
  const databaseUrl = await emptyDatabase(t);
  const refused = await startService({ DATABASE_URL: databaseUrl, HOST: '0.0.0.0' });
  t.equal(refused.code, 1, 'refuses to start on 0.0.0.0 with no access control');
  t.match(refused.log, /"level":60,.*"msg":"cannot start: refusing to listen on 0\.0\.0\.0 with no access control: create a token/);
  t.notMatch(refused.log, /Server listening/);

  const open = await startService({ DATABASE_URL: databaseUrl, HOST: '127.0.0.1' }, /Server listening/);
  t.match(open.log, /"level":40,.*"msg":"access control is open: no token or OIDC issuer is configured and 127\.0\.0\.1 is loopback/, 'the log says it is open');
});
