// Every REST route and GraphQL operation against every role, anonymous included: a role the
// policy allows gets past access control (and, where the request is a real one, its real
// answer); a role it does not is refused with a 403 problem (401 without credentials).

import t from 'tap';
import { GRAPHQL_RULES, ruleFor } from '../../src/access/policy.js';
import { roleAllows, ROLES, type Role } from '../../src/access/roles.js';
import { MANIFEST, PEOPLE, startAccessServer } from '../support/access.js';

const CALLERS = ['anonymous', ...ROLES] as const;

t.test('every route against every role', async (t) => {
  const server = await startAccessServer(t);
  const { store, app } = server;
  await store.create({ name: 'shop', resources: MANIFEST, author: 'someone' });
  await store.addRevision('shop', '*', { resources: MANIFEST.replace('port: 80', 'port: 81'), author: 'someone' });
  const spareTokens: Record<string, number> = {};
  for (const who of CALLERS) {
    await store.create({ name: `doomed-${who}`, resources: MANIFEST });
    spareTokens[who] = (await app.access.tokens.create({ name: `spare-${who}`, role: 'reader' })).id;
  }

  /** Requests with real bodies, and the status they get once allowed. */
  const real = (who: string): Record<string, { path?: string; body?: unknown; headers?: Record<string, string>; ok: number }> => ({
    'GET /api/v1/scenarios': { ok: 200 },
    'GET /api/v1/scenarios/:name': { ok: 200 },
    'GET /api/v1/scenarios/:name/diff': { path: '/api/v1/scenarios/shop/diff?from=1', ok: 200 },
    'GET /api/v1/me': { ok: 200 },
    'POST /api/v1/translate': { body: { resources: MANIFEST }, ok: 200 },
    'POST /api/v1/scenarios/:name/translate': { body: {}, ok: 200 },
    'POST /api/v1/scenarios': { body: { name: `new-${who}`, resources: MANIFEST }, ok: 201 },
    // Each caller's revision differs: one equal to the latest is not stored again (200).
    'POST /api/v1/scenarios/:name/revisions': { body: { resources: MANIFEST.replace('port: 80', `port: ${8000 + CALLERS.indexOf(who as (typeof CALLERS)[number])}`) }, headers: { 'if-match': '*' }, ok: 201 },
    'DELETE /api/v1/scenarios/:name': { path: `/api/v1/scenarios/doomed-${who}`, ok: 204 },
    'GET /api/v1/tokens': { ok: 200 },
    'POST /api/v1/tokens': { body: { name: `made-by-${who}`, role: 'reader' }, ok: 201 },
    'DELETE /api/v1/tokens/:id': { path: `/api/v1/tokens/${spareTokens[who]}`, ok: 200 },
    'GET /api/v1/audit': { ok: 200 },
  });

  const routes = [...new Set(app.access.routes)].filter((r) => !r.startsWith('HEAD '));
  let checked = 0;
  for (const route of routes) {
    const [method, url] = [route.slice(0, route.indexOf(' ')), route.slice(route.indexOf(' ') + 1)];
    const rule = ruleFor(method, url);
    if (rule === 'open' || rule === 'graphql') continue;
    for (const who of CALLERS) {
      const example = real(who)[route];
      const path = example?.path ?? url.replace(':name', 'shop').replace(':revision', '1').replace(':id', '1');
      const body = example?.body ?? (method === 'POST' ? {} : undefined);
      const reply = await server.as(who, method, path, body, example?.headers);
      const allowed = who !== 'anonymous' && roleAllows(who, rule);
      if (allowed) {
        if (example) t.equal(reply.status, example.ok, `${who} ${route}: ${JSON.stringify(reply.body).slice(0, 200)}`);
        else t.notOk([401, 403].includes(reply.status), `${who} may ${route} (got ${reply.status})`);
      } else {
        t.equal(reply.status, who === 'anonymous' ? 401 : 403, `${who} may not ${route}`);
        t.equal(reply.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        t.match(reply.body, { status: reply.status, title: who === 'anonymous' ? 'Unauthorized' : 'Forbidden', detail: new RegExp(`needs .*role ${rule}`) });
        if (who === 'anonymous') t.equal(reply.headers.get('www-authenticate'), 'Bearer realm="meshplan"');
      }
      checked++;
    }
  }
  t.ok(checked >= 5 * 20, `${checked} route × caller checks`);

  t.test('open routes need nobody', async (t) => {
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs/json']) {
      t.equal((await server.as('anonymous', 'GET', path)).status, 200, path);
    }
  });
});

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

/** One operation per root field with a rule; `ok` picks a field of the answer that a success fills. */
/** `refusedWith`: past access control, the answer is this error (the server here runs no jobs). */
const OPERATIONS: Record<string, (who: string) => { query: string; variables?: Record<string, unknown>; ok: (data: any) => unknown; refusedWith?: string }> = {
  'Query.scenario': () => ({ query: '{ scenario(name: "shop") { name } }', ok: (d) => d.scenario.name }),
  'Query.scenarios': () => ({ query: '{ scenarios { items { name } } }', ok: (d) => d.scenarios.items.length }),
  'Query.diff': () => ({ query: '{ diff(name: "shop", from: 1) { to } }', ok: (d) => d.diff.to }),
  'Query.liveProxyConfig': () => ({
    query: 'query($d: JSON!) { liveProxyConfig(configDump: $d, kinds: [clusters]) { text } }',
    variables: { d: { configs: [{ '@type': `${ADMIN}ClustersConfigDump` }] } },
    ok: (d) => d.liveProxyConfig.text.startsWith('SERVICE FQDN'),
  }),
  'Query.liveTrace': () => ({
    query: 'query($d: JSON!) { liveTrace(configDump: $d, request: {port: 80}) { flow } }',
    variables: { d: { configs: [{ '@type': `${ADMIN}ListenersConfigDump` }] } },
    ok: (d) => d.liveTrace.flow,
  }),
  'Query.job': () => ({ query: '{ job(id: "00000000-0000-0000-0000-000000000000") { id } }', ok: (d) => 'job' in d }),
  'Mutation.translateJob': () => ({ query: 'mutation { translateJob(name: "shop") { id } }', ok: () => false, refusedWith: 'NOT_FOUND' }),
  'Mutation.cancelJob': () => ({ query: 'mutation { cancelJob(id: "00000000-0000-0000-0000-000000000000") { id } }', ok: () => false, refusedWith: 'NOT_FOUND' }),
  'Query.me': () => ({ query: '{ me { name role via } }', ok: (d) => d.me.via === 'token' }),
  'Query.auditLog': () => ({ query: '{ auditLog { items { actor } } }', ok: (d) => Array.isArray(d.auditLog.items) }),
  'Mutation.createScenario': (who) => ({
    query: `mutation { createScenario(input: {name: "gql-${who}", resources: ${JSON.stringify(MANIFEST)}}) { revision { author } } }`,
    ok: (d) => d.createScenario.revision.author === PEOPLE[who as Role],
  }),
  'Mutation.addRevision': () => ({
    query: `mutation { addRevision(name: "shop", ifMatch: "*", input: {resources: ${JSON.stringify(MANIFEST)}}) { revision { revision } } }`,
    ok: (d) => d.addRevision.revision.revision,
  }),
  'Mutation.setReview': () => ({ query: 'mutation { setReview(name: "shop", revision: 1, state: draft) { state } }', ok: () => true }),
  'Mutation.deleteScenario': (who) => ({ query: `mutation { deleteScenario(name: "doomed-${who}") }`, ok: (d) => d.deleteScenario }),
};

t.test('every GraphQL root field against every role', async (t) => {
  const server = await startAccessServer(t);
  await server.store.create({ name: 'shop', resources: MANIFEST });
  await server.store.addRevision('shop', '*', { resources: MANIFEST.replace('port: 80', 'port: 81') });
  for (const who of CALLERS) await server.store.create({ name: `doomed-${who}`, resources: MANIFEST });

  t.same(Object.keys(OPERATIONS).sort(), Object.keys(GRAPHQL_RULES).sort(), 'an operation for every root field with a rule');
  for (const [field, needs] of Object.entries(GRAPHQL_RULES)) {
    for (const who of CALLERS) {
      const operation = OPERATIONS[field]?.(who);
      if (!operation) continue;
      const answer = await server.gql(who, operation.query, operation.variables);
      const allowed = who !== 'anonymous' && roleAllows(who, needs);
      if (allowed) {
        // setReview draft → draft is a CONFLICT: past access control, refused by the review rules.
        const codes = (answer.errors ?? []).map((e: any) => e.extensions?.code);
        t.notOk(codes.includes('UNAUTHENTICATED') || codes.includes('FORBIDDEN'), `${who} may ${field}`);
        if (operation.refusedWith) t.ok(codes.includes(operation.refusedWith), `${who} ${field}: ${JSON.stringify(answer)}`);
        else if (field !== 'Mutation.setReview') t.ok(answer.data && operation.ok(answer.data), `${who} ${field}: ${JSON.stringify(answer)}`);
      } else {
        t.match(answer.errors?.[0], {
          extensions: { code: who === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN' },
          path: [field.split('.')[1]],
        }, `${who} may not ${field}`);
      }
    }
  }
});
