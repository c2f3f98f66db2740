// everyProxy: a scenario's proxies dealt into one batch per worker thread and back in the mesh's order,
// each summarised as the engine translates it in-process.

import t from 'tap';
import { compileScenario } from '../../src/engine.js';
import { engineOptions } from '../../src/config.js';
import { EnginePool } from '../../src/worker/pool.js';
import { everyProxy } from '../../src/worker/fan-out.js';
import { generateXds } from '../../src/xds/index.js';
import { syntheticMesh } from '../../bench/mesh.js';
import { readSample } from '../support/samples.js';

const expected = (resources: string) => {
  const scenario = compileScenario({ resources });
  return scenario.index.proxies.map((p) => {
    const xds = generateXds(scenario.index, p);
    return { id: p.id, type: p.type, namespace: p.namespace, name: p.name, listeners: xds.listeners.length, routes: xds.routes.length, clusters: xds.clusters.length, endpoints: xds.endpoints.length };
  });
};

for (const threads of [0, 2]) {
  t.test(`${threads} worker threads: every proxy, in the mesh's order, as in-process`, async (t) => {
    // Threads load the engine from TypeScript here: on a loaded machine that alone can take longer than the default budget.
    const pool = new EnginePool({ ...engineOptions({}), threads, timeBudgetMs: 600_000 });
    t.teardown(() => pool.close());
    for (const [name, resources] of [['bookinfo', readSample('bookinfo')], ['30 services', syntheticMesh(30)]] as const) {
      const want = expected(resources);
      t.ok(want.length > 3, `${name}: ${want.length} proxies`);
      const got = await everyProxy(pool, { input: { resources } });
      t.same(got.proxies, want, `${name}: each proxy's resources`);
      t.equal(got.heapUsed.length, Math.max(1, threads), 'one batch per thread');
    }
  });
}
