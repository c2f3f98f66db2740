// istiod's XDS cache, for one mesh index: outbound clusters and their load assignments depend on what a
// proxy sees (its scope view, src/xds/scope-view.ts), not on the proxy itself, so proxies that see the
// same are given the same (frozen) objects instead of each building its own.

/** The entry of `key` in a memo table (one per mesh index and purpose, or per shared object), made on first use. */
export function memoFor<K, T>(tables: { get(key: K): T | undefined; set(key: K, value: T): unknown }, key: K, make: () => NoInfer<T>): T {
  let entry = tables.get(key);
  if (entry === undefined) tables.set(key, (entry = make()));
  return entry;
}

/** Shared results are frozen (src/util/freeze.ts). */
export { deepFreeze } from '../../util/freeze.js';
