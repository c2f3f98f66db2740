// The policy table covers everything: every route the app registers and every GraphQL root
// field has a rule. A route or field added without one needs admin at run time (fail closed);
// this test names it, so whoever adds or merges it decides who may call it.

import t from 'tap';
import { GRAPHQL_RULES, isWrite, listedRule, ruleFor } from '../../src/access/policy.js';
import { startTestServer } from '../support/server.js';

t.test('every registered route and GraphQL root field has an access rule', async (t) => {
  const { app } = await startTestServer(t);
  const routes = [...new Set(app.access.routes)];
  t.ok(routes.includes('POST /api/v1/scenarios') && routes.includes('GET /docs/json'), `the route list is the app's (${routes.length} routes)`);
  for (const route of routes) {
    const [method, url] = [route.slice(0, route.indexOf(' ')), route.slice(route.indexOf(' ') + 1)];
    t.ok(listedRule(method, url), `${route} has a rule in src/access/policy.ts`);
  }

  const schema = app.graphql.schema;
  const fields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
    type ? Object.keys(type.getFields()).map((name) => `${type.name}.${name}`) : [],
  );
  for (const field of fields) t.ok(GRAPHQL_RULES[field], `${field} has a rule in GRAPHQL_RULES`);
  t.ok(fields.length >= 9, `${fields.length} root fields`);
});

t.test('unlisted routes need admin; writes and reads are told apart', async (t) => {
  t.equal(listedRule('POST', '/api/v1/something-new'), undefined);
  t.equal(ruleFor('POST', '/api/v1/something-new'), 'admin');
  t.equal(ruleFor('HEAD', '/api/v1/scenarios'), 'reader', 'HEAD follows GET');
  t.equal(ruleFor('GET', '/docs/static/index.html'), 'open');
  t.equal(ruleFor('GET', '/docsx'), 'admin', 'only the folder itself is open');
  t.ok(isWrite('POST', '/api/v1/scenarios/:name/revisions'));
  t.ok(isWrite('POST', '/api/v1/something-new'), 'an unlisted POST is audited');
  t.notOk(isWrite('POST', '/api/v1/translate'), 'a computation writes nothing');
  t.notOk(isWrite('GET', '/api/v1/audit'));
  t.notOk(isWrite('POST', '/graphql'), 'GraphQL mutations are audited by field');
});
