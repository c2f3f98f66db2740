// Revision.graph and Revision.proxies over HTTP on a real PostgreSQL: the engine's graph as stored
// revisions give it, and the dashboard's page and assets served with the service's CSP.

import t from 'tap';
import { compileScenario } from '../../src/engine.js';
import { call, startTestServer } from '../support/server.js';
import { readSample } from '../support/samples.js';

t.test('GraphQL serves the traffic graph and the proxies of a revision', async (t) => {
  const server = await startTestServer(t);
  const resources = readSample('bookinfo');
  const created = await call(server.url, 'POST', '/graphql', {
    query: 'mutation($input: CreateScenarioInput!) { createScenario(input: $input) { revision { revision } } }',
    variables: { input: { name: 'bookinfo', resources } },
  });
  t.same(created.body.errors, undefined);
  const read = await call(server.url, 'POST', '/graphql', {
    query: `{ scenario(name: "bookinfo") { latest {
      proxies { type namespace name pod }
      graph { nodes { id kind name namespace proxy ports mtls policies sources } edges { id kind from to weight match subset port route mtls mtlsFrom policies sources } }
    } } }`,
  });
  t.equal(read.status, 200);
  t.same(read.body.errors, undefined);
  const { graph, proxies } = read.body.data.scenario.latest;
  t.same(graph, compileScenario({ resources }).graph(), 'the engine graph, field for field');
  t.equal(proxies.length, 7);
  t.match(proxies.find((p: { type: string }) => p.type === 'router'), { namespace: 'istio-system', pod: /^istio-system\/istio-ingressgateway-/ });
});

t.test('the dashboard: / and its assets from this service, allowed by its CSP; API paths untouched', async (t) => {
  const server = await startTestServer(t, { access: { config: (await import('../../src/access/config.js')).OPEN_ACCESS } });
  const page = await fetch(`${server.url}/`);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-security-policy'), /script-src 'self'(;|$)/, "helmet's CSP: the service's own scripts only");
  const html = await page.text();
  const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
  t.ok(scripts.length > 0 && scripts.every((s) => s.startsWith('/ui/assets/')), 'scripts from /ui/assets only');
  t.notMatch(html, /<script(?![^>]*src=)[^>]*>/, 'no inline script');
  const asset = await fetch(`${server.url}${scripts[0]}`);
  t.equal(asset.status, 200);
  t.match(asset.headers.get('content-type'), /javascript/);
  t.equal((await fetch(`${server.url}/healthz`)).status, 200);
  t.equal((await fetch(`${server.url}/ui/assets/nothing.js`)).status, 404);
});
