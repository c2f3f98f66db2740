// Values shared between callers (proxies of one scope, revisions of one scenario) are frozen, so a
// caller that mutates one fails loudly instead of changing what the others see.

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
