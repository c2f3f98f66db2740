// The HTTP side of access: security headers that leave the API browsers working, CORS for
// dashboards on the configured origins only, and a rate limit per identity.

import t from 'tap';
import { startAccessServer } from '../support/access.js';
import { call } from '../support/server.js';

const DASHBOARD = 'https://dash.example';

t.test('security headers, CORS and the rate limit', async (t) => {
  const server = await startAccessServer(t, { corsOrigins: [DASHBOARD], rateLimit: 5, rateLimitWindowMs: 60_000 });
  const { url, as } = server;

  await t.test('security headers; the pages still load their own scripts', async (t) => {
    const health = await call(url, 'GET', '/healthz');
    t.equal(health.headers.get('x-content-type-options'), 'nosniff');
    t.equal(health.headers.get('x-frame-options'), 'SAMEORIGIN');
    t.match(health.headers.get('strict-transport-security'), /max-age=\d+/);
    const csp = health.headers.get('content-security-policy') ?? '';
    t.match(csp, /default-src 'self'/);
    t.notMatch(csp, /upgrade-insecure-requests/, 'plain HTTP keeps working (no forced upgrade)');

    const docs = await fetch(`${url}/docs/`);
    t.equal(docs.status, 200);
    const html = await docs.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    t.ok(scripts.length >= 2, 'Swagger UI has scripts');
    for (const [, attributes, body] of scripts) {
      t.match(attributes, /src="\.?\/?[^":]+"/, 'each script comes from the service itself (CSP script-src \'self\')');
      t.equal(body.trim(), '', 'no inline script, which the CSP would block');
    }
    t.match(docs.headers.get('content-security-policy'), /script-src 'self'(;| )/);
    t.match(docs.headers.get('content-security-policy'), /img-src 'self' data: validator\.swagger\.io/);
    for (const [, attributes] of scripts) {
      const src = /src="([^"]+)"/.exec(attributes)![1];
      t.equal((await fetch(new URL(src, `${url}/docs/`))).status, 200, `${src} loads`);
    }

    const graphiql = await fetch(`${url}/graphiql`);
    t.equal(graphiql.status, 200);
    t.match(graphiql.headers.get('content-security-policy'), /script-src 'self'(;|$)/, "GraphiQL's scripts are the service's own files, none inline");
    t.notMatch(await graphiql.text(), /<script>/, 'no inline script');
    t.match(graphiql.headers.get('content-security-policy'), /style-src 'self' 'unsafe-inline'/, 'and its page has an inline style');
  });

  await t.test('CORS for the configured origins only', async (t) => {
    const preflight = await call(url, 'OPTIONS', '/api/v1/scenarios', undefined, {
      origin: DASHBOARD,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    });
    t.equal(preflight.status, 204, 'a preflight needs no credentials');
    t.equal(preflight.headers.get('access-control-allow-origin'), DASHBOARD);
    t.match(preflight.headers.get('access-control-allow-headers'), /authorization/);
    const other = await call(url, 'OPTIONS', '/api/v1/scenarios', undefined, { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    t.equal(other.headers.get('access-control-allow-origin'), null, 'another origin is not allowed');
    const refused = await call(url, 'GET', '/api/v1/tokens', undefined, { origin: DASHBOARD });
    t.equal(refused.status, 401);
    t.equal(refused.headers.get('access-control-allow-origin'), DASHBOARD, 'a dashboard can read why it was refused');
    t.match(refused.headers.get('access-control-expose-headers'), /www-authenticate/);
  });

  await t.test('a rate limit per identity', async (t) => {
    for (let i = 0; i < 5; i++) t.equal((await as('reader', 'GET', '/api/v1/scenarios')).status, 200);
    const limited = await as('reader', 'GET', '/api/v1/scenarios');
    t.equal(limited.status, 429, 'the sixth call in the window is refused');
    t.match(limited.body, { title: 'Too many requests', status: 429, detail: /more than 5 requests in 60 s \(RATE_LIMIT\)/ });
    t.ok(limited.headers.get('retry-after'));
    t.equal((await as('editor', 'GET', '/api/v1/scenarios')).status, 200, 'another identity has its own budget');
    for (let i = 0; i < 7; i++) t.equal((await call(url, 'GET', '/healthz')).status, 200, 'health checks are not limited');
  });
});
