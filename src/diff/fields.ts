// Field-by-field difference of two Envoy resources (proto3 JSON). Arrays of named things are
// matched by name, so a path names the thing ("virtual_hosts[reviews.default.svc.cluster.local:9080]")
// and reordering alone is no change; where Envoy acts on the order (routes match first to last,
// filters run in order) a change of order is reported as a reorder.

export interface FieldChange {
  /** e.g. "virtual_hosts[reviews.default.svc.cluster.local:9080].routes[default].route.timeout" */
  path: string;
  /** Absent when the field is added. */
  before?: unknown;
  /** Absent when the field is removed. */
  after?: unknown;
  /** An ordered list whose entries stayed but moved: before and after are the keys in order. */
  reorder?: true;
}

/** The path of a change as its segments (".field" and "[key]"), for describing it; keys may hold dots and brackets. */
const segmentsOf = new WeakMap<FieldChange, readonly string[]>();
export const pathSegments = (change: FieldChange): readonly string[] => segmentsOf.get(change) ?? [change.path];

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Envoy acts on the order of these lists; the others are sets however they are written. */
const ORDERED = new Set(['routes', 'filters', 'http_filters', 'listener_filters']);

/** A socket address as "ip:port" (lb endpoints, addresses). */
function addressText(address: unknown): string | undefined {
  if (!isObject(address)) return undefined;
  const socket = address.socket_address;
  if (isObject(socket)) return `${String(socket.address)}:${String(socket.port_value ?? socket.named_port ?? '')}`;
  const pipe = address.pipe;
  if (isObject(pipe)) return `unix:${String(pipe.path)}`;
  return undefined;
}

/** Canonical JSON (sorted keys): a stable description of an unnamed entry. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What names an entry of the list `field`: its name where it has one, else what Envoy tells it by
 * (an lb endpoint by its address, a locality by region/zone/sub-zone, an unnamed route by its match).
 * Undefined: the list is matched by position.
 */
function entryName(field: string, entry: unknown): string | undefined {
  if (!isObject(entry)) return undefined;
  if (field === 'lb_endpoints') {
    const endpoint = entry.endpoint;
    return (isObject(endpoint) && addressText(endpoint.address)) || undefined;
  }
  if (field === 'endpoints' && (isObject(entry.locality) || Array.isArray(entry.lb_endpoints))) {
    const l = isObject(entry.locality) ? entry.locality : {};
    const locality = [l.region, l.zone, l.sub_zone].filter((p) => typeof p === 'string' && p).join('/') || '*';
    return typeof entry.priority === 'number' && entry.priority > 0 ? `${locality} priority ${entry.priority}` : locality;
  }
  if (typeof entry.name === 'string' && entry.name !== '') return entry.name;
  if (field === 'routes' && isObject(entry.match)) return canonical(entry.match);
  return undefined;
}

/**
 * Keys of a list's entries, unique within the list, or undefined when the list is matched by position.
 * Entries sharing a name (filter chains of one listener may) are told apart by their match, then by
 * their rank among equals ("#2").
 */
function entryKeys(field: string, list: unknown[]): string[] | undefined {
  if (list.length === 0) return [];
  const names: string[] = [];
  for (const entry of list) {
    const name = entryName(field, entry);
    if (name === undefined) return undefined;
    names.push(name);
  }
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  if (counts.size === names.length) return names;
  const seen = new Map<string, number>();
  return names.map((n, i) => {
    let key = n;
    if (counts.get(n)! > 1) {
      const match = (list[i] as Obj).filter_chain_match;
      if (match !== undefined) key = `${n} ${canonical(match)}`;
    }
    const rank = (seen.get(key) ?? 0) + 1;
    seen.set(key, rank);
    return rank > 1 ? `${key} #${rank}` : key;
  });
}

/** Compares two values under a path, appending each difference; the path segments are joined only for differences. */
class FieldDiffer {
  readonly changes: FieldChange[] = [];
  private readonly segments: string[] = [];

  private push(change: Omit<FieldChange, 'path'>, last?: string): void {
    const segments = last === undefined ? [...this.segments] : [...this.segments, last];
    const full: FieldChange = { path: segments.join('').replace(/^\./, ''), ...change };
    segmentsOf.set(full, segments);
    this.changes.push(full);
  }

  value(a: unknown, b: unknown): void {
    if (sameAsWritten(a, b)) return;
    if (isObject(a) && isObject(b)) return this.object(a, b);
    if (Array.isArray(a) && Array.isArray(b)) return this.array(a, b);
    if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return;
    this.push({ before: a, after: b });
  }

  private object(a: Obj, b: Obj): void {
    for (const k of Object.keys(a)) {
      if (a[k] === undefined) continue;
      if (b[k] === undefined) this.push({ before: a[k] }, `.${k}`);
      else {
        this.segments.push(`.${k}`);
        this.value(a[k], b[k]);
        this.segments.pop();
      }
    }
    for (const k of Object.keys(b)) if (b[k] !== undefined && a[k] === undefined) this.push({ after: b[k] }, `.${k}`);
  }

  private array(a: unknown[], b: unknown[]): void {
    const field = (this.segments[this.segments.length - 1] ?? '').replace(/^\./, '');
    const keysA = entryKeys(field, a);
    const keysB = keysA && entryKeys(field, b);
    if (!keysA || !keysB) return this.positional(a, b);
    const inA = new Map(keysA.map((k, i) => [k, a[i]]));
    const inB = new Map(keysB.map((k, i) => [k, b[i]]));
    for (const [k, entry] of inA) {
      if (!inB.has(k)) this.push({ before: entry }, `[${k}]`);
      else {
        this.segments.push(`[${k}]`);
        this.value(entry, inB.get(k));
        this.segments.pop();
      }
    }
    for (const [k, entry] of inB) if (!inA.has(k)) this.push({ after: entry }, `[${k}]`);
    if (ORDERED.has(field)) {
      const kept = new Set(keysA.filter((k) => inB.has(k)));
      const orderA = keysA.filter((k) => kept.has(k));
      const orderB = keysB.filter((k) => kept.has(k));
      if (orderA.some((k, i) => k !== orderB[i])) this.push({ before: orderA, after: orderB, reorder: true });
    }
  }

  /** Lists of plain values (domains, SANs) compare whole; lists of unnamed objects entry by entry. */
  private positional(a: unknown[], b: unknown[]): void {
    if (![...a, ...b].some((v) => isObject(v) || Array.isArray(v))) {
      if (a.length !== b.length || a.some((v, i) => v !== b[i])) this.push({ before: a, after: b });
      return;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) this.push({ before: a[i] }, `[${i}]`);
      else if (i >= a.length) this.push({ after: b[i] }, `[${i}]`);
      else {
        this.segments.push(`[${i}]`);
        this.value(a[i], b[i]);
        this.segments.pop();
      }
    }
  }
}

/** Equal as written, entry by entry: the quick check that spares most resources the differ's bookkeeping. */
function sameAsWritten(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameAsWritten(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // for-in rather than Object.keys: no arrays to allocate, and most resources compared are equal.
  let count = 0;
  for (const k in a) {
    if (!sameAsWritten((a as Obj)[k], (b as Obj)[k])) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

/** Every field that differs between two versions of one resource; empty when they are equal. */
export function diffFields(before: unknown, after: unknown): FieldChange[] {
  if (sameAsWritten(before, after)) return [];
  const differ = new FieldDiffer();
  differ.value(before, after);
  return differ.changes;
}
