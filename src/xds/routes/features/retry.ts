// VirtualService `retries` (and MeshConfig defaultHttpRetryPolicy) → Envoy RetryPolicy
// (pilot/pkg/networking/core/route/retry/retry.go ConvertPolicy).

import type { HttpRetry } from '../../../mesh/istio-api.js';

export type { HttpRetry };
import { durationJson } from '../../../mesh/durations.js';

const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

const PREVIOUS_HOSTS_PREDICATE = {
  name: 'envoy.retry_host_predicates.previous_hosts',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
};

const PREVIOUS_PRIORITIES = {
  name: 'envoy.retry_priorities.previous_priorities',
  typed_config: {
    '@type': 'type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig',
    update_frequency: 2,
  },
};

/** HTTP status codes Go's http.StatusText knows: only these count as retriable status codes in retryOn. */
const KNOWN_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
  424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

const basePolicy = (numRetries: number, consistentHash: boolean): Record<string, unknown> => ({
  retry_on: DEFAULT_RETRY_ON,
  num_retries: numRetries,
  ...(consistentHash ? {} : { retry_host_predicate: [PREVIOUS_HOSTS_PREDICATE] }),
  host_selection_retry_max_attempts: '5',
});

/** Istio's default when neither the route nor MeshConfig sets a policy, with and without consistent hashing. */
const DEFAULT_POLICIES = [basePolicy(2, false), basePolicy(2, true)];

/** Converted policies by policy object (VS `retries`, MeshConfig default): routes share them, read-only. */
const convertedPolicies = new WeakMap<HttpRetry, (Record<string, unknown> | undefined)[]>();

/** The Envoy retry_policy for a route; undefined when retries are disabled (attempts <= 0). */
export function convertRetryPolicy(policy: HttpRetry | undefined, consistentHash: boolean): Record<string, unknown> | undefined {
  const slot = consistentHash ? 1 : 0;
  if (policy === undefined || policy === null) return DEFAULT_POLICIES[slot];
  let converted = convertedPolicies.get(policy);
  if (!converted) convertedPolicies.set(policy, (converted = [convertPolicy(policy, false), convertPolicy(policy, true)]));
  return converted[slot];
}

function convertPolicy(policy: HttpRetry, consistentHash: boolean): Record<string, unknown> | undefined {
  const attempts = policy.attempts ?? 0;
  if (attempts <= 0) return undefined;
  const out = basePolicy(attempts, consistentHash);
  if (policy.retryOn) {
    const codes: number[] = [];
    const conditions: string[] = [];
    for (const raw of policy.retryOn.split(',')) {
      const part = raw.trim();
      if (part === '') continue;
      const code = /^[+-]?\d+$/.test(part) ? Number(part) : NaN;
      if (KNOWN_STATUS.has(code)) codes.push(code);
      else conditions.push(part);
    }
    let retryOn = conditions.join(',');
    if (codes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn += ',retriable-status-codes';
    if (retryOn === '') delete out.retry_on;
    else out.retry_on = retryOn;
    if (codes.length > 0) out.retriable_status_codes = codes;
  }
  if (policy.perTryTimeout) out.per_try_timeout = durationJson(policy.perTryTimeout);
  if (policy.retryIgnorePreviousHosts !== undefined) {
    if (policy.retryIgnorePreviousHosts) out.retry_host_predicate = [PREVIOUS_HOSTS_PREDICATE];
    else delete out.retry_host_predicate;
  }
  if (policy.retryRemoteLocalities) out.retry_priority = PREVIOUS_PRIORITIES;
  if (policy.backoff) out.retry_back_off = { base_interval: durationJson(policy.backoff) };
  return orderRetryFields(out);
}

// Proto field order of envoy.config.route.v3.RetryPolicy, so dumps read like Envoy's.
const RETRY_FIELD_ORDER = [
  'retry_on', 'num_retries', 'per_try_timeout', 'retry_priority', 'retry_host_predicate',
  'host_selection_retry_max_attempts', 'retriable_status_codes', 'retry_back_off',
];

function orderRetryFields(policy: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of RETRY_FIELD_ORDER) if (policy[key] !== undefined) out[key] = policy[key];
  return out;
}
