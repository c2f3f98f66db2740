// The engine the bench times: the build (`npm run build`, tsc's output), as `npm start` and the worker
// threads run it, not the TypeScript sources through tsx. tsx's esbuild transform keeps function names
// by wrapping each function it makes in a __name() call (a defineProperty): in the manifest checks, which
// make closures per object, that was half their time (123 against 60 ms for the 1000-service mesh).

const built = async <T>(path: string): Promise<T> => (await import(new URL(`../dist/${path}`, import.meta.url).href)) as T;

export const { compileScenario, readLiveProxyConfig, envoyDiff, checkRoutes } = await built<typeof import('../src/engine.js')>('engine.js');
export const { parseManifests, readDocuments } = await built<typeof import('../src/manifests/index.js')>('manifests/index.js');
export const { buildMeshIndex } = await built<typeof import('../src/mesh/index.js')>('mesh/index.js');
export const { generateXds } = await built<typeof import('../src/xds/index.js')>('xds/index.js');
export const { toConfigDump } = await built<typeof import('../src/xds/configdump.js')>('xds/configdump.js');
export const { buildListeners } = await built<typeof import('../src/xds/listeners/index.js')>('xds/listeners/index.js');
export const { buildRouteConfigs } = await built<typeof import('../src/xds/routes/index.js')>('xds/routes/index.js');
export const { buildClusters } = await built<typeof import('../src/xds/clusters/index.js')>('xds/clusters/index.js');
export const { buildEndpoints } = await built<typeof import('../src/xds/endpoints/index.js')>('xds/endpoints/index.js');
export const { EnginePool } = await built<typeof import('../src/worker/pool.js')>('worker/pool.js');
export const { everyProxy } = await built<typeof import('../src/worker/fan-out.js')>('worker/fan-out.js');
