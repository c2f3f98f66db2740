// The dashboard (src/ui, built by Vite into dist/ui): its page at / and its assets under /ui/,
// from the package itself, nothing from another host. The page routes inside itself (#/...), so no
// UI path can shadow an API one. Without a built UI (dist/ui missing), / says how to build it.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

export async function registerDashboard(app: FastifyInstance): Promise<void> {
  const page = await readFile(`${UI_DIR}index.html`).catch(() => undefined);
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    if (!page) return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build` (npm ci does).\n');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  });
  if (!page) return;
  // Vite names the assets by content hash, so they may be kept.
  await app.register(fastifyStatic, { root: `${UI_DIR}assets`, prefix: '/ui/assets/', decorateReply: false, index: false, maxAge: '1d', immutable: true });
}
