// Istio feature flags (pilot/pkg/features), read one way: by their environment variable names from
// options.features, with istiod's defaults, parsed as istiod parses its env vars (env.Register: ParseBool,
// ParseFloat; a value that does not parse leaves the default).

/** The flags meshplan reads, with istiod's defaults. */
const FLAGS = {
  PILOT_ENABLE_IP_AUTOALLOCATE: true,
  PILOT_SCOPE_GATEWAY_TO_NAMESPACE: false,
  PILOT_ENABLE_ROUTE_COLLAPSE_OPTIMIZATION: true,
  ENABLE_TLS_ON_SIDECAR_INGRESS: false,
  PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER: false,
  PILOT_TRACE_SAMPLING: 1,
  MAX_CONNECTIONS_PER_SOCKET_EVENT_LOOP: 1,
  K8S_INGRESS_NS: 'istio-system',
  ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY: true,
  PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS: false,
  PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS: true,
  ENABLE_GATEWAY_API_MANUAL_DEPLOYMENT: true,
} as const;

type Flags = typeof FLAGS;
export type BooleanFlag = { [K in keyof Flags]: Flags[K] extends boolean ? K : never }[keyof Flags];
export type NumberFlag = { [K in keyof Flags]: Flags[K] extends number ? K : never }[keyof Flags];
export type StringFlag = { [K in keyof Flags]: Flags[K] extends string ? K : never }[keyof Flags];

type Features = Record<string, unknown> | undefined;

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean flag (strconv.ParseBool). */
export function featureFlag(features: Features, name: BooleanFlag): boolean {
  const value = features?.[name];
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return FLAGS[name];
  const text = String(value);
  return TRUE.has(text) ? true : FALSE.has(text) ? false : FLAGS[name];
}

/** A number flag (strconv.ParseFloat). */
export function featureNumber(features: Features, name: NumberFlag): number {
  const value = features?.[name];
  if (value === undefined || value === null || value === '') return FLAGS[name];
  const n = Number(value);
  return Number.isFinite(n) ? n : FLAGS[name];
}

/** A string flag; empty means the default. */
export function featureString(features: Features, name: StringFlag): string {
  const value = features?.[name];
  return typeof value === 'string' && value !== '' ? value : FLAGS[name];
}
