// GraphQL's bounds and the connection guards over a real port: the cost limit (aliases, list sizes,
// engine fields), the response size bound, introspection and suggestions off in production, request
// ids taken only when plain, and slow clients cut off by the header timeout.

import { connect } from 'node:net';
import t from 'tap';
import { call, startTestServer } from '../support/server.js';

const service = `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.9, ports: [{name: http, port: 80}]}\n`;

t.test('GraphQL cost, response size, introspection', async (t) => {
  const { url } = await startTestServer(t, { production: true });
  const gql = async (query: string, variables: Record<string, unknown> = {}) => call(url, 'POST', '/graphql', { query, variables });
  t.equal((await call(url, 'POST', '/api/v1/scenarios', { name: 'mesh', resources: service })).status, 201);

  const aliases = Array.from({ length: 500 }, (_, i) => `t${i}: translate { warnings }`).join(' ');
  const start = Date.now();
  const bomb = await gql(`{ scenario(name: "mesh") { latest { ${aliases} } } }`);
  t.ok(Date.now() - start < 5000, 'refused before any translation runs');
  t.equal(bomb.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY', JSON.stringify(bomb.body).slice(0, 300));
  t.match(bomb.body.errors[0].message, /query cost \d+ is more than the limit of 5000 \(GRAPHQL_MAX_COST\)/);

  // Every engine field counts, drift and route-check too (they run in the pool as translate does).
  const drifts = Array.from({ length: 60 }, (_, i) => `d${i}: drift(configDump: {})`).join(' ');
  t.equal((await gql(`{ scenario(name: "mesh") { latest { ${drifts} } } }`)).body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY', 'drift aliases');
  const checks = Array.from({ length: 120 }, (_, i) => `r${i}: routeCheck(proxy: {pod: "web"}, routeConfig: "80", tests: [])`).join(' ');
  t.equal((await gql(`{ scenario(name: "mesh") { latest { ${checks} } } }`)).body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY', 'routeCheck aliases');

  const list = await gql('query($n: Int) { scenarios(first: $n) { items { latest { translate { warnings } } } } }', { n: 200 });
  t.equal(list.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY', 'list sizes from variables are counted');
  const small = await gql('query($n: Int) { scenarios(first: $n) { items { latest { translate { warnings } } } } }', { n: 2 });
  t.notOk(small.body.errors, JSON.stringify(small.body.errors));

  const introspection = await gql('{ __schema { types { name } } }');
  t.match(introspection.body.errors?.[0]?.message ?? '', /introspection/i, 'introspection is off in production');
  const typo = await gql('{ scenaro(name: "mesh") { name } }');
  t.ok(typo.body.errors?.length);
  t.notMatch(typo.body.errors[0].message, /Did you mean/, 'no suggestions in production');
});

t.test('GraphQL answers past the response bound are replaced by an error', async (t) => {
  const { url } = await startTestServer(t, { graphqlMaxResponseBytes: 200 });
  t.equal((await call(url, 'POST', '/api/v1/scenarios', { name: 'mesh', resources: service })).status, 201);
  const big = await call(url, 'POST', '/graphql', { query: '{ scenario(name: "mesh") { latest { translate { proxies { name } warnings } resources objects } } }' });
  t.equal(big.body.errors?.[0]?.extensions?.code, 'RESPONSE_TOO_LARGE', JSON.stringify(big.body).slice(0, 200));
  const introspection = await call(url, 'POST', '/graphql', { query: '{ __type(name: "Review") { name } }' });
  t.same(introspection.body.data, { __type: { name: 'Review' } }, 'introspection is on outside production');
});

t.test('request ids: a short plain x-request-id is kept, anything else replaced', async (t) => {
  const { url } = await startTestServer(t);
  const kept = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'abc-123.x:y' } });
  t.equal(kept.headers.get('x-request-id'), 'abc-123.x:y');
  for (const bad of ['a'.repeat(200), 'evil value with spaces', 'inject"quote']) {
    const replaced = await fetch(`${url}/healthz`, { headers: { 'x-request-id': bad } });
    t.match(replaced.headers.get('x-request-id'), /^[0-9a-f-]{36}$/, `replaced: ${bad.slice(0, 20)}`);
  }
});

t.test('a client that never finishes its headers is cut off by the header timeout', async (t) => {
  const { url } = await startTestServer(t, { connectionLimits: { headersTimeoutMs: 500, requestTimeoutMs: 1000, keepAliveTimeoutMs: 500, maxRequestsPerSocket: 10 } });
  const { hostname, port } = new URL(url);
  const start = Date.now();
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
  const took = Date.now() - start;
  t.ok(took < 5000, `closed after ${took} ms`);
  t.match(answer, /^HTTP\/1\.1 408 /, 'a 408 problem document');
  t.match(answer, /application\/problem\+json/);
});
