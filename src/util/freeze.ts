// Values shared between callers (proxies of one scope, revisions of one scenario) are frozen, so a
// caller that mutates one fails loudly instead of changing what the others see.

export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  freezeObject(value);
  return value;
}

/** Freezes an unfrozen object and, depth first, its unfrozen objects; primitives and frozen parts (shared ones) are not visited. */
function freezeObject(value: object): void {
  Object.freeze(value);
  // Own enumerable properties, walked without Object.values' array per object (manifests have ~100k objects).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) freezeObject(v);
    }
  } else {
    for (const k in value) {
      const v: unknown = (value as Record<string, unknown>)[k];
      if (v !== null && typeof v === 'object' && !Object.isFrozen(v) && Object.hasOwn(value, k)) freezeObject(v);
    }
  }
}
