// Where a Kubernetes Service's endpoints come from. istiod reads EndpointSlices only
// (pilot/pkg/serviceregistry/kube/controller/endpointslice.go); v1 Endpoints reach it only through
// Kubernetes' own controllers, so this module stands in for them when the input has no slices:
// - the EndpointSlice controller writes the slices of a Service with a selector from the pods it
//   selects (kubernetes pkg/controller/endpointslice), whatever Endpoints say;
// - the EndpointSlice mirroring controller copies the Endpoints of a Service without a selector into
//   slices (pkg/controller/endpointslicemirroring), unless they carry endpointslice.kubernetes.io/skip-mirror.
// One decision, read by the endpoint builder (workloads.ts) and by the note explaining it (fidelity/endpoints.ts).

import type { K8sObject } from '../manifests/types.js';
import type { Service } from './types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

/** The EndpointSlices and Endpoints of one Service ("<namespace>/<name>"). */
export interface EndpointObjects {
  slices: K8sObject[];
  endpoints?: K8sObject;
}

export type EndpointSource =
  /** The Service's EndpointSlices, as istiod reads them (its Endpoints, if any, ignored). */
  | { from: 'slices'; slices: K8sObject[]; ignored?: K8sObject }
  /** Endpoints of a selector-less Service, as the mirroring controller would copy them into slices. */
  | { from: 'mirrored'; slices: K8sObject[]; endpoints: K8sObject }
  /** The pods the selector picks, as the EndpointSlice controller would write them (Endpoints, if any, ignored). */
  | { from: 'selector'; ignored?: K8sObject }
  /** Nothing: no selector, and no slices or mirrorable Endpoints. */
  | { from: 'none'; ignored?: K8sObject };

/** Slices and Endpoints by the Service they belong to: slices by their service-name label, Endpoints by name. */
export function endpointObjectsByService(objects: K8sObject[]): Map<string, EndpointObjects> {
  const out = new Map<string, EndpointObjects>();
  const entry = (key: string) => {
    let e = out.get(key);
    if (!e) out.set(key, (e = { slices: [] }));
    return e;
  };
  for (const o of objects) {
    if (o.kind === 'EndpointSlice') {
      const svc = o.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) entry(`${o.metadata.namespace}/${svc}`).slices.push(o);
    } else if (o.kind === 'Endpoints') entry(`${o.metadata.namespace}/${o.metadata.name}`).endpoints = o;
  }
  // Slices in name order: the first of two slices listing one address and port name wins.
  for (const e of out.values()) e.slices.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return out;
}

/** Which objects give a Kubernetes Service's endpoints. */
export function endpointSourceOf(svc: Service, objects: EndpointObjects | undefined): EndpointSource {
  const endpoints = objects?.endpoints;
  if (objects && objects.slices.length > 0) return { from: 'slices', slices: objects.slices, ...(endpoints ? { ignored: endpoints } : {}) };
  if (svc.selector) return { from: 'selector', ...(endpoints ? { ignored: endpoints } : {}) };
  if (endpoints && endpoints.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true') return { from: 'mirrored', slices: mirroredSlices(endpoints), endpoints };
  return { from: 'none', ...(endpoints ? { ignored: endpoints } : {}) };
}

/**
 * The slices the mirroring controller makes of an Endpoints object: one per subset, ready addresses
 * with `ready: true`, notReadyAddresses with `ready: false` and no other condition (endpointslicemirroring
 * utils.go addressToEndpoint), which istiod then counts as terminating.
 */
function mirroredSlices(endpoints: K8sObject): K8sObject[] {
  const subsets: any[] = Array.isArray(endpoints.subsets) ? endpoints.subsets : [];
  return subsets.map((subset, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${endpoints.metadata.name}-mirrored-${i}`, namespace: endpoints.metadata.namespace, labels: { [SERVICE_NAME_LABEL]: endpoints.metadata.name } },
    addressType: 'IPv4',
    ports: (subset?.ports ?? []).map((p: any) => ({ name: p?.name ?? '', port: p?.port, protocol: p?.protocol })),
    endpoints: [
      ...(subset?.addresses ?? []).map((a: any) => ({ addresses: [a?.ip], conditions: { ready: true }, ...(a?.targetRef ? { targetRef: a.targetRef } : {}) })),
      ...(subset?.notReadyAddresses ?? []).map((a: any) => ({ addresses: [a?.ip], conditions: { ready: false }, ...(a?.targetRef ? { targetRef: a.targetRef } : {}) })),
    ],
    derivedFrom: { kind: 'Endpoints', namespace: endpoints.metadata.namespace, name: endpoints.metadata.name },
  }));
}

export type SliceHealth = 'healthy' | 'unhealthy' | 'terminating';

/**
 * endpointHealthStatus: ready unset or true is healthy; not ready and terminating (unset counts as
 * terminating) is terminating, which EDS leaves out; else unhealthy, sent as UNHEALTHY. (Draining, for
 * services with persistent sessions, is not modelled: such endpoints count as terminating.)
 */
export function sliceEndpointHealth(conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } | undefined): SliceHealth {
  if (conditions?.ready === undefined || conditions.ready === null || conditions.ready === true) return 'healthy';
  if (conditions.terminating === undefined || conditions.terminating === null || conditions.terminating === true) return 'terminating';
  return 'unhealthy';
}

/** One address of a slice, for one of its ports, with what istiod decides about it. */
export interface SliceAddress {
  slice: K8sObject;
  address: string;
  portName: string;
  port: number;
  health: SliceHealth;
  /** The Pod the endpoint's targetRef names ("namespace/name"), if it names one. */
  targetPod?: string;
  /** Path of the endpoint in the slice, for messages. */
  path: string;
}

/**
 * Every address × port of the slices, deduplicated by (address, port name) as endpointSliceCache.get
 * does: the first slice (in name order) wins. FQDN slices are skipped, and so is an endpoint whose
 * targetRef names a Pod istiod does not know (it waits for the pod: getPod's expectedPod), as istiod does.
 */
export function sliceAddresses(slices: K8sObject[], hasPod: (key: string) => boolean): { addresses: SliceAddress[]; withoutPod: SliceAddress[] } {
  const seen = new Set<string>();
  const out: SliceAddress[] = [];
  const withoutPod: SliceAddress[] = [];
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const ports: any[] = Array.isArray(slice.ports) ? slice.ports : [];
    const endpoints: any[] = Array.isArray(slice.endpoints) ? slice.endpoints : [];
    endpoints.forEach((e, i) => {
      const health = sliceEndpointHealth(e?.conditions);
      const ref = e?.targetRef;
      const targetPod = ref?.kind === 'Pod' && ref.name ? `${ref.namespace || slice.metadata.namespace}/${ref.name}` : undefined;
      for (const address of e?.addresses ?? []) {
        for (const p of ports) {
          const portName = p?.name ?? '';
          const one: SliceAddress = { slice, address: String(address), portName, port: Number(p?.port ?? 0), health, ...(targetPod ? { targetPod } : {}), path: `endpoints[${i}]` };
          if (targetPod && !hasPod(targetPod)) {
            withoutPod.push(one);
            continue;
          }
          const key = `${address}\0${portName}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(one);
        }
      }
    });
  }
  return { addresses: out, withoutPod };
}
