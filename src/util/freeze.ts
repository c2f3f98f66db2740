// Values shared between callers (proxies of one scope, revisions of one scenario) are frozen, so a
// caller that mutates one fails loudly instead of changing what the others see.

export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  // Own enumerable properties, walked without Object.values' array per object (manifests have ~100k objects).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const k in value) if (Object.hasOwn(value, k)) deepFreeze((value as Record<string, unknown>)[k]);
  }
  return value;
}
