// What an analyzer sees and how it reports: istioctl's analysis.Context (pkg/config/analysis/context.go)
// over the parsed objects of every kind, with the resources `istioctl analyze` adds offline.

import type { K8sObject } from '../manifests/types.js';
import type { MeshConfig } from '../mesh/types.js';
import { expandPods } from '../mesh/workloads.js';
import { MESHPLAN_MESSAGE_TYPES, MESSAGE_TYPES, type Level, type MeshplanMessageName, type MessageName } from './messages.js';

/** One message of `istioctl analyze` (diag.Message), with where in the input it points. */
export interface AnalysisMessage {
  code: string;
  name: MessageName | MeshplanMessageName;
  level: Level;
  resource: { kind: string; namespace: string; name: string };
  /** Field path in the object, e.g. "spec.http[0].route[0].destination.host". */
  path?: string;
  /** 0-based index of the object's document in its input (or file). */
  document?: number;
  /** The file the object came from (command line). */
  file?: string;
  message: string;
}

/** Where an object came from. */
export interface Origin {
  document: number;
  file?: string;
}

/** A kind by API group and kind name (Istio's gvk constants without the version). */
export interface Kind {
  group: string;
  kind: string;
}

export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

const NAMESPACE_SCOPE_KEYS = ['Namespace'];

export class AnalysisContext {
  private readonly byKind = new Map<string, K8sObject[]>();
  /** Per kind, namespace → name → the first object so named (find's index, built when first asked). */
  private readonly byName = new Map<string, Map<string, Map<string, K8sObject>>>();
  /** Lookups several analyzers share, computed once per analysis (see `shared`). */
  private readonly sharedLookups = new Map<(c: AnalysisContext) => unknown, unknown>();
  readonly messages: AnalysisMessage[] = [];
  private podsOfWorkloads?: K8sObject[];

  constructor(
    readonly objects: K8sObject[],
    private readonly origins: Map<K8sObject, Origin>,
    readonly mesh: MeshConfig,
    /** Istio feature flags by environment variable name (options.features). */
    readonly features: Record<string, unknown> = {},
    /** The time certificates are checked at (ms since the epoch): an input, so analysis stays pure. */
    readonly now?: number,
  ) {
    for (const o of objects) {
      const key = `${groupOf(o.apiVersion)}/${o.kind}`;
      const list = this.byKind.get(key);
      if (list) list.push(o);
      else this.byKind.set(key, [o]);
    }
  }

  /**
   * The pods workloads run as: the input's Pods, then one per replica of each Deployment's template whose
   * pods the input lacks (as the engine expands them), so selectors match a design that has Deployments
   * only, and a cluster dump's pods count once. Messages about pods themselves read all(KINDS.Pod), the input's.
   */
  workloadPods(): K8sObject[] {
    this.podsOfWorkloads ??= expandPods([...this.all(KINDS.Pod), ...this.all(KINDS.Deployment)]).map(({ pod }) => pod);
    return this.podsOfWorkloads;
  }

  /** Every object of a kind, in input order. */
  all(kind: Kind): K8sObject[] {
    return this.byKind.get(`${kind.group}/${kind.kind}`) ?? [];
  }

  find(kind: Kind, namespace: string, name: string): K8sObject | undefined {
    const ns = NAMESPACE_SCOPE_KEYS.includes(kind.kind) ? '' : namespace;
    const key = `${kind.group}/${kind.kind}`;
    let named = this.byName.get(key);
    if (!named) {
      named = new Map();
      for (const o of this.all(kind)) {
        const inNamespace = named.get(o.metadata.namespace) ?? named.set(o.metadata.namespace, new Map()).get(o.metadata.namespace)!;
        if (!inNamespace.has(o.metadata.name)) inNamespace.set(o.metadata.name, o);
      }
      this.byName.set(key, named);
    }
    return named.get(ns)?.get(name);
  }

  /** A lookup built from the objects alone, computed on the first call and then reused by every analyzer. */
  shared<T>(build: (c: AnalysisContext) => T): T {
    if (!this.sharedLookups.has(build)) this.sharedLookups.set(build, build(this));
    return this.sharedLookups.get(build) as T;
  }

  /** Whether a namespace exists as an object of the input. */
  hasNamespace(name: string): boolean {
    return this.find(KINDS.Namespace, '', name) !== undefined;
  }

  report(object: K8sObject, type: MessageName | MeshplanMessageName, message: string, path?: string): void {
    const { code, level } = type in MESSAGE_TYPES ? MESSAGE_TYPES[type as MessageName] : MESHPLAN_MESSAGE_TYPES[type as MeshplanMessageName];
    // A resource may silence codes on itself (istiod_analyze.go filterMessages).
    const suppressed = String(object.metadata.annotations?.['galley.istio.io/analyze-suppress'] ?? '').split(',');
    if (suppressed.includes('*') || suppressed.includes(code)) return;
    const origin = this.origins.get(object);
    // Fields in this order (the answers' JSON), the optional ones only when known.
    const m = { code, name: type, level, resource: { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name } } as AnalysisMessage;
    if (path) m.path = path;
    if (origin) {
      m.document = origin.document;
      if (origin.file !== undefined) m.file = origin.file;
    }
    m.message = message;
    this.messages.push(m);
  }
}

const NET = 'networking.istio.io';
const SEC = 'security.istio.io';
const K8S_GW = 'gateway.networking.k8s.io';

/** The kinds analyzers read. */
export const KINDS = {
  Gateway: { group: NET, kind: 'Gateway' },
  VirtualService: { group: NET, kind: 'VirtualService' },
  DestinationRule: { group: NET, kind: 'DestinationRule' },
  ServiceEntry: { group: NET, kind: 'ServiceEntry' },
  Sidecar: { group: NET, kind: 'Sidecar' },
  EnvoyFilter: { group: NET, kind: 'EnvoyFilter' },
  WorkloadEntry: { group: NET, kind: 'WorkloadEntry' },
  AuthorizationPolicy: { group: SEC, kind: 'AuthorizationPolicy' },
  RequestAuthentication: { group: SEC, kind: 'RequestAuthentication' },
  PeerAuthentication: { group: SEC, kind: 'PeerAuthentication' },
  Telemetry: { group: 'telemetry.istio.io', kind: 'Telemetry' },
  WasmPlugin: { group: 'extensions.istio.io', kind: 'WasmPlugin' },
  KubernetesGateway: { group: K8S_GW, kind: 'Gateway' },
  HTTPRoute: { group: K8S_GW, kind: 'HTTPRoute' },
  GRPCRoute: { group: K8S_GW, kind: 'GRPCRoute' },
  TCPRoute: { group: K8S_GW, kind: 'TCPRoute' },
  TLSRoute: { group: K8S_GW, kind: 'TLSRoute' },
  Namespace: { group: '', kind: 'Namespace' },
  Pod: { group: '', kind: 'Pod' },
  Service: { group: '', kind: 'Service' },
  Secret: { group: '', kind: 'Secret' },
  ConfigMap: { group: '', kind: 'ConfigMap' },
  Node: { group: '', kind: 'Node' },
  Deployment: { group: 'apps', kind: 'Deployment' },
} as const satisfies Record<string, Kind>;

// Small readers for objects that may not match their schema: analyze reads what it can, never throws.
export const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
export const record = (v: unknown): Record<string, any> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : {});
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const labelsOf = (o: K8sObject): Record<string, string> => record(o.metadata.labels);
export const annotationsOf = (o: K8sObject): Record<string, string> => record(o.metadata.annotations);
export const specOf = (o: K8sObject): Record<string, any> => record(o.spec);

/** The pod template of a workload, or the pod itself. */
export const podSpecOf = (o: K8sObject): Record<string, any> =>
  o.kind === 'Pod' ? specOf(o) : record(record(specOf(o).template).spec);

/** k8s labels.SelectorFromSet(selector).Matches(labels); an empty selector matches everything. */
export function selects(selector: Record<string, any> | undefined, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) if (labels[k] !== String(v)) return false;
  return true;
}

/** labels.Selector.String(): "k=v,k2=v2", keys sorted. */
export const selectorString = (selector: Record<string, any> | undefined): string =>
  Object.keys(selector ?? {})
    .sort()
    .map((k) => `${k}=${selector![k]}`)
    .join(',');

