// The difference between two revisions' manifests, object by object: objects are matched
// by API group, kind, namespace and name; a changed object lists its changed fields.

import type { K8sObject } from '../manifests/types.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface FieldChange {
  /** Field path, e.g. "spec.http[0].route[1].weight". */
  path: string;
  from?: unknown;
  to?: unknown;
}

export interface ManifestDiff {
  added: ObjectRef[];
  removed: ObjectRef[];
  changed: (ObjectRef & { changes: FieldChange[] })[];
  unchanged: number;
}

const group = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const keyOf = (o: K8sObject): string => `${group(o.apiVersion)}|${o.kind}|${o.metadata.namespace}|${o.metadata.name}`;
const refOf = (o: K8sObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata.namespace,
  name: o.metadata.name,
});

export function diffObjects(before: K8sObject[], after: K8sObject[]): ManifestDiff {
  const old = new Map(before.map((o) => [keyOf(o), o]));
  const now = new Map(after.map((o) => [keyOf(o), o]));
  const diff: ManifestDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const [key, o] of now) {
    const previous = old.get(key);
    if (!previous) {
      diff.added.push(refOf(o));
      continue;
    }
    const changes: FieldChange[] = [];
    diffValues(previous, o, '', changes);
    if (changes.length > 0) diff.changed.push({ ...refOf(o), changes });
    else diff.unchanged++;
  }
  for (const [key, o] of old) if (!now.has(key)) diff.removed.push(refOf(o));
  const order = (a: ObjectRef, b: ObjectRef) =>
    `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`);
  diff.added.sort(order);
  diff.removed.sort(order);
  diff.changed.sort(order);
  return diff;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function diffValues(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      if (!(k in b)) out.push({ path: join(path, k), from: a[k] });
      else if (!(k in a)) out.push({ path: join(path, k), to: b[k] });
      else diffValues(a[k], b[k], join(path, k), out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) out.push({ path: `${path}[${i}]`, from: a[i] });
      else if (i >= a.length) out.push({ path: `${path}[${i}]`, to: b[i] });
      else diffValues(a[i], b[i], `${path}[${i}]`, out);
    }
    return;
  }
  if (!Object.is(a, b)) out.push({ path, from: a, to: b });
}
