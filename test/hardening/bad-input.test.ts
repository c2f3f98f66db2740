// Hostile and broken input over a real port and PostgreSQL: every kind gets a 4xx RFC 9457 problem
// (or a GraphQL error with a code) naming where and why, never a 5xx, and nothing is stored.

import { connect } from 'node:net';
import t from 'tap';
import { call, startTestServer } from '../support/server.js';

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop}\nspec: {ports: [{name: http, port: 80}]}\n`;

/** Nested arrays n deep, as JSON text (JSON.stringify of such a value would overflow the stack). */
const deepJson = (n: number, inner = '{}') => '['.repeat(n) + inner + ']'.repeat(n);

/** A raw HTTP/1.1 exchange: what the server answers to bytes fastify never sees as a request. */
function rawHttp(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

interface Case {
  name: string;
  method?: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** Expected status; the problem's detail or one of its errors must match `says`. */
  status: number;
  says: RegExp;
}

const json = { 'content-type': 'application/json' };
const yaml = { 'content-type': 'application/yaml' };

const CASES: Case[] = [
  { name: 'NUL in a name', path: '/api/v1/scenarios', body: JSON.stringify({ name: 'a\u0000b', resources: service('web') }), headers: json, status: 400, says: /NUL/ },
  { name: 'NUL in a manifest string', path: '/api/v1/scenarios', body: JSON.stringify({ name: 'nul', resources: service('w\u0000eb') }), headers: json, status: 400, says: /NUL/ },
  { name: 'NUL in a YAML escape', path: '/api/v1/scenarios?name=nul2', body: service('web').replace('name: web', 'name: "we\\0b"'), headers: yaml, status: 400, says: /NUL/ },
  { name: 'NUL in a message', path: '/api/v1/scenarios', body: JSON.stringify({ name: 'nul3', resources: service('web'), message: '\u0000' }), headers: json, status: 400, says: /NUL/ },
  { name: 'NUL in a query string', method: 'GET', path: '/api/v1/scenarios?cursor=%00', status: 400, says: /NUL/ },
  { name: 'lone surrogate in a description', path: '/api/v1/scenarios', body: '{"name":"sur","resources":[],"description":"\\ud800"}', headers: json, status: 400, says: /surrogate/ },
  { name: 'lone surrogate in a YAML manifest', path: '/api/v1/scenarios?name=sur2', body: service('web').replace('name: web', 'name: "\\ud800"'), headers: yaml, status: 400, says: /surrogate/ },
  { name: '__proto__ key in JSON', path: '/api/v1/scenarios', body: '{"name":"proto","resources":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x","__proto__":{"a":1}}}]}', headers: json, status: 400, says: /__proto__/ },
  { name: '__proto__ key in YAML', path: '/api/v1/scenarios?name=proto2', body: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  __proto__: {labels: {a: b}}\n', headers: yaml, status: 400, says: /__proto__/ },
  { name: 'revision number past 32 bits', method: 'GET', path: '/api/v1/scenarios/x/revisions/4294967296', status: 400, says: /must be <= 2147483647/ },
  { name: 'revision number in exponent form past 32 bits', method: 'GET', path: '/api/v1/scenarios/x?revision=1e12', status: 400, says: /must be <= 2147483647/ },
  { name: 'diff from past 32 bits', method: 'GET', path: '/api/v1/scenarios/x/diff?from=99999999999', status: 400, says: /must be <= 2147483647/ },
  { name: 'JSON nested 100000 deep (stateless translate)', path: '/api/v1/translate', body: `{"resources":${deepJson(100000)}}`, headers: json, status: 400, says: /nested more than/ },
  { name: 'JSON nested deep in mesh', path: '/api/v1/scenarios', body: `{"name":"deep","resources":[],"mesh":{"a":${deepJson(5000)}}}`, headers: json, status: 400, says: /nested more than/ },
  { name: 'YAML nested 5000 deep', path: '/api/v1/scenarios?name=deep2', body: `apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\nspec: ${deepJson(5000, '1')}\n`, headers: yaml, status: 400, says: /nested|deep|depth/ },
  { name: 'single-document YAML body with aliases past the limit', path: '/api/v1/translate', body: `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`, headers: yaml, status: 400, says: /alias/i },
  { name: 'kind: List past the document limit', path: '/api/v1/translate', body: JSON.stringify({ resources: [{ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 20001 }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `n${i}` } })) }] }), headers: json, status: 400, says: /List items included/ },
  { name: 'YAML !!set', path: '/api/v1/scenarios?name=set', body: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels: !!set {a, b}\n', headers: yaml, status: 400, says: /!!set|tag/ },
  { name: 'YAML map as a mapping key in a manifest', path: '/api/v1/scenarios?name=mapkey', body: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels:\n    {a: b}: c\n', headers: yaml, status: 400, says: /line 6, column 5: a mapping key must be a string/ },
  { name: 'YAML list as a mapping key in a request body', path: '/api/v1/translate', body: 'resources: []\n[a]: b\n', headers: yaml, status: 400, says: /line 2, column 1: a mapping key must be a string/ },
  { name: 'YAML unknown tag', path: '/api/v1/scenarios?name=tag', body: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: !secret x\n', headers: yaml, status: 400, says: /tag/ },
  { name: 'a charset other than UTF-8', path: '/api/v1/scenarios', body: JSON.stringify({ name: 'latin', resources: [] }), headers: { 'content-type': 'application/json; charset=iso-8859-1' }, status: 415, says: /charset "iso-8859-1"/ },
  { name: 'duplicate objects', path: '/api/v1/scenarios?name=dup', body: `${service('web')}---\n${service('web')}`, headers: yaml, status: 400, says: /duplicate Service shop\/web: document 0/ },
  { name: 'replicas: 1000000', path: '/api/v1/translate', body: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1000000, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}\n', headers: yaml, status: 400, says: /MAX_REPLICAS/ },
  { name: 'a URL that is not valid', method: 'GET', path: '/api/v1/scenarios/%E0%A4%A', status: 400, says: /not a valid url/ },
  { name: 'a parameter longer than fastify accepts', method: 'GET', path: `/api/v1/scenarios/${'a'.repeat(200)}`, status: 414, says: /max param length/ },
  { name: 'GraphQL query not a string', path: '/graphql', body: JSON.stringify({ query: { a: 1 } }), headers: json, status: 400, says: /body\.query/ },
  { name: 'GraphQL query a number', path: '/graphql', body: JSON.stringify({ query: 12 }), headers: json, status: 400, says: /body\.query/ },
  { name: 'GraphQL variables a list', path: '/graphql', body: JSON.stringify({ query: '{ scenarios { nextCursor } }', variables: [1] }), headers: json, status: 400, says: /body\.variables/ },
  { name: 'GraphQL body a list', path: '/graphql', body: '[{"query":"{ scenarios { nextCursor } }"}]', headers: json, status: 400, says: /body|query/ },
  { name: 'JSON syntax error', path: '/api/v1/scenarios', body: '{"name":', headers: json, status: 400, says: /JSON syntax/ },
];

t.test('bad input over HTTP: 4xx problem documents, nothing stored', async (t) => {
  const { url, store } = await startTestServer(t);
  let fiveHundreds = 0;
  for (const c of CASES) {
    const res = await fetch(url + c.path, { method: c.method ?? 'POST', headers: c.headers, body: c.body });
    const text = await res.text();
    if (res.status >= 500) fiveHundreds++;
    t.equal(res.status, c.status, `${c.name}: ${res.status} ${text.slice(0, 300)}`);
    t.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, `${c.name}: a problem document`);
    const problem = JSON.parse(text);
    const said = [problem.detail, ...(problem.errors ?? []).map((e: { path: string; message: string }) => `${e.path}: ${e.message}`)].join(' | ');
    t.match(said, c.says, `${c.name}: says where and why (${said.slice(0, 200)})`);
  }
  t.comment(`${CASES.length} kinds of bad input over REST and GraphQL, ${fiveHundreds} answered 5xx`);
  t.equal(await store.count(), 0, 'nothing stored');
});

t.test("Node's own refusals are problem documents too", async (t) => {
  const { url } = await startTestServer(t);
  const big = await rawHttp(url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
  t.match(big, /^HTTP\/1\.1 431 /);
  t.match(big, /application\/problem\+json/);
  t.match(big, /"status":431/);
  const garbage = await rawHttp(url, 'NOT HTTP AT ALL\r\n\r\n');
  t.match(garbage, /^HTTP\/1\.1 400 /);
  t.match(garbage, /"status":400/);
});

t.test('GraphQL writes apply the same checks: NUL, surrogates and deep nesting are BAD_USER_INPUT', async (t) => {
  const { url, store } = await startTestServer(t);
  const gql = async (query: string, variables: Record<string, unknown> = {}) => (await call(url, 'POST', '/graphql', { query, variables })).body;
  const create = 'mutation($input: CreateScenarioInput!) { createScenario(input: $input) { scenario { name } } }';
  for (const input of [
    { name: 'g1', resources: service('web'), message: 'a\u0000' },
    { name: 'g2', resources: service('web'), author: '\ud800' },
    { name: 'g3', resources: [], mesh: JSON.parse(`{"a":${deepJson(3000)}}`) },
    { name: 'g4', resources: service('web') + '---\n' + service('web') },
    { name: 'g6', resources: service('web'), message: 'x'.repeat(5000) },
    { name: 'g7', resources: 42 },
  ]) {
    const answer = await gql(create, { input });
    t.equal(answer.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `${input.name}: ${JSON.stringify(answer.errors?.[0]).slice(0, 200)}`);
  }
  const inline = await gql(`mutation { createScenario(input: {name: "g5", resources: [], message: "\\u0000"}) { scenario { name } } }`);
  t.equal(inline.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', 'a NUL written inline in the query');
  const review = await gql(`mutation { setReview(name: "none", revision: 1, state: in_review, comment: "\\u0000") { state } }`);
  t.equal(review.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', 'a NUL in a review comment');
  const big = await gql('{ scenario(name: "x") { at(revision: 2147483648) { revision } } }');
  t.ok(big.errors?.length, 'GraphQL Int refuses numbers past 32 bits');
  t.equal(await store.count(), 0, 'nothing stored');
});
