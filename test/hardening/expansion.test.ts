// Input that expands (replicas, delegation, regexes, ports, servers, wildcard hosts, a proxy's routes and
// clusters) is refused before the work runs, naming the object and the limit, or answers in linear time.

import { performance } from 'node:perf_hooks';
import t from 'tap';
import { compileScenario, InputError } from '../../src/engine.js';
import { DEFAULT_LIMITS, LimitError, readLimits } from '../../src/limits.js';
import { parseManifests } from '../../src/manifests/index.js';
import { inputLimitProblems } from '../../src/manifests/limits.js';
import { generateXds } from '../../src/xds/index.js';

const yaml = (...docs: string[]) => docs.join('\n---\n');
const errors = (text: string) => parseManifests(text).problems.filter((p) => p.severity === 'error');

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}`;

t.test('replicas past the limit: refused in milliseconds, naming the Deployment, the field and the variable', async (t) => {
  const start = performance.now();
  const problems = errors(deployment(1_000_000));
  t.ok(performance.now() - start < 1000, 'answered before any pod is made');
  t.match(problems, [{ document: 0, kind: 'Deployment', object: 'shop/web', path: 'spec.replicas', message: /1000000, more than the limit of 100 \(MAX_REPLICAS\)/ }]);
  t.same(errors(deployment(DEFAULT_LIMITS.maxReplicas)), [], 'the limit itself is allowed');
});

t.test('pods of the whole input are bounded too', async (t) => {
  const docs = Array.from({ length: 3 }, (_, i) => deployment(100).replace('name: web,', `name: web${i},`));
  const parsed = parseManifests(yaml(...docs));
  t.same(parsed.problems, []);
  const located = parsed.objects.map((object, document) => ({ object, document, prefix: '' }));
  t.match(inputLimitProblems(located, readLimits({ MAX_PODS: '250' })), [
    { path: 'resources', message: 'the number of pods of the input is 300, more than the limit of 250 (MAX_PODS)' },
  ]);
  t.throws(() => readLimits({ MAX_PODS: 'lots' }), /MAX_PODS must be a positive integer/);
});

t.test('VirtualService delegation fan-out past the limit names the root VirtualService', async (t) => {
  const matches = (n: number) => `[${Array.from({ length: n }, (_, i) => `{uri: {prefix: /p${i}}}`).join(', ')}]`;
  const root = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: shop}
spec:
  hosts: [web.shop.svc.cluster.local]
  http:
${Array.from({ length: 20 }, () => `  - match: ${matches(10)}\n    delegate: {name: leaf}`).join('\n')}`;
  const leaf = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: leaf, namespace: shop}
spec:
  http:
${Array.from({ length: 10 }, (_, i) => `  - match: ${matches(10).replaceAll('/p', `/p${i}-`)}\n    route: [{destination: {host: web}}]`).join('\n')}`;
  // 20 rules × 10 matches × 10 delegate rules × 10 delegate matches = 20000 routes.
  t.match(errors(yaml(root, leaf)), [
    { document: 0, kind: 'VirtualService', object: 'shop/root', path: 'spec.http', message: /is 20000, more than the limit of 10000 \(MAX_DELEGATION_FANOUT\)/ },
  ]);
});

t.test('regular expressions, ports, hosts and gateway servers past their limits', async (t) => {
  const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: re, namespace: shop}
spec:
  hosts: [web]
  http: [{match: [{uri: {regex: "${'a'.repeat(2000)}"}}], route: [{destination: {host: web}}]}]`;
  // Istio's webhook refuses a regex over 1024 bytes before the (settable) expansion limit is reached.
  t.match(errors(vs), [{ path: 'spec.http[0].match[0].uri.regex', message: /regex is too large, max length allowed is 1024/ }]);
  const ports = Array.from({ length: 300 }, (_, i) => `{name: p${i}, port: ${1000 + i}}`).join(', ');
  t.match(errors(`apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [${ports}]}`), [
    { kind: 'Service', object: 'shop/web', path: 'spec.ports', message: /300, more than the limit of 256 \(MAX_PORTS\)/ },
  ]);
  const servers = Array.from({ length: 1001 }, (_, i) => `{port: {number: ${1000 + i}, name: http-${i}, protocol: HTTP}, hosts: ["*"]}`).join(', ');
  t.match(errors(`apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\nspec: {servers: [${servers}]}`), [
    { kind: 'Gateway', path: 'spec.servers', message: /1001, more than the limit of 1000 \(MAX_GATEWAY_SERVERS\)/ },
  ]);
});

t.test('a proxy past its route or cluster limit: a LimitError naming the proxy and the variable', async (t) => {
  const services = Array.from({ length: 30 }, (_, i) => `apiVersion: v1\nkind: Service\nmetadata: {name: s${i}, namespace: shop}\nspec: {clusterIP: 10.96.0.${i + 1}, ports: [{name: http, port: 80}]}`);
  const scenario = compileScenario({ resources: yaml(...services) });
  const proxy = scenario.proxy({ type: 'sidecar', namespace: 'shop' });
  t.throws(() => generateXds(scenario.index, proxy, { ...DEFAULT_LIMITS, maxClustersPerProxy: 10 }), LimitError);
  t.throws(() => generateXds(scenario.index, proxy, { ...DEFAULT_LIMITS, maxRoutesPerProxy: 10 }), /more than the limit of 10 \(MAX_ROUTES_PER_PROXY\)/);
  t.ok(generateXds(scenario.index, proxy).clusters.length > 30);
});

t.test('duplicate objects in one input: an error naming both documents', async (t) => {
  const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{name: http, port: 80}]}';
  t.match(errors(yaml(svc, svc.replace('port: 80', 'port: 81'))), [
    { document: 1, kind: 'Service', object: 'shop/web', message: 'duplicate Service shop/web: document 0 defines it too' },
  ]);
  t.same(errors(yaml(svc, svc.replace('kind: Service', 'kind: Endpoints').replace(/spec:.*/, 'subsets: []'))), [], 'another kind of the same name is fine');
});

t.test('a kind: List counts its items against the document limit', async (t) => {
  const items = Array.from({ length: 5 }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `n${i}` } }));
  const problems = parseManifests([{ apiVersion: 'v1', kind: 'List', items }], { maxDocuments: 3 }).problems;
  t.match(problems, [{ severity: 'error', message: /5 objects \(List items included\), more than the limit of 3/ }]);
});

/** n wildcard ServiceEntries (TLS), each with a Service and a VirtualService, and one sidecar. */
function wildcardMesh(n: number): string {
  const docs = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: default, labels: {istio-injection: enabled}}'];
  for (let i = 0; i < n; i++) {
    docs.push(`apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se-${i}}\nspec: {hosts: ["*.d${i}.example.com"], ports: [{number: 443, name: tls, protocol: TLS}], resolution: NONE, location: MESH_EXTERNAL}`);
    docs.push(`apiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec: {clusterIP: 10.96.${i >> 8}.${(i & 255) + 1}, ports: [{port: 80, name: http}]}`);
    docs.push(`apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs-${i}}\nspec: {hosts: ["*.d${i}.example.com"], http: [{route: [{destination: {host: "x.d${i}.example.com"}}]}]}`);
  }
  return docs.join('\n---\n');
}

t.test('wildcard ServiceEntries with Services and VirtualServices translate in about linear time', async (t) => {
  // CPU time, not wall time: the machine may be busy with other work.
  const time = (n: number) => {
    const scenario = compileScenario({ resources: wildcardMesh(n) });
    const start = process.cpuUsage();
    scenario.translate({ type: 'sidecar', namespace: 'default' });
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  time(100); // warm-up
  const small = Math.min(time(300), time(300));
  const big = Math.min(time(1500), time(1500));
  t.comment(`translate one sidecar: 300 wildcard SEs ${small.toFixed(0)} ms, 1500: ${big.toFixed(0)} ms (x${(big / small).toFixed(1)} for x5 input)`);
  // Quadratic work would be x25; allow for GC and a busy machine.
  t.ok(big / small < 15, 'five times the input costs well under 25 times the time');
});

t.test('the engine reports a limit as an InputError with the problem', async (t) => {
  try {
    compileScenario({ resources: deployment(5000) });
    t.fail('accepted');
  } catch (e) {
    t.ok(e instanceof InputError);
    t.match((e as InputError).problems, [{ path: 'spec.replicas' }]);
  }
});
