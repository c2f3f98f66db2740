// Kubernetes objects as they come out of the manifest stage: parsed, defaulted
// (namespace "default"; "" for the cluster-scoped Namespace kind), List-unpacked, and each tagged with where it came from.

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences?: { kind: string; name: string; apiVersion?: string }[];
  [field: string]: unknown;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  /** Set on Istio objects meshplan derives from other kinds (as istiod converts Ingress): the input object. */
  derivedFrom?: SourceRef;
  [field: string]: any;
}

/** Position of an object in the input: document index (0-based) in the YAML stream or array. */
export interface SourceRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface ManifestProblem {
  /** 0-based index of the document (or array element) in the input. */
  document: number;
  kind?: string;
  /** "namespace/name" when known ("name" for a Namespace). */
  object?: string;
  /** Field path in the object, e.g. "spec.http[0].route[0].destination.host". */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** A problem of a request as a whole, not of one document (document -1): what a 400's errors list. */
export const requestProblem = (path: string, message: string): ManifestProblem => ({ document: -1, path, message, severity: 'error' });

export interface ParsedManifests {
  objects: K8sObject[];
  /** The document index of each object (parallel to objects). */
  documents: number[];
  /** Objects of kinds meshplan does not translate (warned about and left out of objects), for analyze. */
  ignored: { object: K8sObject; document: number }[];
  /** Errors make the input invalid; warnings (unused kinds, unknown fields) do not. */
  problems: ManifestProblem[];
}

/** The API group of an apiVersion ("networking.istio.io" of networking.istio.io/v1; "v1" of the core v1). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(0, slash);
}

export const sourceRef = (o: K8sObject): SourceRef =>
  o.derivedFrom ?? { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };

/** Hard limits on manifest input, so hostile or accidental huge input fails fast. */
export interface ManifestLimits {
  /** Total input size in bytes (UTF-8 for YAML, JSON length for arrays). */
  maxBytes: number;
  /** Number of documents (YAML) or array elements. */
  maxDocuments: number;
  /** Alias nodes resolved per document (stops "billion laughs"). */
  maxAliasCount: number;
  /** Nesting depth of maps and sequences. */
  maxDepth: number;
}

/** Each source once, in first-seen order. */
export function dedupeSources(sources: SourceRef[]): SourceRef[] {
  const seen = new Set<string>();
  return sources.filter((s) => {
    const key = `${s.kind}/${s.namespace}/${s.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
