// GraphiQL works offline: the page and its scripts come from this service, nothing from another host.

import t from 'tap';
import { startTestServer } from '../support/server.js';

t.test('GraphiQL from local assets', async (t) => {
  const { url } = await startTestServer(t);
  const page = await fetch(`${url}/graphiql`);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /text\/html/);
  const html = await page.text();
  t.notMatch(html, /(src|href)="(https?:)?\/\//, 'no script or style from another host');
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  t.same(assets.sort(), ['/graphiql/assets/graphiql.css', '/graphiql/assets/graphiql.js', '/graphiql/assets/react-dom.js', '/graphiql/assets/react.js', '/graphiql/assets/start.js']);
  for (const asset of assets) {
    const res = await fetch(url + asset);
    t.equal(res.status, 200, asset);
    t.match(res.headers.get('content-type'), asset.endsWith('.css') ? /text\/css/ : /text\/javascript/);
    const text = await res.text();
    t.ok(text.length > (asset.endsWith('start.js') ? 100 : 1000), `${asset} has content`);
    if (asset.endsWith('graphiql.js')) t.match(text, /createFetcher/, 'the GraphiQL bundle');
  }
  t.equal((await fetch(`${url}/graphiql/assets/other.js`)).status, 404);
});
