// GraphiQL from this service's own files: React 18 and GraphiQL 3 (the last releases with browser
// bundles, UMD), read from node_modules at start-up. Mercurius' own page loads them from a CDN and is
// blank offline; this one loads nothing from another host.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const ASSETS = {
  'react.js': ['react', 'umd/react.production.min.js', 'text/javascript'],
  'react-dom.js': ['react-dom', 'umd/react-dom.production.min.js', 'text/javascript'],
  'graphiql.js': ['graphiql', 'graphiql.min.js', 'text/javascript'],
  'graphiql.css': ['graphiql', 'graphiql.min.css', 'text/css'],
} as const;

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>meshplan GraphiQL</title>
  <meta name="robots" content="noindex">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css">
  <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script src="/graphiql/assets/start.js"></script>
</body>
</html>
`;

/** A file, not an inline script: the CSP allows only the service's own scripts. */
const START = `const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).href });
ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, { fetcher }));
`;

export async function registerGraphiQL(app: FastifyInstance): Promise<void> {
  const require = createRequire(import.meta.url);
  const files = Object.fromEntries(
    await Promise.all(
      // Through each package's package.json: their exports maps do not list the bundles.
      Object.entries(ASSETS).map(async ([name, [pkg, file, type]]) => {
        const body = await readFile(join(dirname(require.resolve(`${pkg}/package.json`)), file));
        return [name, { body, type }] as const;
      }),
    ),
  );
  files['start.js'] = { body: Buffer.from(START), type: 'text/javascript' };
  app.get('/graphiql', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get<{ Params: { file: string } }>('/graphiql/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const file = files[request.params.file];
    if (!file) return reply.callNotFound();
    return reply.type(`${file.type}; charset=utf-8`).header('cache-control', 'public, max-age=86400').send(file.body);
  });
}
