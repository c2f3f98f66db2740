// Field rules shared by the kinds' validators (pkg/config/validation/agent/validation.go): durations,
// DNS names with wildcards, ports and RE2 regexes, as istiod's validating webhook applies them.

import { parseDurationNanos } from '../mesh/durations.js';
import { isPortNumber } from '../util/ports.js';

/** One refusal (error) or caution (warning) of the webhook, at a field path. */
export interface ValidationIssue {
  path: string;
  message: string;
  severity: 'error' | 'warning';
  /** For the analyzer's more precise messages (schema/validation.go morePreciseMessage). */
  type?: 'VirtualServiceUnreachableRule' | 'VirtualServiceIneffectiveMatch';
  params?: string[];
}

export class Issues {
  readonly list: ValidationIssue[] = [];
  error(path: string, message: string): void {
    this.list.push({ path, message, severity: 'error' });
  }
  warning(path: string, message: string, type?: ValidationIssue['type'], params?: string[]): void {
    this.list.push({ path, message, severity: 'warning', ...(type ? { type, params } : {}) });
  }
}

const MS = 1_000_000n;

/** ValidateDuration: at least 1ms, in whole milliseconds; and it must parse at all. */
export function checkDuration(issues: Issues, path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  const nanos = typeof value === 'string' ? parseDurationNanos(value) : undefined;
  if (nanos === undefined) return issues.error(path, `${JSON.stringify(value)} is not a duration (e.g. "1s", "0.5s", "250ms")`);
  if (nanos < MS) return issues.error(path, 'duration must be greater than 1ms');
  if (nanos % MS !== 0n) issues.error(path, 'only durations to ms precision are supported');
}

/** ValidatePort: 1 to 65535. */
export function checkPort(issues: Issues, path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isPortNumber(Number(value))) issues.error(path, `port number ${value} must be in the range 1..65535`);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;

/** ValidateWildcardDomain: DNS-1123 labels, a wildcard only as (the start of) the first label. */
export function wildcardDomainProblem(domain: string): string | undefined {
  if (domain.length === 0) return 'empty domain name not allowed';
  if (domain.length > 255) return `domain name ${JSON.stringify(domain)} too long (max 255)`;
  const [first, ...rest] = domain.split('.');
  const firstOk = first === '*' || (first.startsWith('*') ? DNS1123_LABEL.test(first.slice(1)) : DNS1123_LABEL.test(first));
  if (!firstOk) return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(first)} invalid)`;
  // A trailing dot (FQDN form) leaves an empty last label, which Istio accepts.
  const labels = rest.length > 0 && rest[rest.length - 1] === '' ? rest.slice(0, -1) : rest;
  const bad = labels.find((l) => l.length > 63 || !DNS1123_LABEL.test(l));
  return bad === undefined ? undefined : `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(bad)} invalid)`;
}

/**
 * validateStringMatchRegexp: RE2 syntax, at most 1024 characters. RE2 has no lookaround or backreferences;
 * the rest is checked by compiling it (RE2's (?P<name>) groups read as JavaScript's (?<name>)).
 */
export function regexProblem(re: string): string | undefined {
  if (re === '') return 'regex string match should not be empty';
  if (re.length > 1024) return 'regex is too large, max length allowed is 1024';
  if (/\(\?<?[=!]/.test(re)) return 'invalid regex: lookaround is not supported by RE2 (Istio uses RE2 syntax)';
  if (/\\[1-9]/.test(re)) return 'invalid regex: backreferences are not supported by RE2 (Istio uses RE2 syntax)';
  try {
    new RegExp(re.replaceAll('(?P<', '(?<'));
    return undefined;
  } catch (e) {
    return `invalid regex: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}; Istio uses RE2 syntax`;
  }
}
