// Istio feature flags (pilot/pkg/features), read one way: by their environment variable names from
// options.features, with istiod's defaults, parsed as istiod parses env vars (strconv.ParseBool).

/** The boolean flags meshplan reads, with istiod's defaults. */
const BOOLEAN_FLAGS = {
  PILOT_ENABLE_IP_AUTOALLOCATE: true,
  PILOT_SCOPE_GATEWAY_TO_NAMESPACE: false,
  PILOT_ENABLE_ROUTE_COLLAPSE_OPTIMIZATION: true,
  ENABLE_TLS_ON_SIDECAR_INGRESS: false,
} as const;

export type BooleanFlag = keyof typeof BOOLEAN_FLAGS;

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean flag's value; a value ParseBool refuses leaves the default, as istiod does (with a log line). */
export function featureFlag(features: Record<string, unknown>, name: BooleanFlag): boolean {
  const value = features[name];
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return BOOLEAN_FLAGS[name];
  const text = String(value);
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return BOOLEAN_FLAGS[name];
}
