// The store directly: revision numbering, immutability, hashes, the diff, review history.

import t from 'tap';
import { openDatabase } from '../../src/db/index.js';
import { ConflictError, NotFoundError, StaleRevisionError, ValidationError } from '../../src/store/errors.js';
import { ScenarioStore } from '../../src/store/scenarios.js';
import { emptyDatabase } from '../support/server.js';

const vs = (weight: number) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: ${weight}
    - destination: {host: reviews, subset: v2}
      weight: ${100 - weight}
`;
const dr = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`;

t.test('store', async (t) => {
  const db = await openDatabase({ databaseUrl: await emptyDatabase(t), dataDir: '', embeddedPort: 0 });
  t.teardown(() => db.close());
  const store = new ScenarioStore(db.prisma);

  const one = await store.create({ name: 'canary', resources: `${vs(90)}---\n${dr}`, mesh: { a: 1 }, author: 'ana' });
  t.equal(one.revision.number, 1);
  t.equal(one.review.state, 'draft');
  const again = await store.create({ name: 'same-content', resources: `${vs(90)}---\n${dr}`, mesh: { a: 1 } });
  t.equal(again.revision.contentHash, one.revision.contentHash, 'equal content, equal hash');
  t.not(again.revision.etag, one.revision.etag, 'ETags differ between scenarios');
  await t.rejects(store.create({ name: 'canary', resources: dr }), ConflictError);

  const two = await store.addRevision('canary', one.revision.etag, { resources: vs(50), message: 'half' });
  t.equal(two.revision.number, 2);
  t.not(two.revision.contentHash, one.revision.contentHash);
  await t.rejects(store.addRevision('canary', one.revision.etag, { resources: vs(10) }), StaleRevisionError);
  await t.rejects(store.addRevision('canary', two.revision.etag, { resources: 'kind: [' }), ValidationError);
  await t.rejects(store.addRevision('nope', '*', { resources: vs(10) }), NotFoundError);
  const three = await store.addRevision('canary', '*', { resources: vs(0) });
  t.equal(three.revision.number, 3, 'If-Match: * matches the latest');

  const first = await store.revision('canary', 1);
  t.equal(first.manifests, `${vs(90)}---\n${dr}`, 'revision 1 is as it was');
  t.same(first.mesh, { a: 1 });
  t.same((await store.revisionPage('canary', { limit: 50 })).items.map((r) => r.number), [3, 2, 1]);

  const diff = await store.diff('canary', 1, 2);
  t.same(diff.removed, [{ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: 'default', name: 'reviews' }]);
  t.same(diff.added, []);
  t.same(diff.changed[0].changes, [
    { path: 'spec.http[0].route[0].weight', from: 90, to: 50 },
    { path: 'spec.http[0].route[1].weight', from: 10, to: 50 },
  ]);

  await store.setReview('canary', 3, { state: 'in_review', reviewer: 'bo' });
  await store.setReview('canary', 3, { state: 'rejected', reviewer: 'cy', comment: 'too fast' });
  await t.rejects(store.setReview('canary', 3, { state: 'approved' }), ConflictError);
  const history = await store.reviewHistory(three.revision.id);
  t.same(history.map((r) => [r.state, r.reviewer, r.comment]), [
    ['draft', '', ''],
    ['in_review', 'bo', ''],
    ['rejected', 'cy', 'too fast'],
  ]);

  await store.delete('canary');
  await t.rejects(store.revision('canary', 1), NotFoundError);
  t.equal(await db.prisma.revision.count(), 1, 'only the other scenario’s revision is left');
});
