// Property-based fuzzing (fast-check) of the three doors: the manifest parser and engine, the REST and
// GraphQL inputs over a real port and PostgreSQL, and the command line's flags. Whatever comes in:
// no crash, no 5xx, and nothing stored from a refused request. Iterations are bounded to keep CI short;
// a failure prints the seed and the shrunk input to replay it.

import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import t from 'tap';
import { compileScenario, InputError } from '../../src/engine.js';
import { LimitError } from '../../src/limits.js';
import { parseManifests } from '../../src/manifests/index.js';
import { call, startTestServer } from '../support/server.js';
import { readSample, repoRoot } from '../support/samples.js';

const KINDS: [string, string][] = [
  ['v1', 'Namespace'], ['v1', 'Service'], ['v1', 'Pod'], ['apps/v1', 'Deployment'], ['v1', 'Endpoints'],
  ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1', 'DestinationRule'], ['networking.istio.io/v1', 'Gateway'],
  ['networking.istio.io/v1', 'ServiceEntry'], ['networking.istio.io/v1', 'Sidecar'], ['security.istio.io/v1', 'PeerAuthentication'],
  ['networking.k8s.io/v1', 'Ingress'], ['gateway.networking.k8s.io/v1', 'HTTPRoute'], ['gateway.networking.k8s.io/v1', 'Gateway'],
  ['gateway.networking.k8s.io/v1', 'GRPCRoute'], ['gateway.networking.k8s.io/v1alpha2', 'TCPRoute'], ['gateway.networking.k8s.io/v1', 'TLSRoute'],
  ['gateway.networking.k8s.io/v1beta1', 'ReferenceGrant'], ['v1', 'List'],
];

/** Strings with the characters that break things: NUL, surrogates, YAML and JSON syntax, wildcards, long runs. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', '__proto__', '*', '*.', '&a', '*a', '!!set', '!foo', '<<', '---', '{', '[', '"', "'", ':', '- ', '\t', '\r\n', 'NaN', '1e400', '-1', '0x10', '~', 'null'),
  fc.integer({ min: 1, max: 5000 }).map((n) => 'a'.repeat(n)),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(nasty, tie('v'), { maxKeys: 4 })),
})).v;
/** Kubernetes-shaped objects with arbitrary fields: get past the first checks, into the schemas and the engine. */
const object = fc.record({
  kind: fc.constantFrom(...KINDS),
  name: fc.oneof(fc.constantFrom('web', 'a', 'reviews'), nasty),
  namespace: fc.option(fc.constantFrom('default', 'shop', 'istio-system'), { nil: undefined }),
  spec: value,
  extra: fc.dictionary(fc.constantFrom('items', 'subsets', 'data'), value, { maxKeys: 1 }),
}).map(({ kind, name, namespace, spec, extra }) => ({ apiVersion: kind[0], kind: kind[1], metadata: { name, ...(namespace ? { namespace } : {}) }, spec, ...extra }));

/** Only refusals the APIs turn into 4xx may come out of the engine. */
function engineSurvives(resources: string | unknown[]): boolean {
  try {
    const parsed = parseManifests(resources);
    if (!Array.isArray(parsed.problems)) return false;
    const scenario = compileScenario({ resources });
    for (const p of scenario.index.proxies.slice(0, 3)) scenario.translate({ pod: p.pod ?? `${p.namespace}/${p.name}` });
    scenario.translate({ type: 'sidecar', namespace: 'default' });
    return true;
  } catch (e) {
    if (e instanceof InputError || e instanceof LimitError) return true;
    throw e;
  }
}

t.test('the manifest parser and engine: arbitrary text, arrays, objects and mutated samples', async (t) => {
  const sample = readSample('bookinfo');
  const runs = { text: 300, arrays: 200, objects: 300, mutated: 150 };
  fc.assert(fc.property(fc.string({ maxLength: 2000 }), (text) => engineSurvives(text)), { numRuns: runs.text });
  fc.assert(fc.property(fc.array(value, { maxLength: 5 }), (items) => engineSurvives(items)), { numRuns: runs.arrays });
  fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 6 }), (objects) => engineSurvives(objects)), { numRuns: runs.objects });
  const mutation = fc.array(fc.tuple(fc.nat({ max: sample.length - 1 }), fc.nat({ max: 20 }), nasty), { minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(mutation, (edits) => {
      let text = sample;
      for (const [at, cut, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
      return engineSurvives(text);
    }),
    { numRuns: runs.mutated },
  );
  t.comment(`engine: ${Object.values(runs).reduce((a, b) => a + b)} fuzzed inputs, no crash`);
  // Found by this fuzzer: a route entry without `destination` (a warning only) crashed route generation.
  t.ok(engineSurvives(sample.replace(/- destination:/g, '- ~destination:')), 'route entries without a destination');
  // And a Service or ServiceEntry port without its number (a warning only) crashed endpoint generation.
  t.ok(engineSurvives(sample.replace(/^(\s+)port: 80$/m, '$1aport: 80')), 'a Service port without a number');
  t.ok(engineSurvives(sample.replace(/^(\s+)number: /gm, '$1numbr: ')), 'ServiceEntry and Gateway ports without a number');
});

const CONTENT_TYPES = ['application/json', 'application/yaml', 'text/yaml', 'application/json; charset=latin1', 'text/plain', 'application/octet-stream', ''];
const ROUTES = [
  ['POST', '/api/v1/scenarios'], ['POST', '/api/v1/scenarios?name=fz'], ['POST', '/api/v1/scenarios/fz/revisions'], ['POST', '/api/v1/translate'],
  ['POST', '/api/v1/trace'], ['POST', '/api/v1/proxy-config'], ['POST', '/api/v1/scenarios/fz/translate'], ['POST', '/api/v1/scenarios/fz/trace'],
  ['POST', '/api/v1/scenarios/fz/revisions/1/review'], ['GET', '/api/v1/scenarios'], ['GET', '/api/v1/scenarios/fz'], ['GET', '/api/v1/scenarios/fz/diff'],
  ['GET', '/api/v1/scenarios/fz/revisions'], ['DELETE', '/api/v1/scenarios/fz'], ['POST', '/graphql'],
] as const;

const GRAPHQL = [
  '{ scenarios { items { name } } }', 'mutation($input: CreateScenarioInput!) { createScenario(input: $input) { scenario { name } } }',
  '{ scenario(name: "fz") { latest { translate { warnings } } } }', '{ scenario(name: "fz") { revisions(first: 3) { revision } } }',
  'mutation($r: Int!) { setReview(name: "fz", revision: $r, state: approved) { state } }', '{ diff(name: "fz", from: 1) { unchanged } }',
  '{ __typename }', '{ scenario(name: "fz") { at(revision: 1) { trace(proxy: {type: sidecar}, request: {port: 80}) { flow } } } }',
];

t.test('REST and GraphQL over HTTP: arbitrary bodies, content types, query strings; no 5xx, nothing stored when refused', async (t) => {
  const { url, store } = await startTestServer(t);
  const body = fc.oneof(
    value.map((v) => JSON.stringify(v) ?? 'null'),
    fc.string({ maxLength: 500 }),
    fc.record({ name: fc.oneof(fc.constant('fz'), nasty), resources: fc.oneof(fc.array(object, { maxLength: 3 }), nasty), mesh: value, message: nasty }).map((b) => JSON.stringify(b)),
    fc.record({ query: fc.oneof(fc.constantFrom(...GRAPHQL), nasty, value), variables: fc.oneof(value, fc.record({ input: fc.record({ name: nasty, resources: fc.array(object, { maxLength: 2 }) }), r: fc.integer() })) }).map((b) => JSON.stringify(b)),
  );
  const query = fc.dictionary(fc.constantFrom('revision', 'limit', 'cursor', 'from', 'to', 'label', 'name'), nasty, { maxKeys: 3 });
  let requests = 0;
  let fiveHundreds = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...ROUTES), body, fc.constantFrom(...CONTENT_TYPES), query, async ([method, path], text, type, params) => {
      const before = await store.count();
      const search = new URLSearchParams(params as Record<string, string>).toString();
      const target = `${url}${path}${search ? (path.includes('?') ? '&' : '?') + search : ''}`;
      const res = await fetch(target, { method, headers: { ...(type ? { 'content-type': type } : {}), 'if-match': '*' }, ...(method === 'GET' || method === 'DELETE' ? {} : { body: text }) });
      const answer = await res.text();
      requests++;
      if (res.status >= 500) fiveHundreds++;
      if (res.status >= 500) throw new Error(`${method} ${target} (${type}) ${text.slice(0, 200)} → ${res.status} ${answer.slice(0, 300)}`);
      if (res.status >= 400 && method !== 'DELETE' && (await store.count()) > before) throw new Error(`refused (${res.status}) yet stored: ${method} ${path} ${text.slice(0, 200)}`);
      // Keep the mesh small for the next run: a scenario created by a run is removed.
      if ((await store.count()) > 0) await call(url, 'DELETE', '/api/v1/scenarios/fz');
    }),
    { numRuns: 250 },
  );
  t.comment(`HTTP: ${requests} fuzzed requests over ${ROUTES.length} routes, ${fiveHundreds} answered 5xx`);
  t.equal(fiveHundreds, 0);
});

t.test('the command line: arbitrary flags exit 0, 1 or 2 with a message, never a stack trace', async (t) => {
  const flag = fc.oneof(
    fc.constantFrom('--proxy', '--port', '--mesh', '--kind', '--header', '--mode', '--tls', '--protocol', '--address', '--json', '--bogus', '-f', '-x'),
    nasty,
  );
  const command = fc.constantFrom('proxies', 'translate', 'proxy-config', 'trace', 'nope', '');
  let runs = 0;
  fc.assert(
    fc.property(command, fc.array(flag, { maxLength: 6 }), (cmd, flags) => {
      const args = [cmd, '-f', 'samples/bookinfo', ...flags].filter((a) => !a.includes('\u0000'));
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
      runs++;
      if (![0, 1, 2].includes(r.status ?? -1)) throw new Error(`meshplan ${args.join(' ')} exited ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(0, 300)}`);
      if (/\n\s+at .+:\d+:\d+\)?\n/.test(r.stderr)) throw new Error(`meshplan ${args.join(' ')} printed a stack trace: ${r.stderr.slice(0, 500)}`);
    }),
    { numRuns: 4 },
  );
  t.comment(`command line: ${runs} fuzzed invocations`);
  t.pass();
});
