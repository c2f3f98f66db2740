// A revision that changes one object reuses the previous revision's conversion of every other object
// (src/mesh/reuse.ts): its mesh index and each proxy's config must be those of a compile that reuses
// nothing (objects parsed without reuse are not frozen, so none of them is looked up).

import t from 'tap';
import { parseManifests } from '../../src/manifests/index.js';
import { buildMeshIndex } from '../../src/mesh/index.js';
import type { MeshIndex } from '../../src/mesh/types.js';
import { generateXds } from '../../src/xds/index.js';
import { toConfigDump } from '../../src/xds/configdump.js';
import { syntheticMesh } from '../../bench/mesh.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: ns-1
  labels:
    app: svc-1
    version: v1
spec:
  containers:
  - name: app
    image: example/app
    ports:
    - name: http
      containerPort: 8080`;

const SERVICE_ENTRY = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external
  namespace: ns-2
spec:
  hosts:
  - api.example.com
  ports:
  - number: 443
    name: https
    protocol: HTTPS
  resolution: DNS
  location: MESH_EXTERNAL`;

const base = syntheticMesh(30, 3).replace(/\n$/, '').split('\n---\n').concat(POD);
const text = (docs: string[]) => `${docs.join('\n---\n')}\n`;
/** The document of `kind` named `name`. */
const at = (docs: string[], kind: string, name: string): number => {
  const i = docs.findIndex((d) => d.includes(`kind: ${kind}\n`) && d.includes(`\n  name: ${name}\n`));
  if (i < 0) throw new Error(`no ${kind} ${name}`);
  return i;
};
const changed = (kind: string, name: string, edit: (doc: string) => string): string[] => {
  const docs = [...base];
  const i = at(docs, kind, name);
  docs[i] = edit(docs[i]);
  if (docs[i] === base[i]) throw new Error(`${kind} ${name} unchanged`);
  return docs;
};

/** What a compile gives: the index's services, endpoints, proxies and warnings, and some proxies' config dumps. */
function compiled(yaml: string, reuse: boolean) {
  const parsed = parseManifests(yaml, { reuse });
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new Error(JSON.stringify(errors));
  const index: MeshIndex = buildMeshIndex(parsed.objects, {}, {});
  const endpoints = index.services.flatMap((s) => s.ports.map((p) => [s.hostname, p.name, index.endpoints(s, p)]));
  // A proxy of each namespace, the explicit pod, and the proxies of the changed services.
  const proxies = index.proxies.filter((p, i) => i % 20 === 0 || p.name === 'client' || /^svc-(3|5|7)-/.test(p.name));
  return {
    // As JSON: stricter than t.same (key order too), and much faster on config dumps.
    index: JSON.stringify({ services: index.services, endpoints, proxies: index.proxies, warnings: index.warnings }),
    dumps: proxies.map((p) => JSON.stringify({ proxy: p.id, dump: toConfigDump(generateXds(index, p), p) })),
  };
}

const revisions: [string, string[]][] = [
  ['a Service port changed', changed('Service', 'svc-3', (d) => d.replace('port: 9090', 'port: 9091'))],
  ['a DestinationRule subset changed', changed('DestinationRule', 'svc-5', (d) => d.replace('version: v2', 'version: v3'))],
  ['a Pod label changed', changed('Pod', 'client', (d) => d.replace('version: v1', 'version: v2'))],
  ["a Deployment's pod template label changed", changed('Deployment', 'svc-7-v1', (d) => d.replaceAll('version: v1', 'version: v9'))],
  ['a Deployment scaled up', changed('Deployment', 'svc-4-v2', (d) => d.replace('replicas: 1', 'replicas: 3'))],
  ['a VirtualService deleted', base.filter((_, i) => i !== at(base, 'VirtualService', 'svc-7'))],
  ['a ServiceEntry added', [...base, SERVICE_ENTRY]],
  ['a Namespace label changed', changed('Namespace', 'ns-2', (d) => d.replace('istio-injection: enabled', 'istio-injection: disabled'))],
];

t.test('each revision changing one object compiles as a compile that reuses nothing', async (t) => {
  const first = compiled(text(base), true);
  t.strictSame(first, compiled(text(base), false), 'the first revision');
  t.ok(first.dumps.length >= 5, `${first.dumps.length} proxies compared`);
  for (const [what, docs] of revisions) {
    compiled(text(base), true); // the previous revision, whose conversions the next one reuses
    const incremental = compiled(text(docs), true);
    const full = compiled(text(docs), false);
    t.equal(incremental.index, full.index, `${what}: the mesh index`);
    t.strictSame(incremental.dumps, full.dumps, `${what}: ${full.dumps.length} proxies' config dumps`);
    t.notSame(full, first, `${what}: the compile changed`);
  }
});

t.test('an object given again after another revision is converted as the first time', async (t) => {
  const again = compiled(text(base), true);
  for (const [, docs] of revisions) compiled(text(docs), true);
  t.strictSame(compiled(text(base), true), again);
});
