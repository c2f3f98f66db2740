// Per-route filter configs from VirtualService `fault` and `corsPolicy`
// (pilot/pkg/networking/core/route/route.go TranslateFault, TranslateCORSPolicy).

import type { Percent, HttpFaultInjection, CorsPolicy } from '../../../mesh/istio-api.js';

export type { Percent, HttpFaultInjection, CorsPolicy };
import type { TypedConfig } from '../../envoy.js';
import { durationJson, parseDurationNanos } from '../../../mesh/durations.js';
import { stringMatcher } from './matchers.js';

export const FAULT_FILTER = 'envoy.filters.http.fault';
export const CORS_FILTER = 'envoy.filters.http.cors';

/** Istio Percent (0-100, fractional) → FractionalPercent per million. */
export const percentToFraction = (p: Percent): Record<string, unknown> => {
  const numerator = Math.round((p.value ?? 0) * 10000);
  return { ...(numerator ? { numerator } : {}), denominator: 'MILLION' };
};

/** Integer percent → FractionalPercent per hundred (the default denominator, so omitted). */
export const integerPercent = (n: number): Record<string, unknown> => (n ? { numerator: n } : {});

/** gRPC status names Istio accepts (pkg/config/validation grpc.SupportedGRPCStatus). */
const GRPC_STATUS: Record<string, number> = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
};

/** HTTPFault for typed_per_filter_config, or undefined when neither delay nor abort is usable. */
export function translateFault(fault: HttpFaultInjection): TypedConfig | undefined {
  let delay: Record<string, unknown> | undefined;
  if (fault.delay) {
    const percentage = fault.delay.percentage
      ? percentToFraction(fault.delay.percentage)
      : integerPercent(fault.delay.percent ?? 0);
    // Exponential delays are not supported by Istio: the delay is dropped.
    if (fault.delay.fixedDelay !== undefined) {
      delay = { fixed_delay: durationJson(fault.delay.fixedDelay), percentage };
    }
  }
  let abort: Record<string, unknown> | undefined;
  if (fault.abort) {
    const percentage = fault.abort.percentage ? { percentage: percentToFraction(fault.abort.percentage) } : {};
    if (fault.abort.httpStatus !== undefined) abort = { http_status: fault.abort.httpStatus, ...percentage };
    else if (fault.abort.grpcStatus !== undefined) {
      const code = GRPC_STATUS[fault.abort.grpcStatus] ?? 0;
      abort = { ...(code ? { grpc_status: code } : {}), ...percentage };
    }
  }
  if (!delay && !abort) return undefined;
  return {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
    ...(delay ? { delay } : {}),
    ...(abort ? { abort } : {}),
  };
}

/** CorsPolicy for typed_per_filter_config. */
export function translateCors(cors: CorsPolicy): TypedConfig {
  const out: TypedConfig = { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy' };
  if (cors.allowOrigins) out.allow_origin_string_match = cors.allowOrigins.map(stringMatcher).filter((m) => m !== undefined);
  else if (cors.allowOrigin) out.allow_origin_string_match = cors.allowOrigin.map((exact) => ({ exact }));
  const join = (list?: string[]) => (list ?? []).join(',');
  if (join(cors.allowMethods)) out.allow_methods = join(cors.allowMethods);
  if (join(cors.allowHeaders)) out.allow_headers = join(cors.allowHeaders);
  if (join(cors.exposeHeaders)) out.expose_headers = join(cors.exposeHeaders);
  if (cors.maxAge !== undefined) {
    const nanos = parseDurationNanos(cors.maxAge);
    out.max_age = nanos === undefined ? cors.maxAge : (nanos / 1_000_000_000n).toString();
  }
  if (cors.allowCredentials !== undefined) out.allow_credentials = cors.allowCredentials;
  out.filter_enabled = { default_value: { numerator: 100 } };
  out.forward_not_matching_preflights = cors.unmatchedPreflights !== 'IGNORE';
  return out;
}
