// /metrics in Prometheus' text format: HTTP durations by route pattern and status, engine operations
// and stages, the worker threads' compiled-scenario cache (a hit on the second call), the database pool.

import t from 'tap';
import { readSample } from '../support/samples.js';
import { call, startTestServer } from '../support/server.js';

t.test('/metrics', async (t) => {
  const server = await startTestServer(t, { engine: { threads: 1 } });
  const body = { resources: readSample('bookinfo'), proxy: { pod: 'default/productpage-v1' } };
  t.equal((await call(server.url, 'POST', '/api/v1/translate', body)).status, 200);
  t.equal((await call(server.url, 'POST', '/api/v1/translate', body)).status, 200);
  t.equal((await call(server.url, 'GET', '/api/v1/scenarios/nothing')).status, 404);

  const res = await fetch(`${server.url}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  t.equal(value(/meshplan_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/translate",status="200"\} (\d+)/), 2, 'by route and status');
  t.equal(value(/meshplan_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/scenarios\/:name",status="404"\} (\d+)/), 1, 'the route pattern, not the path');
  t.equal(value(/meshplan_engine_operation_duration_seconds_count\{operation="translate",outcome="ok"\} (\d+)/), 2);
  for (const stage of ['parse', 'index', 'xds']) {
    t.ok(value(new RegExp(`meshplan_engine_stage_duration_seconds_count\\{stage="${stage}"\\} (\\d+)`)) >= 1, `stage ${stage}`);
  }
  t.equal(value(/meshplan_compiled_scenario_cache_lookups_total\{result="hit"\} (\d+)/), 1, 'the second call hit the cache');
  t.equal(value(/meshplan_compiled_scenario_cache_lookups_total\{result="miss"\} (\d+)/), 1);
  t.ok(value(/meshplan_compiled_scenario_cache_bytes (\d+)/) > 0, 'cache size in bytes');
  t.equal(value(/meshplan_compiled_scenario_cache_entries (\d+)/), 1);
  t.ok(value(/meshplan_db_pool_connections\{state="total"\} (\d+)/) >= 1, 'database pool');
  t.match(text, /meshplan_nodejs_eventloop_lag_seconds/, "Node's own");
});
