// istiod's XDS cache, for one mesh index: outbound clusters and their load assignments depend on what a
// proxy sees (type, namespace, sidecar scope, the DestinationRules in force), not on the proxy itself,
// so proxies that see the same are given the same (frozen) objects instead of each building its own.

import type { MeshIndex, Proxy } from '../../mesh/types.js';

const ids = new WeakMap<object, number>();
let nextId = 0;

/** A number naming an object for cache keys (identity, not content). */
export function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++nextId));
  return id;
}

/**
 * What a proxy's outbound clusters and endpoints depend on; proxies with equal keys share them.
 * Undefined when the index cannot tell which rules select the proxy (then nothing is shared).
 */
export function outboundScopeKey(index: MeshIndex, proxy: Proxy): string | undefined {
  if (!index.destinationRuleSelectorKey) return undefined;
  return `${proxy.type}|${proxy.namespace}|${idOf(index.sidecarScope(proxy))}|${index.destinationRuleSelectorKey(proxy)}`;
}

/** The entry of `key` in a memo table (one per mesh index and purpose, or per shared object), made on first use. */
export function memoFor<K, T>(tables: { get(key: K): T | undefined; set(key: K, value: T): unknown }, key: K, make: () => NoInfer<T>): T {
  let entry = tables.get(key);
  if (entry === undefined) tables.set(key, (entry = make()));
  return entry;
}

/** Shared results are frozen (src/util/freeze.ts). */
export { deepFreeze } from '../../util/freeze.js';
