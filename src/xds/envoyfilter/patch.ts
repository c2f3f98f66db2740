// What every EnvoyFilter patcher shares (pilot/pkg/networking/core/envoyfilter/util.go, listener_patch.go
// commonConditionMatch): the patch value read into its Envoy type once, the context test, the ordered
// inserts, and the record of what was patched (provenance) and of patches that would make invalid config.

import { checkEnvoyResource } from '../../envoy/protos.js';
import type { SourceRef } from '../../manifests/types.js';
import type { ApplyTo, EnvoyFilterPatch, PatchContext } from '../../mesh/envoyfilters.js';
import { mergeMessage, readAs } from './proto-json.js';

type JsonObject = Record<string, any>;

/** The Envoy message each applyTo's value is (xds.BuildXDSObjectFromStruct). */
export const VALUE_TYPE: Partial<Record<ApplyTo, string>> = {
  LISTENER: 'envoy.config.listener.v3.Listener',
  FILTER_CHAIN: 'envoy.config.listener.v3.FilterChain',
  NETWORK_FILTER: 'envoy.config.listener.v3.Filter',
  HTTP_FILTER: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
  LISTENER_FILTER: 'envoy.config.listener.v3.ListenerFilter',
  ROUTE_CONFIGURATION: 'envoy.config.route.v3.RouteConfiguration',
  VIRTUAL_HOST: 'envoy.config.route.v3.VirtualHost',
  HTTP_ROUTE: 'envoy.config.route.v3.Route',
  CLUSTER: 'envoy.config.cluster.v3.Cluster',
  EXTENSION_CONFIG: 'envoy.config.core.v3.TypedExtensionConfig',
};

/** A patch istiod would apply that meshplan does not emit, or emits without the fields Envoy's protos lack. */
export interface PatchProblem {
  filter: SourceRef;
  /** Index in spec.configPatches. */
  index: number;
  applyTo: string;
  operation: string;
  /** The resource it was applied to (listener, route configuration or cluster name), if any. */
  target?: string;
  message: string;
}

interface ReadValue {
  value: JsonObject;
  /** JSON paths of fields the type does not have. */
  unknown: string[];
  /** For inserted values: why Envoy would refuse the value on its own (empty when it would not). */
  errors: string[];
}

const readValues = new WeakMap<EnvoyFilterPatch, ReadValue>();

/** Inserting operations, whose value must be a whole valid object. */
const WHOLE = new Set(['ADD', 'INSERT_BEFORE', 'INSERT_AFTER', 'INSERT_FIRST', 'REPLACE']);

/** What one proxy's patch run collects. */
export class PatchRun {
  readonly problems: PatchProblem[] = [];
  /** xDS kind → resource name → the EnvoyFilters that changed it. */
  readonly touched = { listeners: new Map<string, SourceRef[]>(), routes: new Map<string, SourceRef[]>(), virtualHosts: new Map<string, SourceRef[]>(), clusters: new Map<string, SourceRef[]>() };
  private readonly reported = new Set<string>();

  constructor(readonly patches: EnvoyFilterPatch[]) {}

  private readonly byApplyTo = new Map<ApplyTo, EnvoyFilterPatch[]>();

  /** The patches of one applyTo, in order. */
  of(applyTo: ApplyTo): EnvoyFilterPatch[] {
    let list = this.byApplyTo.get(applyTo);
    if (!list) this.byApplyTo.set(applyTo, (list = this.patches.filter((p) => p.applyTo === applyTo)));
    return list;
  }

  report(p: EnvoyFilterPatch, message: string, target?: string): void {
    const key = `${p.filter.namespace}/${p.filter.name}#${p.index}|${target ?? ''}|${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.push({ filter: p.filter.source, index: p.index, applyTo: p.applyTo, operation: p.operation, target, message });
  }

  touch(kind: keyof PatchRun['touched'], name: string, p: EnvoyFilterPatch): void {
    const list = this.touched[kind].get(name) ?? [];
    if (!list.includes(p.filter.source)) list.push(p.filter.source);
    this.touched[kind].set(name, list);
  }

  /** The patch value read into its type (a fresh copy), or undefined when it is not one Envoy would take. */
  value(p: EnvoyFilterPatch, target?: string): JsonObject | undefined {
    let read = readValues.get(p);
    if (!read) {
      const typeName = VALUE_TYPE[p.applyTo]!;
      const { value, unknown } = readAs(typeName, p.value);
      read = { value, unknown, errors: WHOLE.has(p.operation) ? checkEnvoyResource(`type.googleapis.com/${typeName}`, value).errors : [] };
      readValues.set(p, read);
    }
    // As istiod's non-strict reading: unknown fields are dropped, the rest applies.
    if (read.unknown.length > 0) this.report(p, `unknown field(s) ${read.unknown.join(', ')} dropped, as istiod drops them (its validation webhook refuses the EnvoyFilter)`);
    if (read.errors.length > 0) {
      this.report(p, `patch value is not valid ${VALUE_TYPE[p.applyTo]}, so meshplan does not apply it (istiod would push it and Envoy would reject the update): ${read.errors.join('; ')}`, target);
      return undefined;
    }
    return structuredClone(read.value);
  }

  private readonly checked = new Map<string, string[]>();

  /**
   * Why Envoy would refuse a merge result: only the fields the patch sets can have changed, so only those are
   * checked (a patch merged into thousands of clusters checks each distinct result once).
   */
  private mergedErrors(p: EnvoyFilterPatch, typeName: string, merged: JsonObject, value: JsonObject): string[] {
    const keys = Object.keys(value).filter((k) => k in merged);
    const probe = Object.fromEntries(keys.map((k) => [k, merged[k]]));
    const key = `${p.filter.namespace}/${p.filter.name}#${p.index}|${typeName}|${JSON.stringify(probe)}`;
    let errors = this.checked.get(key);
    if (!errors) {
      const mine = (e: string) => keys.some((k) => e.startsWith(`$.${k}.`) || e.startsWith(`$.${k}:`) || e.startsWith(`$.${k}[`));
      errors = checkEnvoyResource(`type.googleapis.com/${typeName}`, probe).errors.filter(mine);
      this.checked.set(key, errors);
    }
    return errors;
  }

  /**
   * MERGE (or MERGE_AND_REPLACE_LIST) of the patch into `dst` of `typeName`: applied only if the result is
   * still valid Envoy config; true when applied.
   */
  merge(p: EnvoyFilterPatch, typeName: string, dst: JsonObject, target: string, mergeFn?: (into: JsonObject, value: JsonObject) => string | undefined): boolean {
    const value = this.value(p, target);
    if (!value) return false;
    // The merge copies what it changes, so the shallow copy keeps dst intact until the result is known valid.
    const into = { ...dst };
    const problem = mergeFn ? mergeFn(into, value) : (mergeMessage(typeName, into, value, { replaceList: p.operation === 'MERGE_AND_REPLACE_LIST' }), undefined);
    if (problem) {
      this.report(p, `${problem}; meshplan does not apply this merge`, target);
      return false;
    }
    const errors = this.mergedErrors(p, typeName, into, value);
    if (errors.length > 0) {
      this.report(p, `merging makes ${typeName} invalid, so meshplan does not apply it (istiod would push it and Envoy would reject the update): ${errors.join('; ')}`, target);
      return false;
    }
    for (const k of Object.keys(dst)) delete dst[k];
    Object.assign(dst, into);
    return true;
  }
}

/** patchContextMatch: the patch's context, or ANY. */
export const contextMatch = (ctx: PatchContext, p: EnvoyFilterPatch): boolean => p.context === ctx || p.context === 'ANY';

export const isMerge = (p: EnvoyFilterPatch): boolean => p.operation === 'MERGE' || p.operation === 'MERGE_AND_REPLACE_LIST';

/** insertBeforeFunc / insertAfterFunc / replaceFunc: at the first element `matches`; false when none does. */
export function insertAt<E>(list: E[], matches: (e: E) => boolean, item: E, where: 'before' | 'after' | 'replace'): boolean {
  const i = list.findIndex(matches);
  if (i === -1) return false;
  if (where === 'replace') list[i] = item;
  else list.splice(where === 'before' ? i : i + 1, 0, item);
  return true;
}

/**
 * The ordered-list operations of filters and routes (ADD, INSERT_FIRST, INSERT_BEFORE/AFTER with or without an
 * element match, REPLACE, REMOVE) as patchNetworkFilters / patchHTTPFilters / patchListenerFilters apply them.
 */
export function patchList<E>(run: PatchRun, p: EnvoyFilterPatch, list: E[], hasMatch: boolean, matches: (e: E) => boolean, target: string): { list: E[]; applied: boolean } {
  const add = (at: 'end' | 'start'): { list: E[]; applied: boolean } => {
    const v = run.value(p, target) as E | undefined;
    if (v === undefined) return { list, applied: false };
    return { list: at === 'end' ? [...list, v] : [v, ...list], applied: true };
  };
  const at = (where: 'before' | 'after' | 'replace'): { list: E[]; applied: boolean } => {
    if (!hasMatch || !list.some(matches)) return { list, applied: false };
    const v = run.value(p, target) as E | undefined;
    if (v === undefined) return { list, applied: false };
    const out = [...list];
    insertAt(out, matches, v, where);
    return { list: out, applied: true };
  };
  switch (p.operation) {
    case 'ADD':
      return add('end');
    case 'INSERT_FIRST':
      return add('start');
    case 'INSERT_AFTER':
      // Without an element to match, INSERT_AFTER is ADD and INSERT_BEFORE is INSERT_FIRST.
      return hasMatch ? at('after') : add('end');
    case 'INSERT_BEFORE':
      return hasMatch ? at('before') : add('start');
    case 'REPLACE':
      return at('replace');
    case 'REMOVE': {
      if (!hasMatch) return { list, applied: false };
      const out = list.filter((e) => !matches(e));
      return { list: out, applied: out.length !== list.length };
    }
    default:
      return { list, applied: false };
  }
}
