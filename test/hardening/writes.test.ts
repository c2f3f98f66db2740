// Writes under load: `If-Match: *` writers take turns instead of failing, and writes that meet a
// busy event loop (a long translation in the same process) still commit instead of a 500.

import t from 'tap';
import { call, startTestServer } from '../support/server.js';

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{name: http, port: 80}]}\n`;

t.test('concurrent If-Match: * writers all succeed, numbered 2..n+1 without gaps', async (t) => {
  const { url } = await startTestServer(t);
  t.equal((await call(url, 'POST', '/api/v1/scenarios', { name: 'star', resources: service('v0') })).status, 201);
  const writers = Array.from({ length: 12 }, (_, i) =>
    call(url, 'POST', '/api/v1/scenarios/star/revisions', { resources: service(`w${i}`), author: `w${i}` }, { 'if-match': '*' }),
  );
  const results = await Promise.all(writers);
  t.same(results.map((r) => r.status), Array(12).fill(201), 'no 412 for If-Match: *');
  t.same(results.map((r) => r.body.revision).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 2));
  const listed = await call(url, 'GET', '/api/v1/scenarios/star/revisions?limit=200');
  t.equal(listed.body.items.length, 13, 'every acknowledged write is kept');
});

t.test('writes and reviews meeting a busy event loop commit, no 500', async (t) => {
  const { url } = await startTestServer(t);
  t.equal((await call(url, 'POST', '/api/v1/scenarios', { name: 'busy', resources: service('v0') })).status, 201);
  const writes = [
    ...Array.from({ length: 16 }, (_, i) =>
      call(url, 'POST', '/api/v1/scenarios/busy/revisions', { resources: service(`b${i}`) }, { 'if-match': '*' }),
    ),
    call(url, 'POST', '/api/v1/scenarios/busy/revisions/1/review', { state: 'in_review', reviewer: 'ana' }),
  ];
  // Hold the event loop in turns, as long translations on it would, while the transactions queue.
  for (let turn = 0; turn < 4; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      // busy
    }
  }
  const results = await Promise.all(writes);
  t.same(results.map((r) => r.status), Array(17).fill(201), JSON.stringify(results.filter((r) => r.status >= 500).map((r) => r.body)));
});

t.test('revisions are listed a page at a time without reading manifests, in REST and GraphQL', async (t) => {
  const { url } = await startTestServer(t);
  const big = `${service('v0')}# ${'x'.repeat(1024 * 1024)}\n`;
  t.equal((await call(url, 'POST', '/api/v1/scenarios', { name: 'paged', resources: big })).status, 201);
  for (let i = 1; i < 7; i++) {
    t.equal((await call(url, 'POST', '/api/v1/scenarios/paged/revisions', { resources: big.replace('v0', `v${i}`) }, { 'if-match': '*' })).status, 201);
  }
  const first = await call(url, 'GET', '/api/v1/scenarios/paged/revisions?limit=3');
  t.same(first.body.items.map((r: { revision: number }) => r.revision), [7, 6, 5]);
  t.ok(JSON.stringify(first.body).length < 5000, 'a small answer');
  const second = await call(url, 'GET', `/api/v1/scenarios/paged/revisions?limit=3&cursor=${first.body.nextCursor}`);
  t.same(second.body.items.map((r: { revision: number }) => r.revision), [4, 3, 2]);
  const last = await call(url, 'GET', `/api/v1/scenarios/paged/revisions?limit=3&cursor=${second.body.nextCursor}`);
  t.same(last.body.items.map((r: { revision: number }) => r.revision), [1]);
  t.equal(last.body.nextCursor, null);
  t.equal((await call(url, 'GET', '/api/v1/scenarios/paged/revisions?cursor=bogus')).status, 400, 'a cursor not from the API');

  const gql = await call(url, 'POST', '/graphql', { query: '{ scenario(name: "paged") { revisions(first: 2, before: 5) { revision message } } }' });
  t.same(gql.body.data.scenario.revisions.map((r: { revision: number }) => r.revision), [4, 3]);
});

t.test('mixed load: writers, translations and reads at once, no 5xx', async (t) => {
  const { url } = await startTestServer(t);
  t.equal((await call(url, 'POST', '/api/v1/scenarios', { name: 'mixed', resources: service('v0') })).status, 201);
  const mesh = Array.from({ length: 40 }, (_, i) => service(`s${i}`).replace('metadata: {name:', `metadata: {namespace: default, name:`)).join('---\n');
  const work = Array.from({ length: 30 }, (_, i) => {
    switch (i % 5) {
      case 0:
        return call(url, 'POST', '/api/v1/scenarios/mixed/revisions', { resources: service(`m${i}`) }, { 'if-match': '*' });
      case 1:
        return call(url, 'POST', '/api/v1/translate', { resources: mesh, proxy: { type: 'sidecar', namespace: 'default' } });
      case 2:
        return call(url, 'POST', '/api/v1/scenarios/mixed/revisions/1/review', { state: i % 2 ? 'in_review' : 'draft' });
      case 3:
        return call(url, 'GET', '/api/v1/scenarios/mixed/revisions?limit=5');
      default:
        return call(url, 'POST', '/graphql', { query: '{ scenario(name: "mixed") { latest { revision translate { warnings } } revisions(first: 3) { revision } } }' });
    }
  });
  const results = await Promise.all(work);
  t.same(results.filter((r) => r.status >= 500).map((r) => r.body), [], 'no 5xx');
  // Review-state conflicts, and heavy requests past the engine pool's in-flight bound (429, with Retry-After).
  t.ok(results.every((r) => r.status < 400 || r.status === 409 || r.status === 429), 'only review-state conflicts and the in-flight bound refuse');
  t.ok(results.filter((r) => r.status === 429).every((r) => r.headers.get('retry-after')), 'a 429 says when to retry');
  const listed = await call(url, 'GET', '/api/v1/scenarios/mixed/revisions?limit=200');
  t.equal(listed.body.items.length, 7, 'every write kept');
});
