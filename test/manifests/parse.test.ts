import t from 'tap';
import { parseManifests } from '../../src/manifests/index.js';
import type { ManifestProblem } from '../../src/manifests/types.js';

const errors = (problems: ManifestProblem[]) => problems.filter((p) => p.severity === 'error');
const warnings = (problems: ManifestProblem[]) => problems.filter((p) => p.severity === 'warning');

const service = (name: string, namespace?: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}${namespace ? `\n  namespace: ${namespace}` : ''}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: 8080}]`;

t.test('multi-document YAML: every object, namespace defaulted, empty documents skipped', async (t) => {
  const yaml = [
    service('reviews', 'bookinfo'),
    service('ratings'),
    '# only a comment',
    `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: v1}}]`,
    `apiVersion: v1
kind: Namespace
metadata: {name: bookinfo, labels: {istio-injection: enabled}}`,
  ].join('\n---\n');
  const { objects, problems } = parseManifests(yaml);
  t.same(problems, []);
  t.same(
    objects.map((o) => [o.kind, o.metadata.namespace, o.metadata.name]),
    [
      ['Service', 'bookinfo', 'reviews'],
      ['Service', 'default', 'ratings'],
      ['VirtualService', 'bookinfo', 'reviews'],
      ['Namespace', '', 'bookinfo'],
    ],
  );
  t.equal(objects[0].spec.ports[0].port, 80);
});

t.test('array input is read the same way and is not changed', async (t) => {
  const input = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } }];
  const { objects, problems } = parseManifests(input);
  t.same(problems, []);
  t.equal(objects[0].metadata.namespace, 'default');
  t.equal((input[0].metadata as Record<string, unknown>).namespace, undefined);
});

t.test('kind: List is unpacked into its items', async (t) => {
  const yaml = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a, namespace: x}
  spec: {ports: [{port: 80}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: a-1}
  spec: {containers: [{name: app, image: app:1}]}
  status: {podIP: 10.0.0.1}
`;
  const { objects, problems } = parseManifests(yaml);
  t.same(problems, []);
  t.same(
    objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
    ['Service x/a', 'Pod default/a-1'],
  );
});

t.test('missing apiVersion, kind or metadata.name are errors', async (t) => {
  const { objects, problems } = parseManifests('kind: Service\nmetadata: {namespace: x}\n');
  t.same(objects, []);
  t.same(
    problems.map((p) => [p.document, p.path, p.severity]),
    [
      [0, 'apiVersion', 'error'],
      [0, 'metadata.name', 'error'],
    ],
  );
});

t.test('a YAML syntax error names its document, line and column', async (t) => {
  const yaml = `${service('a')}\n---\n${service('b')}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: c\nspec: {}\n`;
  const { problems } = parseManifests(yaml);
  const errs = errors(problems);
  t.ok(errs.length >= 1);
  t.equal(errs[0].document, 2);
  t.match(errs[0].message, /document 2 at line \d+, column \d+/);
  const line = Number(/line (\d+)/.exec(errs[0].message)![1]);
  t.ok(line >= 17, `error line ${line} is in the third document`);
});

t.test('a map or list as a mapping key is refused where it is, as kubectl refuses it, with no process warning', async (t) => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  for (const key of ['{version: v1}: x', '[a, b]: x', '? {a: 1}\n    : x']) {
    const yaml = `${service('a')}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  labels:\n    ${key}\n`;
    const { objects, problems } = parseManifests(yaml);
    t.same(objects.map((o) => o.metadata.name), ['a'], `${key}: the other document is kept`);
    t.match(errors(problems), [{ document: 1, message: /^document 1 at line \d+, column \d+: a mapping key must be a string, number or boolean, not a map or list/ }], key);
    const line = Number(/line (\d+)/.exec(errors(problems)[0].message)![1]);
    t.equal(yaml.split('\n')[line - 1].trim().slice(0, 3), key.slice(0, 3), 'the line is the key\'s');
  }
  await new Promise((resolve) => setImmediate(resolve));
  t.same(warnings, []);
});

t.test('an alias bomb is refused, not expanded', async (t) => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const name = String.fromCharCode(97 + i);
    const prev = String.fromCharCode(96 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const { objects, problems } = parseManifests(levels.join('\n') + '\n');
  t.same(objects, []);
  t.equal(problems.length, 1);
  t.match(problems[0], { document: 0, severity: 'error', message: /alias/i });
});

t.test('a few aliases (merge keys) are fine', async (t) => {
  const yaml = `apiVersion: v1
kind: Service
metadata: {name: a}
spec:
  ports:
  - &http {name: http, port: 80}
  - {<<: *http, name: http2, port: 81}
`;
  const { objects, problems } = parseManifests(yaml);
  t.same(problems, []);
  t.same(objects[0].spec.ports, [
    { name: 'http', port: 80 },
    { name: 'http2', port: 81 },
  ]);
});

t.test('limits: documents, size and depth', async (t) => {
  const many = Array.from({ length: 6 }, (_, i) => service(`s${i}`)).join('\n---\n');
  t.match(parseManifests(many, { maxDocuments: 5 }).problems, [{ severity: 'error', message: /6 documents, more than the limit of 5/ }]);
  t.match(parseManifests(many, { maxBytes: 100 }).problems, [{ severity: 'error', message: /more than the limit of 100/ }]);
  const deep = `apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {x: ${'['.repeat(150)}${']'.repeat(150)}}\n`;
  const { objects, problems } = parseManifests(deep);
  t.same(objects, []);
  t.match(problems, [{ severity: 'error', message: /nested more than 100 levels/ }]);
  t.match(parseManifests([{ a: [[[[[[]]]]]] }], { maxDepth: 4 }).problems, [{ message: /nested more than 4 levels/ }]);
});

t.test('an unknown field is reported with its path (an error when strict)', async (t) => {
  const yaml = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r, namespace: ns}
spec:
  hosts: [r]
  http:
  - route:
    - destination: {host: r, hots: typo}
`;
  const lenient = parseManifests(yaml);
  t.same(lenient.problems, [
    {
      document: 0,
      kind: 'VirtualService',
      object: 'ns/r',
      path: 'spec.http[0].route[0].destination.hots',
      message: 'unknown field "hots"',
      severity: 'warning',
    },
  ]);
  t.equal(lenient.objects.length, 1);
  const strict = parseManifests(yaml, { strict: true });
  t.match(strict.problems, [{ path: 'spec.http[0].route[0].destination.hots', severity: 'error' }]);
  t.same(strict.objects, []);
});

t.test('open maps are not checked for unknown keys', async (t) => {
  const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, labels: {anything: goes}, annotations: {x/y: z}}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers:
      - name: app
        image: app:1
        ports: [{containerPort: 8080}]
        resources: {limits: {cpu: "1", memory: 1Gi}}
        readinessProbe: {httpGet: {port: http, path: /}}
`;
  t.same(parseManifests(yaml, { strict: true }).problems, []);
});

t.test('a wrong type is an error with its path', async (t) => {
  const { objects, problems } = parseManifests(`apiVersion: v1
kind: Service
metadata: {name: a}
spec:
  ports: [{port: eighty}]
`);
  t.same(objects, []);
  t.match(problems, [{ document: 0, kind: 'Service', object: 'default/a', path: 'spec.ports[0].port', severity: 'error' }]);
});

t.test('every problem is listed, across objects and documents', async (t) => {
  const yaml = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: 7
  subsets: [{name: v1, labelz: {version: v1}}]
  trafficPolicy: {tls: {mode: SOMETIMES}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: pa, namespace: istio-system}
spec:
  mtls: {mode: STRICT, extra: 1}
  portLevelMtls: {"8080": {mode: DISABLE}}
`;
  const { objects, problems } = parseManifests(yaml, { strict: true });
  t.same(objects, []);
  t.same(
    problems.map((p) => `${p.document} ${p.kind} ${p.object} ${p.path}`).sort(),
    [
      '0 DestinationRule default/dr spec.host',
      '0 DestinationRule default/dr spec.subsets[0].labelz',
      '0 DestinationRule default/dr spec.trafficPolicy.tls.mode',
      '1 PeerAuthentication istio-system/pa spec.mtls.extra',
    ],
  );
  t.match(problems.find((p) => p.path === 'spec.trafficPolicy.tls.mode'), { message: /must be one of .*ISTIO_MUTUAL/ });
});

t.test('kinds meshplan does not use are warnings and kept out of objects', async (t) => {
  const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {a: b}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: UDPRoute
metadata: {name: g, namespace: gw}
spec: {parentRefs: [{name: gw}], rules: []}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: g, namespace: gw}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`;
  const { objects, problems } = parseManifests(yaml);
  t.same(errors(problems), []);
  t.same(
    warnings(problems).map((p) => [p.document, p.object, p.message]),
    [
      [0, 'default/c', 'kind ConfigMap (v1) is not used by meshplan; ignored'],
      [1, 'gw/g', 'kind UDPRoute (gateway.networking.k8s.io/v1alpha2) is not used by meshplan; ignored'],
    ],
  );
  t.same(
    objects.map((o) => o.apiVersion),
    ['networking.istio.io/v1'],
  );
});

t.test('every supported kind and version is checked', async (t) => {
  const kinds: [string, string][] = [
    ['v1', 'Namespace'],
    ['v1', 'Service'],
    ['v1', 'Endpoints'],
    ['v1', 'Pod'],
    ['v1', 'ServiceAccount'],
    ['discovery.k8s.io/v1', 'EndpointSlice'],
    ['apps/v1', 'Deployment'],
    ...['v1', 'v1beta1', 'v1alpha3'].flatMap((v) =>
      ['Gateway', 'VirtualService', 'DestinationRule', 'ServiceEntry', 'Sidecar', 'WorkloadEntry'].map(
        (k): [string, string] => [`networking.istio.io/${v}`, k],
      ),
    ),
    ['security.istio.io/v1', 'PeerAuthentication'],
    ['security.istio.io/v1beta1', 'PeerAuthentication'],
    ...['Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'].map((k): [string, string] => ['gateway.networking.k8s.io/v1', k]),
    ['gateway.networking.k8s.io/v1beta1', 'ReferenceGrant'],
    ['gateway.networking.k8s.io/v1alpha2', 'TCPRoute'],
  ];
  for (const [apiVersion, kind] of kinds) {
    const { problems } = parseManifests([{ apiVersion, kind, metadata: { name: 'x', bogus: 1 } }], { strict: true });
    const bogus = problems.find((p) => p.path === 'metadata.bogus');
    t.match(bogus, { message: 'unknown field "bogus"', severity: 'error' }, `${apiVersion} ${kind}`);
  }
});
