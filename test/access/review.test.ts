// Identities everywhere: authors and reviewers are the callers, not what the body says; a reader
// cannot write, an editor cannot approve, an author cannot approve their own revision unless an
// admin forces it with a comment; the audit log shows who did each, over REST and GraphQL.

import t from 'tap';
import { MANIFEST, PEOPLE, startAccessServer } from '../support/access.js';

t.test('four eyes over REST, with the audit log', async (t) => {
  const server = await startAccessServer(t);
  const { as } = server;

  t.equal((await as('reader', 'POST', '/api/v1/scenarios', { name: 'shop', resources: MANIFEST })).status, 403, 'a reader cannot write');

  const created = await as('editor', 'POST', '/api/v1/scenarios', { name: 'shop', resources: MANIFEST, author: 'mallory' });
  t.equal(created.status, 201);
  t.equal(created.body.author, PEOPLE.editor, 'the author is the caller, whatever the body says');
  const raw = await as('reviewer', 'POST', '/api/v1/scenarios/shop/revisions?author=mallory', MANIFEST.replace('port: 80', 'port: 81'), { 'if-match': '*' });
  t.equal(raw.status, 201);
  t.equal(raw.body.author, PEOPLE.reviewer, 'a raw manifest body with ?author= too');

  const review = (who: 'editor' | 'reviewer' | 'admin', revision: number, body: Record<string, unknown>) =>
    as(who, 'POST', `/api/v1/scenarios/shop/revisions/${revision}/review`, body);

  const submitted = await review('editor', 1, { state: 'in_review', reviewer: 'mallory' });
  t.equal(submitted.status, 201, 'an editor submits for review');
  t.equal(submitted.body.reviewer, PEOPLE.editor, 'the reviewer recorded is the caller');
  const editorApproves = await review('editor', 1, { state: 'approved' });
  t.equal(editorApproves.status, 403, 'an editor cannot approve');
  t.match(editorApproves.body.detail, /moving a revision to approved needs role reviewer; eva has role editor/);

  const approved = await review('reviewer', 1, { state: 'approved', reviewer: PEOPLE.editor, comment: 'looks right' });
  t.equal(approved.status, 201, 'a reviewer approves what someone else wrote');
  t.equal(approved.body.reviewer, PEOPLE.reviewer);

  t.equal((await review('reviewer', 2, { state: 'in_review' })).status, 201);
  const own = await review('reviewer', 2, { state: 'approved' });
  t.equal(own.status, 403, 'the author cannot approve their own revision');
  t.match(own.body.detail, /rita wrote revision 2 of "shop": another reviewer must approve it \(four eyes\)/);
  t.equal((await review('reviewer', 2, { state: 'rejected' })).status, 201, 'but may reject it');
  t.equal((await review('reviewer', 2, { state: 'in_review' })).status, 201);

  // An admin's own revision: four eyes hold for admins too, unless forced with a comment.
  t.equal((await as('admin', 'POST', '/api/v1/scenarios/shop/revisions', { resources: MANIFEST }, { 'if-match': '*' })).status, 201);
  t.equal((await review('admin', 3, { state: 'in_review' })).status, 201);
  t.equal((await review('admin', 3, { state: 'approved' })).status, 403, 'an admin cannot approve their own revision either');
  const noComment = await review('admin', 3, { state: 'approved', force: true });
  t.equal(noComment.status, 400, 'force needs a comment');
  t.match(noComment.body.errors, [{ path: 'comment', message: /with a comment saying why/ }]);
  t.equal((await review('reviewer', 2, { state: 'approved', force: true, comment: 'me' })).status, 403, 'only an admin may force');
  const forced = await review('admin', 3, { state: 'approved', force: true, comment: 'hotfix, nobody else on call' });
  t.equal(forced.status, 201, 'an admin forces it, saying why');
  t.same([forced.body.reviewer, forced.body.comment], [PEOPLE.admin, 'hotfix, nobody else on call']);

  const audit = await as('admin', 'GET', '/api/v1/audit?limit=500');
  t.equal(audit.status, 200);
  const entries = [...audit.body.items].reverse();
  const line = (e: any) => `${e.actor} ${e.status} ${e.action} ${JSON.stringify(e.detail)}`;
  t.match(entries.map(line), [
    /^rui 403 POST \/api\/v1\/scenarios {}$/, // refused before its body was read
    /^eva 201 POST \/api\/v1\/scenarios /,
    /^rita 201 POST \/api\/v1\/scenarios\/:name\/revisions /,
    /^eva 201 POST .*review .*"state":"in_review"/,
    /^eva 403 POST .*review .*"state":"approved"/,
    /^rita 201 POST .*review .*"state":"approved"/,
    /^rita 201 .*"state":"in_review"/,
    /^rita 403 .*"state":"approved"/,
    /^rita 201 .*"state":"rejected"/,
    /^rita 201 .*"state":"in_review"/,
    /^ada 201 POST \/api\/v1\/scenarios\/:name\/revisions/,
    /^ada 201 .*"in_review"/,
    /^ada 403 .*"approved"/,
    /^ada 400 .*"force":true/,
    /^rita 403 .*"force":true/,
    /^ada 201 (?=.*"state":"approved")(?=.*"force":true)(?=.*"comment":"hotfix, nobody else on call")/,
  ]);
  t.equal(entries.length, 16, 'reads are not audited');
  t.match(entries[0], { via: 'token', role: 'reader', target: '/api/v1/scenarios', ip: '127.0.0.1', requestId: /^[0-9a-f-]{36}$/ });
  t.notOk(JSON.stringify(audit.body).includes('apiVersion'), 'no manifests in the log');

  const mine = await as('admin', 'GET', '/api/v1/audit?actor=eva');
  t.same(mine.body.items.map((e: any) => e.actor), ['eva', 'eva', 'eva']);
  const page = await as('admin', 'GET', '/api/v1/audit?limit=10');
  const next = await as('admin', 'GET', `/api/v1/audit?limit=10&cursor=${page.body.nextCursor}`);
  t.same([page.body.items.length, next.body.items.length, next.body.nextCursor], [10, 6, null], 'pages of the log');
  t.equal((await as('reviewer', 'GET', '/api/v1/audit')).status, 403, 'only admins read the log');
});

t.test('four eyes over GraphQL, with the audit log', async (t) => {
  const server = await startAccessServer(t);
  const { gql } = server;
  const created = await gql('editor', `mutation($input: CreateScenarioInput!) { createScenario(input: $input) { revision { author } } }`, {
    input: { name: 'dash', resources: MANIFEST, author: 'mallory' },
  });
  t.equal(created.data.createScenario.revision.author, PEOPLE.editor);
  const set = (who: 'editor' | 'reviewer' | 'admin', args: string) => gql(who, `mutation { setReview(name: "dash", revision: 1, ${args}) { state reviewer comment } }`);

  t.same((await set('editor', 'state: in_review, reviewer: "mallory"')).data.setReview, { state: 'in_review', reviewer: PEOPLE.editor, comment: '' });
  const editor = await set('editor', 'state: approved');
  t.match(editor.errors[0], { path: ['setReview'], extensions: { code: 'FORBIDDEN', status: 403 }, message: /needs role reviewer/ });

  const added = await gql('admin', `mutation { addRevision(name: "dash", ifMatch: "*", input: {resources: ${JSON.stringify(MANIFEST.replace('port: 80', 'port: 81'))}, author: "x"}) { revision { revision author } } }`);
  t.same(added.data.addRevision.revision, { revision: 2, author: PEOPLE.admin });
  await gql('admin', 'mutation { setReview(name: "dash", revision: 2, state: in_review) { state } }');
  const own = await gql('admin', 'mutation { setReview(name: "dash", revision: 2, state: approved) { state } }');
  t.match(own.errors[0], { extensions: { code: 'FORBIDDEN' }, message: /four eyes/ });
  const noComment = await gql('admin', 'mutation { setReview(name: "dash", revision: 2, state: approved, force: true) { state } }');
  t.match(noComment.errors[0], { extensions: { code: 'BAD_USER_INPUT', problems: [{ path: 'comment' }] } });
  const forced = await gql('admin', 'mutation { setReview(name: "dash", revision: 2, state: approved, force: true, comment: "release night") { state reviewer } }');
  t.same(forced.data.setReview, { state: 'approved', reviewer: PEOPLE.admin });
  t.same((await set('reviewer', 'state: approved')).data.setReview, { state: 'approved', reviewer: PEOPLE.reviewer, comment: '' });

  const log = await gql('admin', '{ auditLog(first: 20) { items { actor role via action target status detail } nextCursor } }');
  t.match([...log.data.auditLog.items].reverse(), [
    { actor: 'eva', action: 'mutation createScenario', target: 'dash', status: 200, detail: { name: 'dash' } },
    { actor: 'eva', action: 'mutation setReview', status: 200, detail: { state: 'in_review' } },
    { actor: 'eva', action: 'mutation setReview', status: 403, detail: { state: 'approved' } },
    { actor: 'ada', action: 'mutation addRevision', status: 200 },
    { actor: 'ada', action: 'mutation setReview', status: 200 },
    { actor: 'ada', action: 'mutation setReview', status: 403 },
    { actor: 'ada', action: 'mutation setReview', status: 400, detail: { force: true } },
    { actor: 'ada', action: 'mutation setReview', status: 200, detail: { state: 'approved', force: true, comment: 'release night' } },
    { actor: 'rita', role: 'reviewer', via: 'token', action: 'mutation setReview', status: 200 },
  ]);
  t.equal(log.data.auditLog.items.length, 9);
  const refused = await gql('reviewer', '{ auditLog { items { actor } } }');
  t.match(refused, { data: null, errors: [{ extensions: { code: 'FORBIDDEN' } }] });
});

t.test('with access control off, the body still names author and reviewer', async (t) => {
  const { startTestServer, call } = await import('../support/server.js');
  const { url } = await startTestServer(t);
  const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'open', resources: MANIFEST, author: 'li' });
  t.equal(created.body.author, 'li');
  const approved = await call(url, 'POST', '/api/v1/scenarios/open/revisions/1/review', { state: 'in_review', reviewer: 'li' });
  t.equal(approved.body.reviewer, 'li');
  t.same((await call(url, 'GET', '/api/v1/me')).body, { name: 'anonymous', role: 'admin', via: 'open' });
});
