// A revision that changes one object reuses what the previous revision's compile read and checked of
// every other document (src/manifests/fast-yaml.ts, parseManifests' per-document checks): the result
// must be the same as a compile that reuses nothing, down to each proxy's xDS.

import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { parseManifests } from '../../src/manifests/index.js';
import { buildMeshIndex } from '../../src/mesh/index.js';
import { generateXds } from '../../src/xds/index.js';
import { compileScenario } from '../../src/engine.js';
import { readSample } from '../support/samples.js';
import { syntheticMesh } from '../../bench/mesh.js';

const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** Everything a compile reads of the manifests, and the xDS of every `every`-th proxy of the index built from them. */
function compiled(text: string, reuse: boolean, every = 1) {
  const parsed = parseManifests(text, { reuse });
  const index = buildMeshIndex(parsed.objects, {}, {});
  return {
    parsed: JSON.stringify(parsed),
    xds: index.proxies.filter((_, i) => i % every === 0).map((p) => digest(generateXds(index, p))),
  };
}

function assertSame(t: Test, text: string, what: string, every = 1) {
  const incremental = compiled(text, true, every);
  const full = compiled(text, false, every);
  t.equal(incremental.parsed, full.parsed, `${what}: objects, documents and problems`);
  t.ok(full.xds.length > 0, `${what}: ${full.xds.length} proxies`);
  t.ok(incremental.xds.every((x, i) => x === full.xds[i]) && incremental.xds.length === full.xds.length, `${what}: every proxy's xDS`);
}

t.test('bookinfo: one object changed, one added at the front, one removed: as a full compile', async (t) => {
  const base = readSample('bookinfo');
  compiled(base, true); // the previous revision
  t.match(base, /weight: 90/, 'the sample has a weighted route to change');
  const changed = base.replace('weight: 90', 'weight: 80').replace('weight: 10', 'weight: 20');
  t.not(changed, base);
  assertSame(t, changed, 'one VirtualService changed');
  // Every document moves one place down: nothing of the checks is reused, the values are (frozen, so copied to check).
  const added = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n---\n${changed}`;
  assertSame(t, added, 'a document added in front');
  const docs = changed.split('\n---\n');
  assertSame(t, docs.slice(1).join('\n---\n'), 'the first document removed');
});

t.test('problems found in a reused document are reported again, with its document and path', async (t) => {
  const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  unknownField: 1
  http:
  - route:
    - destination:
        host: reviews
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unused
`;
  const first = parseManifests(text);
  const again = parseManifests(text);
  t.ok(first.problems.length >= 2, 'an unknown field and an unused kind');
  t.same(again.problems, first.problems);
  t.same(again.problems, parseManifests(text, { reuse: false }).problems);
  t.not(again.problems[0], first.problems[0], 'each parse has its own problem objects');
});

t.test('a 200-service synthetic mesh: a changed DestinationRule recompiles as a full compile does', async (t) => {
  const base = syntheticMesh(200);
  parseManifests(base);
  const changed = base.replace('http2MaxRequests: 1000', 'http2MaxRequests: 7');
  t.not(changed, base);
  assertSame(t, changed, 'one DestinationRule changed', 40);
  // The engine's own compile of the new revision reads the same objects.
  t.same(compileScenario({ resources: changed }).index.proxies.length, buildMeshIndex(parseManifests(changed, { reuse: false }).objects, {}, {}).proxies.length);
});

t.test('reused values are frozen: no reader can change them for another revision', async (t) => {
  const text = readSample('httpbin');
  const parsed = parseManifests(text);
  t.ok(parsed.objects.length > 0);
  t.ok(parsed.objects.every((o) => Object.isFrozen(o) && Object.isFrozen(o.metadata)), 'objects and their metadata');
  t.ok(parsed.objects.filter((o) => o.spec).every((o) => Object.isFrozen(o.spec)), 'specs');
});
