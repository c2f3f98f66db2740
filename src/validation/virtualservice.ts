// VirtualService validation of istiod's webhook (pkg/config/validation/validation.go ValidateVirtualService,
// virtualservice.go validateHTTPRoute): hosts, route shapes, destinations and weights, retries, timeouts,
// regexes; and, as warnings, rules and matches earlier ones make unreachable (analyzeUnreachable*Rules).

import { canonicalJson } from '../store/manifests.js';
import { hostMatches } from '../mesh/hosts.js';
import { checkDuration, checkPort, Issues, regexProblem, wildcardDomainProblem } from './common.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const isIp = (h: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || (h.includes(':') && /^[0-9a-fA-F:.]+$/.test(h));

function checkStringMatch(issues: Issues, path: string, m: unknown, regexAllowed = true): void {
  if (!isObj(m) || m.regex === undefined) return;
  if (!regexAllowed) return;
  const problem = regexProblem(String(m.regex));
  if (problem) issues.error(`${path}.regex`, problem);
}

function checkDestination(issues: Issues, path: string, d: unknown): void {
  if (!isObj(d)) return issues.error(path, 'destination is required');
  if (!d.host) issues.error(`${path}.host`, 'destination must have a host');
  else if (typeof d.host === 'string' && !d.host.includes('/')) {
    const problem = wildcardDomainProblem(d.host);
    if (problem && !isIp(d.host)) issues.error(`${path}.host`, problem);
  }
  if (isObj(d.port)) checkPort(issues, `${path}.port.number`, d.port.number);
}

/** validateRouteDestinations: a destination each, weights not negative, and not all zero when several. */
function checkWeights(issues: Issues, path: string, routes: unknown): void {
  const list = arr(routes);
  let total = 0;
  list.forEach((r, i) => {
    if (!isObj(r)) return issues.error(`${path}[${i}]`, 'weight may not be nil');
    checkDestination(issues, `${path}[${i}].destination`, r.destination);
    const w = Number(r.weight ?? 0);
    if (w < 0) issues.error(`${path}[${i}].weight`, `weight ${w} < 0`);
    total += w;
  });
  if (list.length > 1 && total === 0) issues.error(path, 'total destination weight = 0');
}

function checkRetries(issues: Issues, path: string, retries: unknown): void {
  if (!isObj(retries)) return;
  const attempts = Number(retries.attempts ?? 0);
  if (attempts < 0) issues.error(`${path}.attempts`, 'attempts cannot be negative');
  if (attempts === 0 && (retries.perTryTimeout !== undefined || retries.retryOn || retries.retryRemoteLocalities !== undefined)) {
    issues.error(path, 'http retry policy configured when attempts are set to 0 (disabled)');
  }
  checkDuration(issues, `${path}.perTryTimeout`, retries.perTryTimeout);
  checkDuration(issues, `${path}.backoff`, retries.backoff);
}

function checkHttpRoute(issues: Issues, path: string, http: Obj, delegate: boolean): void {
  const has = (k: string) => http[k] !== undefined && http[k] !== null;
  if (delegate && has('delegate')) issues.error(`${path}.delegate`, 'delegate HTTP route cannot contain delegate');
  if (has('delegate')) {
    if (has('route')) issues.error(path, `root HTTP route ${http.name ?? ''} must not specify route`);
    if (has('redirect')) issues.error(path, `root HTTP route ${http.name ?? ''} must not specify redirect`);
  } else {
    if (has('route') && has('redirect')) issues.error(path, 'HTTP route cannot contain both route and redirect');
    if (has('route') && has('directResponse')) issues.error(path, 'HTTP route cannot contain both route and direct_response');
    if (has('redirect') && has('directResponse')) issues.error(path, 'HTTP route rule cannot contain both redirect and direct_response');
    if (!has('route') && !has('redirect') && !has('directResponse')) issues.error(path, 'HTTP route, redirect or direct_response is required');
  }
  if (has('mirror') && has('mirrors')) issues.error(path, 'HTTP route cannot contain both mirror and mirrors');
  arr(http.match).forEach((m, i) => {
    if (!isObj(m)) return;
    const at = `${path}.match[${i}]`;
    checkStringMatch(issues, `${at}.uri`, m.uri);
    for (const field of ['headers', 'withoutHeaders', 'queryParams'] as const) {
      for (const [k, v] of Object.entries(isObj(m[field]) ? m[field] : {})) checkStringMatch(issues, `${at}.${field}.${k}`, v);
    }
    for (const field of ['scheme', 'method', 'authority'] as const) checkStringMatch(issues, `${at}.${field}`, m[field]);
    if (m.port !== undefined) checkPort(issues, `${at}.port`, m.port);
  });
  const mirror = isObj(http.mirrorPercentage) ? Number(http.mirrorPercentage.value) : undefined;
  if (mirror !== undefined && (mirror > 100 || mirror < 0)) issues.error(`${path}.mirrorPercentage.value`, `mirror_percentage must be between 0 and 100 (it is ${mirror})`);
  if (has('mirror')) checkDestination(issues, `${path}.mirror`, http.mirror);
  arr(http.mirrors).forEach((m, i) => checkDestination(issues, `${path}.mirrors[${i}].destination`, isObj(m) ? m.destination : undefined));
  if (isObj(http.rewrite) && isObj(http.rewrite.uriRegexRewrite)) {
    const problem = regexProblem(String(http.rewrite.uriRegexRewrite.match ?? ''));
    if (problem) issues.error(`${path}.rewrite.uriRegexRewrite.match`, problem);
  }
  checkRetries(issues, `${path}.retries`, http.retries);
  if (has('route')) checkWeights(issues, `${path}.route`, http.route);
  checkDuration(issues, `${path}.timeout`, http.timeout);
  for (const kind of ['delay', 'abort'] as const) {
    const f = isObj(http.fault) ? http.fault[kind] : undefined;
    const pct = isObj(f) && isObj(f.percentage) ? Number(f.percentage.value) : undefined;
    if (pct !== undefined && (pct < 0 || pct > 100)) issues.error(`${path}.fault.${kind}.percentage.value`, 'percentage must be in the range [0, 100]');
    if (kind === 'delay' && isObj(f)) checkDuration(issues, `${path}.fault.delay.fixedDelay`, f.fixedDelay);
  }
}

/** routeName / requestName of the Go code: a quoted name, else #index. */
const ruleName = (route: unknown, i: number) => (isObj(route) && route.name ? JSON.stringify(route.name) : `#${i}`);

interface PrefixMatch {
  route: string;
  match: string;
  prefix: string;
  port: number;
  method: string;
  authority: string;
  headers: Map<string, string>;
  queryParams: Map<string, string>;
  withoutHeaders: Map<string, string>;
}

const exactOrPrefix = (m: unknown): string => (isObj(m) ? (m.exact ? `exact:${m.exact}` : m.prefix ? `prefix:${m.prefix}` : '') : '');
const matchMap = (v: unknown) => new Map(Object.entries(isObj(v) ? v : {}).map(([k, m]) => [k, exactOrPrefix(m)]));

/** genMatchHTTPRoutes: the parts of a URI-prefix match that the overlap check compares (GET by default). */
function prefixMatch(route: unknown, match: Obj, rule: number, n: number): PrefixMatch | undefined {
  const prefix = isObj(match.uri) ? String(match.uri.prefix ?? '') : '';
  if (!prefix) return undefined;
  return {
    route: ruleName(route, rule),
    match: isObj(match) && match.name ? JSON.stringify(match.name) : `#${n}`,
    prefix,
    port: Number(match.port ?? 0),
    method: exactOrPrefix(match.method) || 'exact:GET',
    authority: exactOrPrefix(match.authority),
    headers: matchMap(match.headers),
    queryParams: matchMap(match.queryParams),
    withoutHeaders: matchMap(match.withoutHeaders),
  };
}

/** coveredValidation: every request b matches, a (earlier) also matches. */
function covers(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  const narrower = (x: string, y: string) => x === y || x.startsWith(y);
  if (!narrower(a.method, b.method) || !narrower(a.authority, b.authority)) return false;
  for (const field of ['headers', 'queryParams', 'withoutHeaders'] as const) {
    if (a[field].size !== b[field].size) return false;
    for (const [k, v] of a[field]) if (!b[field].has(k) || !narrower(v, b[field].get(k)!)) return false;
  }
  return true;
}

/** analyzeUnreachable{HTTP,TCP,TLS}Rules: rules after a match-all rule, and matches an earlier rule already has. */
function unreachableRules(issues: Issues, kind: 'http' | 'tcp' | 'tls', routes: unknown[]): void {
  const unreachable = (rule: string, reason: string) =>
    issues.warning(`spec.${kind}`, `virtualService rule ${rule} not used (${reason})`, 'VirtualServiceUnreachableRule', [rule, reason]);
  const ineffective = (rule: string, match: string, dup: string) =>
    issues.warning(`spec.${kind}`, `virtualService rule ${rule} match ${match} is not used (duplicate/overlapping match in rule ${dup})`, 'VirtualServiceIneffectiveMatch', [rule, match, dup]);
  const seen = new Map<string, number>();
  // A match can repeat only another one: with fewer than two, no key is built (canonicalJson is not cheap).
  const compared = routes.reduce((n: number, route) => n + (isObj(route) ? arr(route.match).length : 0), 0) > 1;
  let emptyAt = -1;
  const prefixes: PrefixMatch[] = [];
  routes.forEach((route, rule) => {
    if (!isObj(route)) return;
    const matches = arr(route.match);
    if (matches.length === 0) {
      if (emptyAt >= 0) unreachable(ruleName(route, rule), 'only the last rule can have no matches');
      emptyAt = rule;
      return;
    }
    let duplicates = 0;
    matches.forEach((m, n) => {
      if (emptyAt >= 0) return unreachable(ruleName(route, rule), 'route without matches defined before');
      if (compared) {
        const { name: _name, ...traffic } = isObj(m) ? m : {};
        const key = canonicalJson(kind === 'http' ? traffic : m);
        const dup = seen.get(key);
        if (dup !== undefined) {
          ineffective(ruleName(route, rule), kind === 'http' && isObj(m) && m.name ? JSON.stringify(m.name) : `#${n}`, ruleName(routes[dup], dup));
          duplicates++;
          return;
        }
        seen.set(key, rule);
      }
      const p = kind === 'http' && isObj(m) ? prefixMatch(route, m, rule, n) : undefined;
      if (p) prefixes.push(p);
    });
    if (duplicates === matches.length) unreachable(ruleName(route, rule), 'all matches used by prior rules');
  });
  prefixes.forEach((a, i) => {
    for (const b of prefixes.slice(i + 1)) {
      if (b.prefix !== a.prefix && covers(a, b)) ineffective(b.route, `${b.match} of prefix ${b.prefix}`, `${a.match} of prefix ${a.prefix} on ${a.route}`);
    }
  });
}

export function validateVirtualService(spec: Obj, issues: Issues): void {
  const hosts = arr(spec.hosts).map(String);
  const gateways = arr(spec.gateways).map(String);
  const delegate = hosts.length === 0;
  const appliesToMesh = gateways.length === 0 || gateways.includes('mesh');
  let hostsValid = true;
  hosts.forEach((h, i) => {
    const problem = h.includes('/') ? undefined : wildcardDomainProblem(h);
    if (problem && !isIp(h)) {
      issues.error(`spec.hosts[${i}]`, problem);
      hostsValid = false;
    } else if (appliesToMesh && h === '*') {
      issues.error(`spec.hosts[${i}]`, 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
      hostsValid = false;
    }
  });
  if (hostsValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        if (hostMatches(hosts[i], hosts[j])) issues.error('spec.hosts', `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`);
      }
    }
  }
  if (arr(spec.http).length === 0 && arr(spec.tcp).length === 0 && arr(spec.tls).length === 0) {
    issues.error('spec', 'http, tcp or tls must be provided in virtual service');
  }
  arr(spec.http).forEach((r, i) => (isObj(r) ? checkHttpRoute(issues, `spec.http[${i}]`, r, delegate) : issues.error(`spec.http[${i}]`, 'http route may not be null')));
  for (const kind of ['tcp', 'tls'] as const) {
    arr(spec[kind]).forEach((r, i) => {
      if (!isObj(r)) return;
      if (arr(r.route).length === 0) issues.error(`spec.${kind}[${i}].route`, `${kind.toUpperCase()} route is required`);
      else checkWeights(issues, `spec.${kind}[${i}].route`, r.route);
    });
  }
  unreachableRules(issues, 'http', arr(spec.http));
  unreachableRules(issues, 'tcp', arr(spec.tcp));
  unreachableRules(issues, 'tls', arr(spec.tls));
}
