// GraphQL over a real port and PostgreSQL: reads, writes, error codes, the depth limit, and
// that listing scenarios with their latest revision and review costs a fixed number of queries.

import t from 'tap';
import { call, startTestServer } from '../support/server.js';

const service = (name: string, port = 80) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  clusterIP: 10.96.0.9\n  ports:\n  - {name: http, port: ${port}}\n`;

t.test('GraphQL', async (t) => {
  const { url, db } = await startTestServer(t);
  const gql = async (query: string, variables: Record<string, unknown> = {}) =>
    (await call(url, 'POST', '/graphql', { query, variables })).body;

  // A request of 1 MiB or more is read in an engine thread (src/worker/graphql-requests.ts): only a
  // variable used as a configDump argument stays bytes there; every other one is coerced as it was sent.
  await t.test('a large request: its large variables that are not dumps reach their fields as they were sent', async (t) => {
    const resources = Array.from({ length: 12000 }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `large-${i}`, labels: { team: 'ui' } } }));
    t.ok(JSON.stringify(resources).length > 1024 * 1024, 'the request is over 1 MiB');
    const created = await gql(
      `mutation($resources: JSON!) { createScenario(input: {name: "large", resources: $resources}) { revision { revision objects } } }`,
      { resources },
    );
    t.notOk(created.errors, JSON.stringify(created.errors)?.slice(0, 500));
    t.equal(created.data?.createScenario.revision.objects.length, 12000, 'every object of the JSON variable');
    // A variable the query does not declare is sent along (and ignored): it makes the request large.
    const listed = await gql(`query($labels: JSON) { scenarios(labels: $labels) { items { name } } }`, {
      labels: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'v'.repeat(20)])),
      padding: { text: 'x'.repeat(1024 * 1024) },
    });
    t.notOk(listed.errors, JSON.stringify(listed.errors)?.slice(0, 500));
    t.same(listed.data?.scenarios.items, [], 'a large labels filter matches no scenario');
  });

  await t.test('createScenario, addRevision with ifMatch, setReview, and the scenario query', async (t) => {
    const created = await gql(
      `mutation($input: CreateScenarioInput!) { createScenario(input: $input) {
         scenario { name revision labels } revision { revision etag resources review { state } } warnings { kind message } } }`,
      { input: { name: 'dash', labels: { team: 'ui' }, resources: service('web'), message: 'one' } },
    );
    t.notOk(created.errors, JSON.stringify(created.errors));
    t.match(created.data.createScenario, {
      scenario: { name: 'dash', revision: 1, labels: { team: 'ui' } },
      revision: { revision: 1, resources: service('web'), review: { state: 'draft' } },
      warnings: [],
    });
    const etag = created.data.createScenario.revision.etag;

    const stale = await gql(
      `mutation { addRevision(name: "dash", ifMatch: "\\"0.0.0\\"", input: {resources: ${JSON.stringify(service('web', 81))}}) { revision { revision } } }`,
    );
    t.equal(stale.errors[0].extensions.code, 'PRECONDITION_FAILED');

    const added = await gql(
      `mutation($ifMatch: String!, $input: RevisionInput!) { addRevision(name: "dash", ifMatch: $ifMatch, input: $input) { revision { revision message } } }`,
      { ifMatch: etag, input: { resources: service('web', 81), message: 'port 81' } },
    );
    t.same(added.data.addRevision.revision, { revision: 2, message: 'port 81' });

    const review = await gql(`mutation { setReview(name: "dash", revision: 2, state: in_review, reviewer: "li") { state reviewer } }`);
    t.same(review.data.setReview, { state: 'in_review', reviewer: 'li' });
    const refused = await gql(`mutation { setReview(name: "dash", revision: 1, state: approved) { state } }`);
    t.equal(refused.errors[0].extensions.code, 'CONFLICT');

    const read = await gql(`{ scenario(name: "dash") {
      name revision
      latest { revision message review { state } reviews { state } }
      at(revision: 1) { revision message }
      revisions { revision } } }`);
    t.same(read.data.scenario, {
      name: 'dash',
      revision: 2,
      latest: { revision: 2, message: 'port 81', review: { state: 'in_review' }, reviews: [{ state: 'draft' }, { state: 'in_review' }] },
      at: { revision: 1, message: 'one' },
      revisions: [{ revision: 2 }, { revision: 1 }],
    });

    const diff = await gql(`{ diff(name: "dash", from: 1) { from to unchanged changed { kind name changes { path from to } } } }`);
    t.same(diff.data.diff, {
      from: 1,
      to: 2,
      unchanged: 0,
      changed: [{ kind: 'Service', name: 'web', changes: [{ path: 'spec.ports[0].port', from: 80, to: 81 }] }],
    });

    t.same((await gql(`{ scenario(name: "missing") { name } }`)).data, { scenario: null });
  });

  await t.test('invalid manifests: BAD_USER_INPUT with every problem, nothing stored', async (t) => {
    const before = await db.prisma.scenario.count();
    const res = await gql(`mutation($input: CreateScenarioInput!) { createScenario(input: $input) { scenario { name } } }`, {
      input: { name: 'Bad Name', resources: 'apiVersion: v1\nkind: Service\nmetadata: {}\n' },
    });
    t.equal(res.errors[0].extensions.code, 'BAD_USER_INPUT');
    t.same(
      res.errors[0].extensions.problems.map((p: any) => p.path),
      ['name', 'metadata.name'],
    );
    t.equal(await db.prisma.scenario.count(), before);
  });

  await t.test('listing with latest revision and review costs the same number of queries for 3 or 12 rows', async (t) => {
    const query = `{ scenarios(first: 100, labels: {suite: "count"}) { items { name latest { revision review { state } } } nextCursor } }`;
    const create = async (i: number) =>
      gql(`mutation($input: CreateScenarioInput!) { createScenario(input: $input) { scenario { name } } }`, {
        input: { name: `count-${String(i).padStart(2, '0')}`, labels: { suite: 'count' }, resources: service(`s${i}`) },
      });
    const measure = async () => {
      const before = db.queryCount();
      const res = await gql(query);
      return { queries: db.queryCount() - before, items: res.data.scenarios.items };
    };
    for (let i = 0; i < 3; i++) await create(i);
    const few = await measure();
    t.equal(few.items.length, 3);
    for (let i = 3; i < 12; i++) await create(i);
    const many = await measure();
    t.equal(many.items.length, 12);
    t.ok(many.items.every((s: any) => s.latest.revision === 1 && s.latest.review.state === 'draft'));
    t.equal(many.queries, few.queries, `${few.queries} queries either way`);
    t.ok(few.queries <= 4, `a fixed small number (${few.queries})`);
  });

  await t.test('cursor pagination', async (t) => {
    const first = await gql(`{ scenarios(first: 5, labels: {suite: "count"}) { items { name } nextCursor } }`);
    t.equal(first.data.scenarios.items.length, 5);
    const second = await gql(`query($after: String) { scenarios(first: 100, after: $after, labels: {suite: "count"}) { items { name } nextCursor } }`, {
      after: first.data.scenarios.nextCursor,
    });
    t.equal(second.data.scenarios.items.length, 7);
    t.equal(second.data.scenarios.items[0].name, 'count-05');
    t.equal(second.data.scenarios.nextCursor, null);
  });

  await t.test('deleteScenario', async (t) => {
    t.same((await gql(`mutation { deleteScenario(name: "dash") }`)).data, { deleteScenario: true });
    t.equal((await gql(`mutation { deleteScenario(name: "dash") }`)).errors[0].extensions.code, 'NOT_FOUND');
  });

  await t.test('GraphiQL is served outside production', async (t) => {
    const page = await fetch(`${url}/graphiql`);
    t.equal(page.status, 200);
  });
});

t.test('production: no GraphiQL; queries deeper than the limit are refused', async (t) => {
  const { url } = await startTestServer(t, { production: true, graphqlDepth: 3 });
  t.equal((await fetch(`${url}/graphiql`)).status, 404);
  const shallow = await call(url, 'POST', '/graphql', { query: '{ scenarios { items { name } } }' });
  t.same(shallow.body.data, { scenarios: { items: [] } });
  const deep = await call(url, 'POST', '/graphql', { query: '{ scenarios { items { latest { review { state } } } } }' });
  t.match(deep.body.errors[0].message, /depth/i);
  t.notOk(deep.body.data);
});
