// What the mesh index derives from one input object, kept for the next revision (as istiod's push
// context keeps what a config change cannot reach). parseManifests gives an unchanged document's
// object again, deep-frozen, so a conversion keyed by that object (and by everything else it reads,
// compared by identity) is the same as computing it again. Objects that are not frozen belong to a
// caller who may change them: they are converted every time. A kept value is frozen, since every index
// that reuses it shares it.

import { deepFreeze } from '../util/freeze.js';

/** One conversion per frozen object, reused while the object and what else it reads are the same. */
export class ObjectMemo<V> {
  private readonly table = new WeakMap<object, { deps: readonly unknown[]; value: V }>();

  /** `compute`'s value for `o`, reused when `o` is frozen and each of `deps` is the same (Object.is) as then. */
  get(o: object, deps: readonly unknown[], compute: () => V): V {
    if (!Object.isFrozen(o)) return compute();
    const hit = this.table.get(o);
    if (hit && sameDeps(hit.deps, deps)) return hit.value;
    const value = deepFreeze(compute());
    this.table.set(o, { deps, value });
    return value;
  }
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
