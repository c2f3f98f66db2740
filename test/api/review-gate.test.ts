// The approval gate over HTTP against a real PostgreSQL: approving runs the revision's verification
// and refuses with the failures, unless forced with a comment (recorded); each approval keeps the
// Envoy diff summary against the last approved revision; `from` defaults to it; a revision equal to
// its predecessor is not stored again.
//
// Every revision carries one saved expectation, which the gate runs through the engine's verify:
// jason reaches reviews v2.

import t from 'tap';
import { call, startTestServer } from '../support/server.js';
import { readSample } from '../support/samples.js';

const bookinfo = readSample('bookinfo');
const canary5050 = bookinfo.replace(/weight: 90(\s+- destination:\s+host: reviews\s+subset: v2\s+)weight: 10/, 'weight: 50$1weight: 50');
/** jason is sent to v3 instead of v2: the expectation fails. */
const jasonToV3 = canary5050.replace(/(exact: jason\n    route:\n    - destination:\n        host: reviews\n        subset: )v2/, '$1v3');

const V2 = 'outbound|9080|v2|reviews.default.svc.cluster.local';
const EXPECTATIONS = {
  expectations: [
    {
      name: 'jason reaches reviews v2',
      proxy: { pod: 'default/productpage-v1' },
      request: { port: 9080, host: 'reviews:9080', headers: { 'end-user': 'jason' } },
      expect: { cluster: V2 },
    },
  ],
};

t.test('approval gate', async (t) => {
  t.not(jasonToV3, canary5050);
  const { url } = await startTestServer(t);
  const review = (n: number, body: object) => call(url, 'POST', `/api/v1/scenarios/shop/revisions/${n}/review`, body);
  const approve = async (n: number, body: object = {}) => {
    t.equal((await review(n, { state: 'in_review' })).status, 201);
    return review(n, { state: 'approved', reviewer: 'ana', ...body });
  };
  let etag = (await call(url, 'POST', '/api/v1/scenarios', { name: 'shop', resources: bookinfo, expectations: EXPECTATIONS })).headers.get('etag')!;
  const addRevision = async (resources: string, message = '') => {
    const res = await call(url, 'POST', '/api/v1/scenarios/shop/revisions', { resources, message, expectations: EXPECTATIONS }, { 'if-match': etag });
    etag = res.headers.get('etag')!;
    return res;
  };

  await t.test('a revision equal to the latest is not stored again: 200 with the latest', async (t) => {
    const same = await addRevision(bookinfo, 'again');
    t.equal(same.status, 200);
    t.match(same.body, { revision: 1, latestRevision: 1, message: '' });
    t.equal((await call(url, 'GET', '/api/v1/scenarios/shop/revisions')).body.items.length, 1);
  });

  await t.test('the first approval passes verification and has no diff to record', async (t) => {
    const res = await approve(1);
    t.equal(res.status, 201);
    t.match(res.body, { state: 'approved', forced: false, verification: { passed: 1, failed: 0, failures: [] }, envoyDiff: null });
  });

  await t.test('from defaults to the last approved revision', async (t) => {
    t.equal((await addRevision(canary5050)).status, 201);
    t.equal((await addRevision(jasonToV3)).status, 201);
    const res = await call(url, 'GET', '/api/v1/scenarios/shop/envoy-diff?detail=summary');
    t.equal(res.status, 200);
    t.match(res.body, { from: 1, to: 3 }, 'revision 2 is not approved: from is revision 1');
  });

  await t.test('an approval records the Envoy diff summary against the last approved revision', async (t) => {
    const res = await approve(2);
    t.equal(res.status, 201);
    t.match(res.body, { state: 'approved', verification: { passed: 1, failed: 0 }, envoyDiff: { from: 1, to: 2, summary: { changed: 6, unchanged: 1 } } });
    t.match(res.body.envoyDiff.text, /weights v1 90 → 50, v2 10 → 50/);
    const history = await call(url, 'GET', '/api/v1/scenarios/shop/revisions/2/reviews');
    t.match(history.body.items.at(-1), { state: 'approved', envoyDiff: { from: 1 } }, 'kept in the history');
  });

  await t.test('failing verification refuses the approval with the failures; force needs a comment and is recorded', async (t) => {
    const refused = await approve(3);
    t.equal(refused.status, 409);
    t.match(refused.body, {
      status: 409,
      detail: /fails 1 of 1/,
      verification: { passed: 0, failed: 1, failures: [{ name: 'jason reaches reviews v2', failures: [{ field: 'cluster', expected: V2, actual: /\|v3\|/ }] }] },
    });
    const noComment = await review(3, { state: 'approved', force: true });
    t.equal(noComment.status, 400);
    t.match(noComment.body, { errors: [{ path: 'comment' }] });
    const forced = await review(3, { state: 'approved', force: true, comment: 'jason tests v3 this week', reviewer: 'ana' });
    t.equal(forced.status, 201);
    t.match(forced.body, { state: 'approved', forced: true, comment: 'jason tests v3 this week', verification: { failed: 1 }, envoyDiff: { from: 2, to: 3 } });
  });

  await t.test('GraphQL setReview goes through the same gate', async (t) => {
    t.equal((await addRevision(canary5050)).status, 201);
    t.equal((await review(4, { state: 'in_review' })).status, 201);
    const res = await call(url, 'POST', '/graphql', {
      query: 'mutation { setReview(name: "shop", revision: 4, state: approved) { state forced verification envoyDiff } }',
    });
    t.notOk(res.body.errors);
    t.match(res.body.data.setReview, { state: 'approved', forced: false, verification: { passed: 1 }, envoyDiff: { from: 3, to: 4 } });
  });
});
