// Prisma's schema engine as WebAssembly, over the pg driver adapter: migrations without
// the CLI's binary download. The package imports its .wasm as an ES module, which Node 20
// only allows behind a flag, so the module is instantiated here by hand with the same glue.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

type Glue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg') & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let glue: Promise<Glue> | undefined;

function loadGlue(): Promise<Glue> {
  glue ??= (async () => {
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as Glue;
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': withUnrefTimers(bg),
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return glue;
}

// The engine races its operations against timers it never clears; unref'd, they no longer
// keep the process alive for their full delay after the work is done.
function withUnrefTimers(bg: Glue): WebAssembly.ModuleImports {
  const imports: WebAssembly.ModuleImports = { ...(bg as unknown as WebAssembly.ModuleImports) };
  for (const name of Object.keys(imports).filter((n) => n.startsWith('__wbg_setTimeout_'))) {
    imports[name] = (callback: () => void, delay: number) => setTimeout(callback, delay >>> 0).unref();
  }
  return imports;
}

export interface SchemaEngineHandle {
  engine: SchemaEngine;
  /** Frees the engine and closes its connection pool. */
  close(): Promise<void>;
}

export async function openSchemaEngine(
  connectionString: string,
  schema: { path: string; content: string },
  log: (message: string) => void = () => {},
): Promise<SchemaEngineHandle> {
  const bg = await loadGlue();
  // The engine never disposes the connections it opens; they are kept here to close them.
  const opened: { dispose(): Promise<void> }[] = [];
  const pg = new PrismaPg({ connectionString });
  const recording: SqlMigrationAwareDriverAdapterFactory = {
    provider: pg.provider,
    adapterName: pg.adapterName,
    connect: async () => remember(await pg.connect()),
    connectToShadowDb: async () => remember(await pg.connectToShadowDb()),
  };
  const remember = <T extends { dispose(): Promise<void> }>(adapter: T): T => (opened.push(adapter), adapter);
  const engine = await bg.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    log,
    bindMigrationAwareSqlAdapterFactory(recording),
  );
  return {
    engine,
    close: async () => {
      engine.free();
      await Promise.all(opened.map((a) => a.dispose()));
    },
  };
}
