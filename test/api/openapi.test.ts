// The OpenAPI document lists the API's operations only, and every body has an example that its
// operation accepts: each example is sent over HTTP and must get a 2xx.

import t from 'tap';
import { call, startTestServer } from '../support/server.js';

t.test('OpenAPI: only API operations; every body has an example that works', async (t) => {
  const { url } = await startTestServer(t);
  const doc = (await call(url, 'GET', '/openapi.json')).body;
  const paths = Object.keys(doc.paths);
  t.notOk(paths.some((p) => /^\/(graphql|graphiql|docs|metrics|openapi)/.test(p)), `no non-API routes (${paths.join(', ')})`);

  const withBody = Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) =>
    Object.entries(ops)
      .filter(([, op]: [string, any]) => op.requestBody)
      .map(([method, op]: [string, any]) => ({ method: method.toUpperCase(), path, media: op.requestBody.content['application/json'] })),
  );
  t.ok(withBody.length >= 9, `${withBody.length} operations take a body`);
  // Creating first gives the other operations a scenario to work on.
  withBody.sort((a, b) => Number(b.path === '/api/v1/scenarios') - Number(a.path === '/api/v1/scenarios'));
  for (const { method, path, media } of withBody) {
    const examples = media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map((e: any) => e.value);
    t.ok(examples.length > 0, `${method} ${path} has an example`);
    const concrete = path.replace('{name}', 'shop').replace('{revision}', '1');
    for (const example of examples) {
      const reply = await call(url, method, concrete, example, path.endsWith('/revisions') ? { 'if-match': '*' } : {});
      t.ok(reply.status >= 200 && reply.status < 300, `${method} ${path} accepts its example (${reply.status} ${reply.body?.detail ?? ''})`);
    }
  }
});
