// Two writers with the same If-Match: one wins, one gets 412, and nothing is lost.

import t from 'tap';
import { call, startTestServer } from '../support/server.js';

const service = (name: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  clusterIP: 10.96.0.9\n  ports:\n  - {name: http, port: 80}\n`;

t.test('concurrent revisions with the same ETag', async (t) => {
  const { url } = await startTestServer(t);
  const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'race', resources: service('v0') });
  t.equal(created.status, 201);
  let etag: string = created.body.etag;

  for (let round = 1; round <= 5; round++) {
    const writers = ['a', 'b', 'c'].map((w) =>
      call(url, 'POST', '/api/v1/scenarios/race/revisions', { resources: service(`${w}${round}`), author: w }, { 'if-match': etag }),
    );
    const results = await Promise.all(writers);
    const statuses = results.map((r) => r.status).sort();
    t.same(statuses, [201, 412, 412], `round ${round}: one writer wins`);
    const winner = results.find((r) => r.status === 201)!;
    t.equal(winner.body.revision, round + 1);
    for (const loser of results.filter((r) => r.status === 412)) {
      t.match(loser.headers.get('content-type'), /problem\+json/);
      t.equal(loser.body.status, 412);
    }
    const latest = await call(url, 'GET', '/api/v1/scenarios/race');
    t.equal(latest.body.revision, round + 1);
    t.equal(latest.body.resources, service(`${winner.body.author}${round}`), "the winner's manifests are the latest");
    etag = latest.body.etag;
  }

  const revisions = await call(url, 'GET', '/api/v1/scenarios/race/revisions');
  t.same(
    revisions.body.items.map((r: any) => r.revision),
    [6, 5, 4, 3, 2, 1],
    'numbers stay 1..n without gaps; every accepted write is kept',
  );
});
