// Workloads behind services: pods (given, or stood for by Deployments), WorkloadEntries,
// the injector's decisions, and the endpoints the Kubernetes endpoints controller and the
// ServiceEntry controller would produce (pilot/pkg/serviceregistry/kube/controller, serviceentry).

import type { ProxyType } from '../contract.js';
import type { K8sObject, SourceRef } from '../manifests/types.js';
import { sourceRef } from '../manifests/types.js';
import { isIpAddress, labelsMatch } from './hosts.js';
import type { Endpoint, Service, ServicePort, TlsMode } from './types.js';
import { ObjectMemo } from './reuse.js';
import { endpointObjectsByService, endpointSourceOf, sliceAddresses, type EndpointSource, type SliceAddress } from './endpointslices.js';

export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

export interface Workload {
  kind: 'Pod' | 'WorkloadEntry';
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ip: string;
  serviceAccount: string;
  /** Pod container ports by name; WorkloadEntry `ports` by service port name. */
  namedPorts: Record<string, number>;
  /** Every container port of a pod, with its container (what istioctl x describe lists). */
  podPorts?: { port: number; protocol: string; container: string }[];
  workloadName: string;
  locality?: Endpoint['locality'];
  healthy: boolean;
  weight: number;
  tlsMode: TlsMode;
  /** The proxy this workload runs, if any. */
  proxyType?: ProxyType;
  sources: SourceRef[];
}

// Kubernetes' pod-name alphabet (k8s.io/apimachinery rand.SafeEncodeString): no vowels, no look-alikes.
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a over the text, spelled in the safe alphabet: a stable stand-in for Kubernetes' random suffixes. */
export function stableSuffix(text: string, length: number): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < length; round++) {
    for (const ch of `${text}#${round}`) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    let v = h;
    for (let i = 0; i < 6 && out.length < length; i++) {
      out += SAFE_ALPHABET[v % SAFE_ALPHABET.length];
      v = Math.floor(v / SAFE_ALPHABET.length);
    }
  }
  return out;
}

/**
 * Pods of the input: explicit Pods plus `replicas` pods per Deployment, named like the ReplicaSet controller
 * would. A Deployment whose pods the input has (a cluster dump has both) stands for nothing more: a given
 * Pod of its namespace matching its selector is one of its own, unless a ReplicaSet of another name owns it.
 */
export function expandPods(objects: K8sObject[]): { pod: K8sObject; workloadName: string; source: SourceRef }[] {
  const out: { pod: K8sObject; workloadName: string; source: SourceRef }[] = [];
  const givenPods = objects.filter((o) => o.kind === 'Pod');
  const hasOwnPods = (d: K8sObject): boolean => {
    const selector: Record<string, string> = d.spec?.selector?.matchLabels ?? d.spec?.template?.metadata?.labels ?? {};
    const ownedElsewhere = (p: K8sObject) => {
      // The ReplicaSet controller names a Deployment's sets <deployment>-<pod-template-hash>.
      const owner = p.metadata.ownerReferences?.find((r) => r?.kind === 'ReplicaSet');
      const hash = p.metadata.labels?.['pod-template-hash'];
      if (owner === undefined) return false;
      return hash ? owner.name !== `${d.metadata.name}-${hash}` : !String(owner.name).startsWith(`${d.metadata.name}-`);
    };
    return (
      Object.keys(selector).length > 0 &&
      givenPods.some((p) => p.metadata.namespace === d.metadata.namespace && labelsMatch(selector, p.metadata.labels ?? {}) && !ownedElsewhere(p))
    );
  };
  for (const o of objects) {
    if (o.kind === 'Pod') {
      out.push({ pod: o, workloadName: podWorkloadName(o), source: sourceRef(o) });
    } else if (o.kind === 'Deployment' && !hasOwnPods(o)) {
      out.push(...deploymentPodsMemo.get(o, [], () => deploymentPods(o)));
    }
  }
  return out;
}

type ExpandedPod = ReturnType<typeof expandPods>[number];

/** A Deployment's pods, frozen: a revision keeps the same pod objects for an unchanged Deployment (reuse.ts). */
const deploymentPodsMemo = new ObjectMemo<readonly ExpandedPod[]>();

function deploymentPods(o: K8sObject): ExpandedPod[] {
  const out: ExpandedPod[] = [];
  const replicas = o.spec?.replicas ?? 1;
  const template = o.spec?.template ?? {};
  const rsName = `${o.metadata.name}-${stableSuffix(`${o.metadata.namespace}/${o.metadata.name}`, 10)}`;
  for (let i = 0; i < replicas; i++) {
    const name = `${rsName}-${stableSuffix(`${rsName}/${i}`, 5)}`;
    const pod: K8sObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...(template.metadata ?? {}),
        name,
        namespace: o.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        ownerReferences: [{ kind: 'ReplicaSet', name: rsName, apiVersion: 'apps/v1' }],
      },
      spec: template.spec ?? {},
    };
    out.push({ pod, workloadName: o.metadata.name, source: sourceRef(o) });
  }
  return out;
}

/** Deployment name from a ReplicaSet owner (minus the pod-template-hash), else the owner or pod name. */
function podWorkloadName(pod: K8sObject): string {
  const owner = pod.metadata.ownerReferences?.[0];
  if (!owner) return pod.metadata.name;
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
    const dash = owner.name.lastIndexOf('-');
    return dash > 0 ? owner.name.slice(0, dash) : owner.name;
  }
  return owner.name;
}

const podIp = (pod: K8sObject): string | undefined => pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;

/** The injector's decision (webhook namespace/object selectors and the inject annotation/label). */
export function isInjected(pod: K8sObject, namespaceLabels: Record<string, string>): boolean {
  const labels = pod.metadata.labels ?? {};
  const annotations = pod.metadata.annotations ?? {};
  if (pod.spec?.hostNetwork) return false;
  const podSays = labels['sidecar.istio.io/inject'] ?? annotations['sidecar.istio.io/inject'];
  if (podSays === 'false') return false;
  const containers: any[] = pod.spec?.containers ?? [];
  if (containers.some((c) => c?.name === 'istio-proxy')) return true;
  if (namespaceLabels['istio-injection'] === 'disabled') return false;
  if (namespaceLabels['istio-injection'] === 'enabled' || namespaceLabels['istio.io/rev']) return true;
  return labels['sidecar.istio.io/inject'] === 'true' || labels['istio.io/rev'] !== undefined;
}

/** Gateway deployments: the gateway charts' `istio` label, Gateway API managed pods, or the gateway injection template. */
export function isGatewayPod(pod: K8sObject): boolean {
  const labels = pod.metadata.labels ?? {};
  const annotations = pod.metadata.annotations ?? {};
  return (
    labels.istio === 'ingressgateway' ||
    labels.istio === 'egressgateway' ||
    labels['gateway.istio.io/managed'] !== undefined ||
    labels['gateway.networking.k8s.io/gateway-name'] !== undefined ||
    annotations['inject.istio.io/templates'] === 'gateway'
  );
}

function nodeLocality(pod: K8sObject, node: K8sObject | undefined): Endpoint['locality'] | undefined {
  const labelled = pod.metadata.labels?.['istio-locality'];
  if (labelled) return localityFromString(labelled.replace(/\./g, '/'));
  const nl = node?.metadata.labels ?? {};
  const region = nl['topology.kubernetes.io/region'] ?? nl['failure-domain.beta.kubernetes.io/region'];
  const zone = nl['topology.kubernetes.io/zone'] ?? nl['failure-domain.beta.kubernetes.io/zone'];
  const subZone = nl['topology.istio.io/subzone'];
  return region || zone || subZone ? clean({ region, zone, subZone }) : undefined;
}

function localityFromString(s: string | undefined): Endpoint['locality'] | undefined {
  if (!s) return undefined;
  const [region, zone, subZone] = s.split('/');
  return clean({ region, zone, subZone });
}

const clean = (l: NonNullable<Endpoint['locality']>): NonNullable<Endpoint['locality']> =>
  Object.fromEntries(Object.entries(l).filter(([, v]) => v)) as NonNullable<Endpoint['locality']>;

function podHealthy(pod: K8sObject): boolean {
  const ready = (pod.status?.conditions ?? []).find((c: any) => c?.type === 'Ready');
  return !ready || String(ready.status) !== 'False';
}

/** Allocates 10.1.x.y addresses, in order, skipping addresses already taken. */
class IpAllocator {
  private next = 1;
  constructor(private readonly taken: Set<string>) {}
  allocate(): string {
    for (;;) {
      const n = this.next++;
      const ip = `10.1.${Math.floor(n / 256)}.${n % 256}`;
      if (n % 256 !== 0 && !this.taken.has(ip)) {
        this.taken.add(ip);
        return ip;
      }
    }
  }
}

/** String.prototype.localeCompare's order, with one collator instead of one per comparison. */
const byLocale = new Intl.Collator().compare;

const NO_LABELS: Record<string, string> = Object.freeze({});

/** A pod's workload, kept for the next revision (reuse.ts) without its address: the allocator gives that in order of all pods. */
const podWorkloadMemo = new ObjectMemo<Workload>();

function podWorkload(pod: K8sObject, namespaceLabels: Record<string, string>, node: K8sObject | undefined, workloadName: string, source: SourceRef): Workload {
  const labels = { ...(pod.metadata.labels ?? {}) };
  const router = isGatewayPod(pod);
  const injected = !router && isInjected(pod, namespaceLabels);
  // The sidecar injector labels the pods it injects.
  if (injected && labels[TLS_MODE_LABEL] === undefined) labels[TLS_MODE_LABEL] = 'istio';
  const namedPorts: Record<string, number> = {};
  const podPorts: NonNullable<Workload['podPorts']> = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c?.ports ?? []) {
      if (p?.name) namedPorts[p.name] = Number(p.containerPort);
      podPorts.push({ port: Number(p?.containerPort), protocol: String(p?.protocol ?? 'TCP'), container: String(c?.name ?? '') });
    }
  }
  return {
    kind: 'Pod',
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    labels,
    ip: '',
    serviceAccount: pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount ?? 'default',
    namedPorts,
    podPorts,
    workloadName,
    locality: nodeLocality(pod, node),
    healthy: podHealthy(pod),
    weight: 1,
    tlsMode: labels[TLS_MODE_LABEL] === 'istio' ? 'istio' : 'disabled',
    proxyType: router ? 'router' : injected ? 'sidecar' : undefined,
    sources: [source],
  };
}

export function buildWorkloads(objects: K8sObject[]): Workload[] {
  const namespaces = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]));
  const nodes = new Map(objects.filter((o) => o.kind === 'Node').map((o) => [o.metadata.name, o]));
  // Each pod's sort key built once, not once per comparison.
  const pods = expandPods(objects)
    .filter(({ pod }) => !pod.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(pod.status?.phase))
    .map((p) => ({ ...p, key: `${p.pod.metadata.namespace}/${p.pod.metadata.name}` }))
    .sort((a, b) => byLocale(a.key, b.key));
  const taken = new Set<string>();
  for (const { pod } of pods) if (podIp(pod)) taken.add(podIp(pod)!);
  for (const o of objects) if (o.kind === 'WorkloadEntry' && o.spec?.address) taken.add(String(o.spec.address));
  const allocator = new IpAllocator(taken);

  const out: Workload[] = [];
  for (const { pod, workloadName, source } of pods) {
    const namespaceLabels = namespaces.get(pod.metadata.namespace) ?? NO_LABELS;
    const node = pod.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
    const w = podWorkloadMemo.get(pod, [namespaceLabels, node, workloadName], () => podWorkload(pod, namespaceLabels, node, workloadName, source));
    out.push({ ...w, ip: podIp(pod) ?? allocator.allocate() });
  }
  for (const o of objects) {
    if (o.kind !== 'WorkloadEntry' || !o.spec?.address) continue;
    const we = workloadEntryWorkload(o.spec, o.metadata.name, o.metadata.namespace, o.metadata.labels ?? {});
    we.sources = [sourceRef(o)];
    out.push(we);
  }
  return out;
}

/** A WorkloadEntry (object, or a ServiceEntry's inline endpoint): labels merge the object's and the spec's. */
export function workloadEntryWorkload(spec: any, name: string, namespace: string, objectLabels: Record<string, string>): Workload {
  const labels: Record<string, string> = { ...objectLabels, ...(spec.labels ?? {}) };
  const tls = labels[TLS_MODE_LABEL] ?? (spec.serviceAccount ? 'istio' : 'disabled');
  const tlsMode: TlsMode = tls === 'istio' ? 'istio' : 'disabled';
  return {
    kind: 'WorkloadEntry',
    name,
    namespace,
    labels,
    ip: String(spec.address),
    serviceAccount: spec.serviceAccount ?? '',
    namedPorts: Object.fromEntries(Object.entries(spec.ports ?? {}).map(([k, v]) => [k, Number(v)])),
    workloadName: name,
    locality: localityFromString(spec.locality),
    healthy: true,
    weight: spec.weight ? Number(spec.weight) : 1,
    tlsMode,
    proxyType: tlsMode === 'istio' ? 'sidecar' : undefined,
    sources: [],
  };
}

function toEndpoint(w: Workload, svcPort: ServicePort, port: number, sources: SourceRef[]): Endpoint {
  const hostname = !isIpAddress(w.ip);
  return {
    address: w.ip,
    port,
    servicePortName: svcPort.name,
    labels: w.labels,
    tlsMode: w.tlsMode,
    namespace: w.namespace,
    serviceAccount: w.serviceAccount || undefined,
    workloadName: w.workloadName,
    locality: w.locality,
    healthy: w.healthy,
    weight: w.weight,
    pod: w.kind === 'Pod' ? `${w.namespace}/${w.name}` : undefined,
    hostname: hostname || undefined,
    sources: [...sources, ...w.sources],
  };
}

/** FindPort: numeric target port, or the named container port (pods) / entry port (WorkloadEntries). */
function targetPortOf(w: Workload, svc: Service, p: ServicePort): number | undefined {
  if (svc.registry === 'External') return w.namedPorts[p.name] ?? p.targetPort ?? p.port;
  if (p.targetPortName !== undefined) return w.namedPorts[p.targetPortName];
  return p.targetPort ?? p.port;
}

/** Endpoints of a Service's EndpointSlices (given, or mirrored from its Endpoints) for one service port name. */
function sliceEndpoints(addresses: SliceAddress[], p: ServicePort, byIp: Map<string, Workload>, byName: Map<string, Workload>): Endpoint[] {
  const out: Endpoint[] = [];
  for (const a of addresses) {
    if (a.portName !== p.name || a.health === 'terminating') continue;
    // The pod the targetRef names, else (manually managed slices) a pod of the slice's namespace with that IP.
    const byRef = a.targetPod ? byName.get(a.targetPod) : undefined;
    const ofIp = byIp.get(a.address);
    const w = byRef ?? (ofIp && ofIp.namespace === a.slice.metadata.namespace ? ofIp : undefined);
    const base: Workload = w ?? {
      kind: 'Pod', name: a.address, namespace: a.slice.metadata.namespace, labels: {}, ip: a.address, serviceAccount: '', namedPorts: {},
      workloadName: '', healthy: true, weight: 1, tlsMode: 'disabled', sources: [],
    };
    const ep = toEndpoint({ ...base, ip: a.address, healthy: a.health === 'healthy' }, p, a.port, [sourceRef(a.slice)]);
    if (!w) ep.pod = undefined;
    out.push(ep);
  }
  return out;
}

/** Addresses in natural order (10.0.0.9 before 10.0.0.10); one collator, not one per comparison. */
const byAddress = new Intl.Collator('en', { numeric: true }).compare;

/**
 * Each service port's endpoints by "<namespace>/<hostname>/<port name>" (the last service port of a key, as
 * one map written in service order would keep), each computed when first asked for: a translation reads
 * those of the services its proxy sees, and a new revision's compile pays for none of them.
 */
export function buildEndpoints(services: Service[], workloads: Workload[], objects: K8sObject[]): (key: string) => Endpoint[] | undefined {
  const portOf = new Map<string, { svc: Service; p: ServicePort }>();
  for (const svc of services) for (const p of svc.ports) portOf.set(`${svc.namespace}/${svc.hostname}/${p.name}`, { svc, p });
  let endpointsOf: ((svc: Service, p: ServicePort) => Endpoint[]) | undefined;
  const computed = new Map<string, Endpoint[]>();
  return (key) => {
    let eps = computed.get(key);
    if (eps) return eps;
    const at = portOf.get(key);
    if (!at) return undefined;
    endpointsOf ??= endpointBuilder(workloads, objects);
    eps = endpointsOf(at.svc, at.p);
    computed.set(key, eps);
    return eps;
  };
}

/** The endpoints of one service port, from what every service's endpoints are found with (built once). */
function endpointBuilder(workloads: Workload[], objects: K8sObject[]): (svc: Service, p: ServicePort) => Endpoint[] {
  const byIp = new Map<string, Workload>();
  const byName = new Map<string, Workload>();
  for (const w of workloads) {
    if (!byIp.has(w.ip)) byIp.set(w.ip, w);
    if (w.kind === 'Pod') byName.set(`${w.namespace}/${w.name}`, w);
  }
  const endpointObjects = endpointObjectsByService(objects);
  // Workloads by namespace and by each of their labels, in input order: a selector's candidates are
  // those carrying its first label, not every workload.
  const workloadsByNamespace = new Map<string, Workload[]>();
  const workloadsByLabel = new Map<string, Workload[]>();
  const push = (m: Map<string, Workload[]>, key: string, w: Workload) => {
    const list = m.get(key);
    if (list) list.push(w);
    else m.set(key, [w]);
  };
  // Length-prefixed, so that no two (namespace, key, string value) share a key; cheaper than JSON (and the
  // candidates are matched against the whole selector anyway).
  const labelKey = (namespace: string, k: string, v: string) => `${namespace.length}:${namespace}${k.length}:${k}${v}`;
  for (const w of workloads) {
    push(workloadsByNamespace, w.namespace, w);
    for (const [k, v] of Object.entries(w.labels)) push(workloadsByLabel, labelKey(w.namespace, k, v), w);
  }
  const membersOf = (svc: Service): Workload[] => {
    if (!svc.selector) return [];
    const first = Object.entries(svc.selector)[0];
    const candidates = first ? workloadsByLabel.get(labelKey(svc.namespace, first[0], first[1])) : workloadsByNamespace.get(svc.namespace);
    return (candidates ?? []).filter((w) => labelsMatch(svc.selector, w.labels));
  };
  const seObjects = new Map<string, K8sObject>();
  for (const o of objects) if (o.kind === 'ServiceEntry') for (const h of o.spec?.hosts ?? []) seObjects.set(`${o.metadata.namespace}/${h}`, o);

  // The service's selected workloads and endpoint objects, found once for all its ports.
  const perService = new Map<Service, { members: Workload[]; source?: EndpointSource; fromSlices?: SliceAddress[] }>();
  return (svc, p) => {
    let found = perService.get(svc);
    if (!found) {
      const source = svc.registry === 'Kubernetes' ? endpointSourceOf(svc, endpointObjects.get(`${svc.namespace}/${svc.name}`)) : undefined;
      const fromSlices = source && 'slices' in source ? sliceAddresses(source.slices, (key) => byName.has(key)).addresses : undefined;
      perService.set(svc, (found = { members: membersOf(svc), source, fromSlices }));
    }
    const { members, source, fromSlices } = found;
    let eps: Endpoint[] = [];
    if (svc.resolution === 'Alias') {
      eps = [];
    } else if (source) {
      if (fromSlices) eps = sliceEndpoints(fromSlices, p, byIp, byName);
      else if (source.from === 'selector') eps = selected(svc, p, members);
    } else {
      const se = seObjects.get(`${svc.namespace}/${svc.hostname}`);
      eps = serviceEntryEndpoints(svc, p, se, members);
    }
    eps.sort((a, b) => byAddress(a.address, b.address) || a.port - b.port);
    return eps;
  };
}

/** Endpoints of the workloads a service selects (`members`: those of its namespace matching its selector). */
function selected(svc: Service, p: ServicePort, members: Workload[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const w of members) {
    // The kube registry selects WorkloadEntries only for ClusterIP services.
    if (svc.registry === 'Kubernetes' && w.kind === 'WorkloadEntry' && svc.resolution !== 'ClientSideLB') continue;
    const port = targetPortOf(w, svc, p);
    if (port !== undefined && port > 0) out.push(toEndpoint(w, p, port, svc.sources));
  }
  return out;
}

function serviceEntryEndpoints(svc: Service, p: ServicePort, se: K8sObject | undefined, members: Workload[]): Endpoint[] {
  const spec = se?.spec ?? {};
  const inline: any[] = spec.endpoints ?? [];
  if (inline.length > 0) {
    return inline.map((e) => {
      const w = workloadEntryWorkload(e, se!.metadata.name, svc.namespace, {});
      return toEndpoint(w, p, w.namedPorts[p.name] ?? p.targetPort ?? p.port, svc.sources);
    });
  }
  if (svc.selector) return selected(svc, p, members);
  if (svc.resolution === 'DNSLB' || svc.resolution === 'DNSRoundRobinLB') {
    const w = workloadEntryWorkload({ address: svc.hostname }, se?.metadata.name ?? svc.name, svc.namespace, {});
    return [toEndpoint(w, p, p.targetPort ?? p.port, [...svc.sources])];
  }
  return [];
}
