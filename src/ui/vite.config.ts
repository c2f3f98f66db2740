// The dashboard's build: src/ui → dist/ui (index.html, hashed assets under /ui/assets/), served by src/api/ui.ts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // No inline module-preload polyfill: the CSP allows only the service's own scripts.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
  },
});
