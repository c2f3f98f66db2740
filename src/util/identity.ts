// Object identity as numbers, for cache keys made of the objects something was built from
// (two keys are equal only when they name the very same objects, never merely equal ones).

const ids = new WeakMap<object, number>();
let nextId = 0;

/** A number naming an object for cache keys (identity, not content). */
export function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++nextId));
  return id;
}

/** The ids of a list of objects (undefined entries as empty), joined: equal only for the same objects in the same order. */
export const idsOf = (os: readonly (object | undefined)[]): string => os.map((o) => (o ? idOf(o) : '')).join(',');
