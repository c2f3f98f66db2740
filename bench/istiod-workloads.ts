// The workloads of istiod's own xDS benchmarks (pilot/pkg/xds/bench_test.go and its templates in
// pilot/pkg/xds/testdata/benchmarks), generated here from their description: per workload the
// manifests, the proxy istiod generates for (setupTest: 1.1.1.1 in namespace default, labelled
// istio.io/benchmark=true; a router for the gateway workloads) and the MeshConfig it adds.

import type { MeshConfigInput, ProxyType } from '../src/contract.js';

export interface IstiodWorkload {
  name: string;
  /** Number of services (ConfigInput.Services). */
  services: number;
  proxyType: ProxyType;
  /** bench_test.go skips route generation for workloads without HTTP routes (SkipType) or runs only listeners (OnlyRunType). */
  stages: readonly Stage[];
  yaml: string;
}

export type Stage = 'listeners' | 'routes' | 'clusters' | 'endpoints';
const ALL: readonly Stage[] = ['listeners', 'routes', 'clusters', 'endpoints'];
const NO_ROUTES: readonly Stage[] = ['listeners', 'clusters', 'endpoints'];

/** The proxy of setupTest. */
export const BENCH_PROXY: { namespace: string; labels: Record<string, string>; ips: string[] } = { namespace: 'default', labels: { 'istio.io/benchmark': 'true' }, ips: ['1.1.1.1'] };

/** setupTest's MeshConfig: the default one plus a file access-log provider named envoy-json (used by telemetry-api). */
export const BENCH_MESH: MeshConfigInput = {
  extensionProviders: [{ name: 'envoy-json', envoyFileAccessLog: { path: '/dev/stdout', logFormat: { labels: {} } } }],
};

const doc = (lines: string): string => lines.trim();
/** A multi-document YAML stream of these documents. */
const stream = (docs: string[]): string => docs.join('\n---\n') + '\n';

type Port = { number: number; name: string; protocol?: string };
const portLines = (ports: Port[], indent = '  '): string =>
  ports
    .map((p) => `${indent}- number: ${p.number}\n${indent}  name: ${p.name}${p.protocol !== undefined ? `\n${indent}  protocol: "${p.protocol}"` : ''}`)
    .join('\n');

/** The ServiceEntry that gives the proxy at 1.1.1.1 its inbound service (every template starts with it). */
function proxyServiceEntry(ports: Port[], opts: { meshInternal?: boolean; endpointLabels?: Record<string, string> } = {}): string {
  const labels = opts.endpointLabels ?? {};
  const labelLines = Object.entries(labels).map(([k, v]) => `\n      ${k}: "${v}"`).join('');
  return doc(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: proxy-service-instance
spec:
  hosts:
  - example.com
  ports:
${portLines(ports)}
  resolution: STATIC${opts.meshInternal ? '\n  location: MESH_INTERNAL' : ''}
  endpoints:
  - address: 1.1.1.1${Object.keys(labels).length ? `\n    labels:${labelLines}` : ''}`);
}

const ISTIO_TLS = { 'security.istio.io/tlsMode': 'istio' };

/** http, tcp, tls, auto: N mesh-internal ServiceEntries with a VIP and one endpoint each, all on one port of one protocol. */
function portTypeWorkload(port: Port, services: number): string {
  const docs = [proxyServiceEntry([port], { meshInternal: true, endpointLabels: ISTIO_TLS })];
  for (let i = 0; i < services; i++) {
    const octets = `${Math.floor(i / 255)}.${i % 255}`;
    docs.push(doc(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: service-${i}
spec:
  addresses:
  - 240.240.${octets}
  hosts:
  - random-${i}.host.example
  ports:
${portLines([port])}
  resolution: STATIC
  location: MESH_INTERNAL
  endpoints:
  - address: 240.241.${octets}
    labels:
      security.istio.io/tlsMode: istio`));
  }
  return stream(docs);
}

/** A ServiceEntry for random-<i>.host.example on port 80 with one static endpoint (virtualservice and gateway workloads). */
const plainServiceEntry = (i: number, ports: Port[] = [{ number: 80, name: 'http', protocol: 'HTTP' }]): string =>
  doc(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: service-${i}
spec:
  hosts:
  - random-${i}.host.example
  ports:
${portLines(ports)}
  resolution: STATIC
  endpoints:
  - address: 1.2.3.4`);

function virtualServiceWorkload(services: number): string {
  const docs = [proxyServiceEntry([{ number: 80, name: 'http', protocol: 'HTTP' }])];
  for (let i = 0; i < services; i++) {
    docs.push(doc(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: vs-${i}
spec:
  hosts:
  - random-${i}.host.example
  http:
  - name: match-route
    match:
    - uri:
        prefix: /foo
    - uri:
        regex: /bar
    rewrite:
      uri: /new-url
    route:
    - destination:
        host: random-${i}.host.example`));
    docs.push(plainServiceEntry(i));
  }
  return stream(docs);
}

const GATEWAY_PROXY_PORTS: Port[] = [
  { number: 80, name: 'http', protocol: 'HTTP' },
  { number: 443, name: 'https', protocol: 'HTTPS' },
];
const BENCH_LABEL = { 'istio.io/benchmark': 'true' };

const gatewayDoc = (name: string, hosts: string[]): string => {
  const hostLines = hosts.map((h) => `    - ${h}`).join('\n');
  return doc(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: gateway
spec:
  selector:
    istio.io/benchmark: "true"
  servers:
  - port:
      number: 80
      name: http
      protocol: HTTP
    hosts:
${hostLines}
  - port:
      number: 443
      name: https
      protocol: HTTPS
    hosts:
${hostLines}
    tls:
      mode: ISTIO_MUTUAL`);
};

/** VirtualService vs-i in `gateway` on a gateway's hosts: one route to random-i.host.example on these path prefixes. */
const gatewayVirtualService = (i: number, hosts: string[], gateway: string, prefixes: string[]): string =>
  doc(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: vs-${i}
  namespace: gateway
spec:
  hosts:
${hosts.map((h) => `  - ${h}`).join('\n')}
  gateways:
  - gateway/${gateway}
  http:
  - match:
${prefixes.map((p) => `    - uri:\n        prefix: ${p}`).join('\n')}
    route:
    - destination:
        host: random-${i}.host.example`);

/** gateways: per service a Gateway and a VirtualService of three hosts: N virtual hosts on the HTTPS routes. */
function gatewaysWorkload(services: number): string {
  const docs = [proxyServiceEntry(GATEWAY_PROXY_PORTS, { endpointLabels: BENCH_LABEL })];
  for (let i = 0; i < services; i++) {
    const hosts = ['a', 'b', 'c'].map((x) => `random-${x}-${i}.host.example`);
    docs.push(gatewayVirtualService(i, hosts, `gateway-${i}`, [`/route-${i}`]));
    docs.push(gatewayDoc(`gateway-${i}`, hosts));
    docs.push(plainServiceEntry(i));
  }
  return stream(docs);
}

/** gateways-shared: one Gateway, N VirtualServices on the same three hosts routing by path: one large route. */
function gatewaysSharedWorkload(services: number): string {
  const hosts = [1, 2, 3].map((x) => `random-${x}.host.example`);
  const docs = [proxyServiceEntry(GATEWAY_PROXY_PORTS, { endpointLabels: BENCH_LABEL }), gatewayDoc('gateway', hosts)];
  for (let i = 0; i < services; i++) {
    docs.push(gatewayVirtualService(i, hosts, 'gateway', ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `/route-${x}-${i}`)));
    docs.push(plainServiceEntry(i));
  }
  return stream(docs);
}

/** externalname: N Kubernetes ExternalName Services. */
function externalNameWorkload(services: number): string {
  const docs = [proxyServiceEntry([{ number: 80, name: 'http', protocol: 'HTTP' }], { meshInternal: true, endpointLabels: ISTIO_TLS })];
  for (let i = 0; i < services; i++) {
    docs.push(doc(`
apiVersion: v1
kind: Service
metadata:
  name: service-${i}
spec:
  type: ExternalName
  externalName: random-${i}.example.com
  ports:
  - port: 80
    name: http`));
  }
  return stream(docs);
}

const FOUR_PORTS: Port[] = [
  { number: 80, name: 'http', protocol: 'HTTP' },
  { number: 7070, name: 'tcp', protocol: 'TCP' },
  { number: 443, name: 'https', protocol: 'HTTPS' },
  { number: 9090, name: 'auto' },
];

/** telemetry-api: a mesh-wide Telemetry (prometheus metrics, envoy-json access logs) and N services of four ports. */
function telemetryWorkload(services: number): string {
  const docs = [
    doc(`
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata:
  name: telemetry
  namespace: istio-system
spec:
  metrics:
  - providers:
    - name: prometheus
  accessLogging:
  - providers:
    - name: envoy-json`),
    proxyServiceEntry([...FOUR_PORTS.slice(0, 3), { number: 9090, name: 'auto', protocol: '' }]),
  ];
  for (let i = 0; i < services; i++) docs.push(plainServiceEntry(i, FOUR_PORTS));
  return stream(docs);
}

/** authorizationpolicy: N namespace-wide DENY policies in the proxy's namespace (listeners only). */
function authorizationPolicyWorkload(services: number): string {
  const docs = [proxyServiceEntry(GATEWAY_PROXY_PORTS, { endpointLabels: BENCH_LABEL })];
  for (let i = 0; i < services; i++) {
    docs.push(doc(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: authn-${i}
spec:
  action: DENY
  rules:
  - from:
    - source:
        namespaces: ["default"]
    to:
    - operation:
        methods: ["POST"]`));
  }
  return stream(docs);
}

/** istiod's testCases that meshplan's proxies can run (no Knative, ambient waypoints or TLS-mode-only listener cases). */
export function istiodWorkloads(): IstiodWorkload[] {
  return [
    { name: 'http', services: 100, proxyType: 'sidecar', stages: ALL, yaml: portTypeWorkload({ number: 80, name: 'http', protocol: 'HTTP' }, 100) },
    { name: 'tcp', services: 100, proxyType: 'sidecar', stages: NO_ROUTES, yaml: portTypeWorkload({ number: 7070, name: 'tcp', protocol: 'TCP' }, 100) },
    { name: 'tls', services: 100, proxyType: 'sidecar', stages: NO_ROUTES, yaml: portTypeWorkload({ number: 7070, name: 'tls', protocol: 'TLS' }, 100) },
    { name: 'auto', services: 100, proxyType: 'sidecar', stages: ALL, yaml: portTypeWorkload({ number: 7070, name: 'auto', protocol: '' }, 100) },
    { name: 'virtualservice', services: 100, proxyType: 'sidecar', stages: ALL, yaml: virtualServiceWorkload(100) },
    { name: 'gateways', services: 1000, proxyType: 'router', stages: ALL, yaml: gatewaysWorkload(1000) },
    { name: 'gateways-shared', services: 1000, proxyType: 'router', stages: ALL, yaml: gatewaysSharedWorkload(1000) },
    { name: 'externalname', services: 100, proxyType: 'sidecar', stages: ALL, yaml: externalNameWorkload(100) },
    { name: 'telemetry-api', services: 100, proxyType: 'sidecar', stages: ALL, yaml: telemetryWorkload(100) },
    { name: 'authorizationpolicy', services: 100, proxyType: 'sidecar', stages: ['listeners'], yaml: authorizationPolicyWorkload(100) },
  ];
}

/**
 * BenchmarkEndpointGeneration's shapes (createEndpointsConfig): `services` ServiceEntries foo-<i>.com, each
 * with `endpoints` static endpoints spread over four networks, and three PeerAuthentications.
 */
export function endpointWorkload(endpoints: number, services: number): string {
  const docs: string[] = [];
  for (let s = 0; s < services; s++) {
    const eps: string[] = [];
    for (let e = 0; e < endpoints; e++) {
      eps.push(`  - address: 111.${Math.floor(e / 65536)}.${Math.floor(e / 256) % 256}.${e % 256}
    network: network-${e % 4}
    serviceAccount: something
    labels:
      type: eds-benchmark
      app: foo-${s}`);
    }
    docs.push(doc(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: foo-${s}
  namespace: default
spec:
  hosts:
  - foo-${s}.com
  ports:
  - number: 80
    name: http-port
    protocol: http
  resolution: STATIC
  endpoints:
${eps.join('\n')}`));
  }
  const pa = (name: string, namespace: string, mode: string, selector = '') =>
    doc(`
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${namespace}
spec:${selector}
  mtls:
    mode: ${mode}`);
  docs.push(pa('global', 'istio-system', 'PERMISSIVE'));
  docs.push(pa('namespace', 'default', 'DISABLE'));
  docs.push(pa('selector', 'default', 'DISABLE', '\n  selector:\n    matchLabels:\n      type: eds-benchmark'));
  return stream(docs);
}

/** BenchmarkEndpointGeneration's cases: endpoints per service / services. */
export const ENDPOINT_CASES: readonly [number, number][] = [
  [1, 100],
  [10, 10],
  [100, 10],
  [1000, 1],
];
