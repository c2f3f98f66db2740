// The Envoy config diff between two translations (or a translation and a live dump): proxies
// matched by namespace/name, then per xDS kind the resources added, removed and changed, each
// change with its fields and the manifests behind the resource on each side.
//
// Proxies that see the same mesh share generated resources (the xDS stage's caches, like istiod's
// XDS cache), so the comparison of two resources, and of two whole lists, is remembered by the pair
// of objects: a change seen by 2000 proxies is worked out once.

import type { ProxyType } from '../contract.js';
import type { Cluster, ProxyXds } from '../xds/envoy.js';
import { describeSources } from '../xds/provenance.js';
import type { Provenance } from '../xds/types.js';
import { diffFields, type FieldChange } from './fields.js';

export const XDS_KINDS = ['listeners', 'routes', 'clusters', 'endpoints'] as const;
export type XdsKind = (typeof XDS_KINDS)[number];

export interface DiffProxyRef {
  namespace: string;
  name: string;
  type: ProxyType;
}

export interface ResourceChange {
  kind: XdsKind;
  /** The resource's name (a load assignment's cluster_name). */
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** The fields that differ (changed resources; left out with detail=summary). */
  fields?: FieldChange[];
  /** "Kind namespace/name" of each manifest behind the resource (for routes: behind the virtual hosts changed). */
  provenance: { before: string[]; after: string[] };
}

export type ProxyStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface ProxyDiff {
  proxy: DiffProxyRef;
  status: ProxyStatus;
  changes: ResourceChange[];
}

export interface KindCounts {
  added: number;
  removed: number;
  changed: number;
}

export interface EnvoyDiffSummary {
  proxies: number;
  changed: number;
  unchanged: number;
  added: number;
  removed: number;
  /** Resource changes summed over proxies, per xDS kind. */
  resources: Record<XdsKind, KindCounts>;
}

/** A proxy's config: its resources, the manifests behind them, and which leading clusters it shares with its scope. */
export type ProxyConfig = ProxyXds & { provenance?: Provenance; sharedClusters?: readonly Cluster[] };

/** One proxy of one side: who it is, and its config when asked (generated lazily, one proxy at a time). */
export interface SideProxy {
  ref: DiffProxyRef;
  xds(): ProxyConfig;
}

/** The changes of one xDS kind between two lists of resources, by name, without provenance. */
interface KindDiff {
  added: string[];
  removed: string[];
  changed: { name: string; fields: FieldChange[] }[];
}

const NO_FIELDS: FieldChange[] = [];
const NO_CHANGE: KindDiff = { added: [], removed: [], changed: [] };

const resourceName = (kind: XdsKind, r: Record<string, unknown>): string =>
  String(kind === 'endpoints' ? r.cluster_name : r.name);

/** Remembered results by pair of objects; weak on both, so they go with the resources. */
class PairMemo<T> {
  private readonly byFirst = new WeakMap<object, WeakMap<object, T>>();
  get(a: object, b: object, make: () => T): T {
    let inner = this.byFirst.get(a);
    if (!inner) this.byFirst.set(a, (inner = new WeakMap()));
    let value = inner.get(b);
    if (value === undefined) inner.set(b, (value = make()));
    return value;
  }
}

const resourceDiffs = new PairMemo<FieldChange[]>();
const kindDiffs = new PairMemo<KindDiff>();

function resourceFields(a: object, b: object): FieldChange[] {
  if (a === b) return NO_FIELDS;
  return resourceDiffs.get(a, b, () => diffFields(a, b));
}

type Resources = readonly Record<string, unknown>[];

/** Resources matched by name, remembered per pair of lists (proxies of one scope share theirs). */
function diffKind(kind: XdsKind, a: Resources, b: Resources): KindDiff {
  if (a === b) return NO_CHANGE;
  return kindDiffs.get(a, b, () => diffLists(kind, a, b));
}

/** Resources matched by name; lists in the same order (the usual case) are walked side by side. */
function diffLists(kind: XdsKind, a: Resources, b: Resources): KindDiff {
  const out: KindDiff = { added: [], removed: [], changed: [] };
  let i = 0;
  for (; i < a.length && i < b.length; i++) {
    const name = resourceName(kind, a[i]);
    if (name !== resourceName(kind, b[i])) break;
    const fields = resourceFields(a[i], b[i]);
    if (fields.length > 0) out.changed.push({ name, fields });
  }
  if (i < a.length || i < b.length) {
    const restA = new Map(a.slice(i).map((r) => [resourceName(kind, r), r]));
    const restB = new Map(b.slice(i).map((r) => [resourceName(kind, r), r]));
    for (const [name, r] of restA) {
      const other = restB.get(name);
      if (!other) out.removed.push(name);
      else {
        const fields = resourceFields(r, other);
        if (fields.length > 0) out.changed.push({ name, fields });
      }
    }
    for (const name of restB.keys()) if (!restA.has(name)) out.added.push(name);
  }
  return out;
}

const nameSets = new WeakMap<Resources, Set<string>>();
function namesOf(kind: XdsKind, list: Resources): Set<string> {
  let names = nameSets.get(list);
  if (!names) nameSets.set(list, (names = new Set(list.map((r) => resourceName(kind, r)))));
  return names;
}

/**
 * Clusters as the shared run of the proxy's scope (compared once per pair of scopes) and the proxy's
 * own rest; a cluster that moved between the two is matched over the whole list instead.
 */
function diffClusters(a: ProxyConfig, b: ProxyConfig): KindDiff {
  const all = (x: ProxyConfig) => x.clusters as unknown as Resources;
  if (!a.sharedClusters || !b.sharedClusters) return diffKind('clusters', all(a), all(b));
  const [headA, headB] = [a.sharedClusters as unknown as Resources, b.sharedClusters as unknown as Resources];
  const [restA, restB] = [all(a).slice(headA.length), all(b).slice(headB.length)];
  const head = diffKind('clusters', headA, headB);
  const rest = diffLists('clusters', restA, restB);
  const inRest = (list: Resources, name: string) => list.some((r) => resourceName('clusters', r) === name);
  const moved =
    rest.added.some((n) => namesOf('clusters', headA).has(n)) ||
    rest.removed.some((n) => namesOf('clusters', headB).has(n)) ||
    head.added.some((n) => inRest(restA, n)) ||
    head.removed.some((n) => inRest(restB, n));
  if (moved) return diffKind('clusters', all(a), all(b));
  if (rest.added.length + rest.removed.length + rest.changed.length === 0) return head;
  return { added: [...head.added, ...rest.added], removed: [...head.removed, ...rest.removed], changed: [...head.changed, ...rest.changed] };
}

const PROVENANCE_OF: Record<Exclude<XdsKind, 'routes'>, keyof Provenance> = {
  listeners: 'listeners',
  clusters: 'clusters',
  endpoints: 'endpoints',
};

/** The virtual hosts a route configuration change touches, from its field paths. */
function touchedVirtualHosts(fields: FieldChange[]): string[] {
  const names = new Set<string>();
  for (const f of fields) {
    const m = /^virtual_hosts\[([^\]]+)\]/.exec(f.path);
    if (m) names.add(m[1]);
  }
  return [...names];
}

/** The manifests behind one resource of one side; for a route configuration, behind the virtual hosts changed. */
function sourcesOf(provenance: Provenance | undefined, kind: XdsKind, name: string, fields: FieldChange[]): string[] {
  if (!provenance) return [];
  if (kind !== 'routes') return describeSources(provenance[PROVENANCE_OF[kind]][name] ?? []);
  const vhosts = touchedVirtualHosts(fields);
  const refs = vhosts.length
    ? vhosts.flatMap((vh) => provenance.virtualHosts[`${name}/${vh}`] ?? [])
    : (provenance.routes[name] ?? []);
  return describeSources(refs);
}

/** One proxy's changes, kind by kind, in the kinds' order and each kind's resources by name. */
export function diffProxyXds(before: ProxyConfig, after: ProxyConfig): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const kind of XDS_KINDS) {
    const d = kind === 'clusters' ? diffClusters(before, after) : diffKind(kind, before[kind] as unknown as Resources, after[kind] as unknown as Resources);
    if (d.added.length + d.removed.length + d.changed.length === 0) continue;
    const entries: ResourceChange[] = [
      ...d.added.map((name) => ({ kind, name, change: 'added' as const, provenance: { before: [], after: sourcesOf(after.provenance, kind, name, NO_FIELDS) } })),
      ...d.removed.map((name) => ({ kind, name, change: 'removed' as const, provenance: { before: sourcesOf(before.provenance, kind, name, NO_FIELDS), after: [] } })),
      ...d.changed.map(({ name, fields }) => ({
        kind,
        name,
        change: 'changed' as const,
        fields,
        provenance: { before: sourcesOf(before.provenance, kind, name, fields), after: sourcesOf(after.provenance, kind, name, fields) },
      })),
    ];
    entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    changes.push(...entries);
  }
  return changes;
}

const proxyKey = (p: DiffProxyRef): string => `${p.namespace}/${p.name}`;

/** Every proxy of either side, matched by namespace/name, in name order. */
/** onProgress: proxies compared so far, of how many (a job's progress, the command line's bar). */
export function diffProxies(before: SideProxy[], after: SideProxy[], onProgress?: (done: number, total: number) => void): ProxyDiff[] {
  const old = new Map(before.map((p) => [proxyKey(p.ref), p]));
  const now = new Map(after.map((p) => [proxyKey(p.ref), p]));
  const keys = [...new Set([...old.keys(), ...now.keys()])].sort();
  return keys.map((key, i): ProxyDiff => {
    const a = old.get(key);
    const b = now.get(key);
    let diff: ProxyDiff;
    if (!a) diff = { proxy: b!.ref, status: 'added', changes: [] };
    else if (!b) diff = { proxy: a.ref, status: 'removed', changes: [] };
    else {
      const changes = diffProxyXds(a.xds(), b.xds());
      diff = { proxy: b.ref, status: changes.length ? 'changed' : 'unchanged', changes };
    }
    onProgress?.(i + 1, keys.length);
    return diff;
  });
}

export function summarize(proxies: ProxyDiff[]): EnvoyDiffSummary {
  const resources = Object.fromEntries(XDS_KINDS.map((k) => [k, { added: 0, removed: 0, changed: 0 }])) as Record<XdsKind, KindCounts>;
  const summary: EnvoyDiffSummary = { proxies: proxies.length, changed: 0, unchanged: 0, added: 0, removed: 0, resources };
  for (const p of proxies) {
    summary[p.status]++;
    for (const c of p.changes) resources[c.kind][c.change]++;
  }
  return summary;
}
