// Virtual host and route selection as Envoy's router does it (route_components.proto), with
// safe_regex in RE2 semantics (re2js, full match).

import { RE2JS } from 're2js';
import type { TraceStep } from '../contract.js';
import type { HeaderMatcher, QueryParameterMatcher, Route, RouteConfiguration, StringMatcher, VirtualHost } from '../xds/envoy.js';
import { memo } from './compile.js';
import { step, type Call } from './request.js';

// ---- string matchers ----

type Test = (value: string) => boolean;

interface CompiledMatcher {
  test: Test;
  text: string;
}

function compileRegex(regex: string, ignoreCase = false): CompiledMatcher {
  try {
    const re = RE2JS.compile(regex, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    return { test: (v) => re.testExact(v), text: `matches RE2 /${regex}/` };
  } catch (e) {
    return { test: () => false, text: `invalid RE2 /${regex}/ (${(e as Error).message}), never matches` };
  }
}

function compileStringMatcher(m: StringMatcher): CompiledMatcher {
  const ic = m.ignore_case === true;
  const norm = (v: string): string => (ic ? v.toLowerCase() : v);
  if (m.exact !== undefined) {
    const x = norm(m.exact);
    return { test: (v) => norm(v) === x, text: `is "${m.exact}"` };
  }
  if (m.prefix !== undefined) {
    const x = norm(m.prefix);
    return { test: (v) => norm(v).startsWith(x), text: `starts with "${m.prefix}"` };
  }
  if (m.suffix !== undefined) {
    const x = norm(m.suffix);
    return { test: (v) => norm(v).endsWith(x), text: `ends with "${m.suffix}"` };
  }
  if (m.contains !== undefined) {
    const x = norm(m.contains);
    return { test: (v) => norm(v).includes(x), text: `contains "${m.contains}"` };
  }
  if (m.safe_regex) return compileRegex(m.safe_regex.regex);
  return { test: () => true, text: 'is anything' };
}

// ---- route matching ----

interface Condition {
  test(call: Call, path: string, query: Map<string, string>): boolean;
  text: string;
}

export interface CompiledRoute {
  route: Route;
  label: string;
  conditions: Condition[];
}

function headerValue(call: Call, name: string, path: string): string | undefined {
  switch (name) {
    case ':path':
      return path;
    case ':method':
      return call.method;
    case ':authority':
    case 'host':
      return call.host;
    case ':scheme':
      return call.tls === 'plaintext' ? 'http' : 'https';
    default:
      return call.headers.get(name);
  }
}

function headerCondition(h: HeaderMatcher): Condition {
  const name = h.name.toLowerCase();
  const range = (h as { range_match?: { start?: string | number; end?: string | number } }).range_match;
  let value: CompiledMatcher | undefined;
  if (h.string_match) value = compileStringMatcher(h.string_match);
  else if (h.exact_match !== undefined) value = compileStringMatcher({ exact: h.exact_match });
  else if (h.prefix_match !== undefined) value = compileStringMatcher({ prefix: h.prefix_match });
  else if (h.suffix_match !== undefined) value = compileStringMatcher({ suffix: h.suffix_match });
  else if (h.contains_match !== undefined) value = compileStringMatcher({ contains: h.contains_match });
  else if (h.safe_regex_match) value = compileRegex(h.safe_regex_match.regex);
  else if (range) {
    const start = Number(range.start ?? 0);
    const end = Number(range.end ?? 0);
    value = { test: (v) => /^-?\d+$/.test(v) && Number(v) >= start && Number(v) < end, text: `is an integer in [${start}, ${end})` };
  }
  const present = h.present_match;
  const invert = h.invert_match === true;
  const text =
    value !== undefined ? `header ${name} ${value.text}` : present === false ? `header ${name} is absent` : `header ${name} is present`;
  return {
    text: invert ? `not (${text})` : text,
    test(call, path) {
      let v = headerValue(call, name, path);
      if (v === undefined && h.treat_missing_header_as_empty) v = '';
      let result: boolean;
      if (value === undefined) result = (v !== undefined) === (present !== false);
      else result = v !== undefined && value.test(v);
      return invert ? !result : result;
    },
  };
}

function queryCondition(q: QueryParameterMatcher): Condition {
  if (q.string_match) {
    const m = compileStringMatcher(q.string_match);
    return { text: `query ${q.name} ${m.text}`, test: (_c, _p, query) => query.has(q.name) && m.test(query.get(q.name) ?? '') };
  }
  return { text: `query ${q.name} is present`, test: (_c, _p, query) => query.has(q.name) };
}

function pathCondition(route: Route): Condition | undefined {
  const m = route.match;
  const sensitive = m.case_sensitive !== false;
  const norm = (v: string): string => (sensitive ? v : v.toLowerCase());
  const withoutQuery = (path: string): string => path.split('?', 1)[0];
  if (m.prefix !== undefined) {
    const x = norm(m.prefix);
    return { text: `path starts with "${m.prefix}"`, test: (_c, path) => norm(path).startsWith(x) };
  }
  if (m.path !== undefined) {
    const x = norm(m.path);
    return { text: `path is "${m.path}"`, test: (_c, path) => norm(withoutQuery(path)) === x };
  }
  if (m.path_separated_prefix !== undefined) {
    const x = norm(m.path_separated_prefix);
    return {
      text: `path is "${m.path_separated_prefix}" or under "${m.path_separated_prefix}/"`,
      test: (_c, path) => {
        const p = norm(withoutQuery(path));
        return p === x || p.startsWith(`${x}/`);
      },
    };
  }
  if (m.safe_regex) {
    const re = compileRegex(m.safe_regex.regex);
    return { text: `path ${re.text}`, test: (_c, path) => re.test(withoutQuery(path)) };
  }
  return undefined;
}

function compileRoute(route: Route, index: number): CompiledRoute {
  const conditions: Condition[] = [];
  const path = pathCondition(route);
  if (path) conditions.push(path);
  for (const h of route.match.headers ?? []) conditions.push(headerCondition(h));
  for (const q of route.match.query_parameters ?? []) conditions.push(queryCondition(q));
  return { route, label: route.name || `#${index}`, conditions };
}

const routesCache = new WeakMap<VirtualHost, CompiledRoute[]>();

function parseQuery(path: string): Map<string, string> {
  const query = new Map<string, string>();
  const at = path.indexOf('?');
  if (at < 0) return query;
  for (const pair of path.slice(at + 1).split('#', 1)[0].split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (!query.has(name)) query.set(name, eq < 0 ? '' : pair.slice(eq + 1));
  }
  return query;
}

/** The first route of the virtual host whose match holds (path, then headers, then query parameters). */
export function matchRoute(vh: VirtualHost, call: Call, steps: TraceStep[]): Route | undefined {
  const routes = memo(routesCache, vh, (v) => (v.routes ?? []).map(compileRoute));
  const query = parseQuery(call.path);
  const rejected: { name: string; why: string }[] = [];
  for (const r of routes) {
    const failed = r.conditions.find((c) => !c.test(call, call.path, query));
    if (!failed) {
      const why = r.conditions.length ? `first route in order whose match holds: ${r.conditions.map((c) => c.text).join(', ')}` : 'first route in order; it matches every request';
      steps.push(step('route', r.label, why, rejected));
      return r.route;
    }
    rejected.push({ name: r.label, why: `${failed.text}: false for ${call.method} ${call.path}` });
  }
  steps.push(step('route', null, `no route of ${vh.name} matches ${call.method} ${call.path}`, rejected));
  return undefined;
}

// ---- virtual hosts ----

interface WildcardTable {
  /** Distinct fixed-part lengths, longest first. */
  lengths: number[];
  /** length → fixed part (without "*") → the first virtual host with it. */
  byLength: Map<number, Map<string, VirtualHost>>;
}

interface CompiledRouteConfig {
  exact: Map<string, VirtualHost>;
  suffix: WildcardTable;
  prefix: WildcardTable;
  any?: VirtualHost;
}

const emptyTable = (): WildcardTable => ({ lengths: [], byLength: new Map() });

function addWildcard(t: WildcardTable, fixed: string, vh: VirtualHost): void {
  let m = t.byLength.get(fixed.length);
  if (!m) {
    m = new Map();
    t.byLength.set(fixed.length, m);
    t.lengths.push(fixed.length);
    t.lengths.sort((a, b) => b - a);
  }
  if (!m.has(fixed)) m.set(fixed, vh);
}

function compileRouteConfig(rc: RouteConfiguration): CompiledRouteConfig {
  const out: CompiledRouteConfig = { exact: new Map(), suffix: emptyTable(), prefix: emptyTable() };
  for (const vh of rc.virtual_hosts ?? []) {
    for (const raw of vh.domains ?? []) {
      const d = raw.toLowerCase();
      if (d === '*') out.any ??= vh;
      else if (d.startsWith('*')) addWildcard(out.suffix, d.slice(1), vh);
      else if (d.endsWith('*')) addWildcard(out.prefix, d.slice(0, -1), vh);
      else if (!out.exact.has(d)) out.exact.set(d, vh);
    }
  }
  return out;
}

const routeConfigCache = new WeakMap<RouteConfiguration, CompiledRouteConfig>();

/** Host without its port ("a:80" → "a", "[::1]:80" → "::1"), as Go's net.SplitHostPort would give it. */
function stripPort(host: string): string {
  const bracketed = /^\[([^\]]*)\]:\d*$/.exec(host);
  if (bracketed) return bracketed[1];
  const plain = /^([^:]*):\d*$/.exec(host);
  return plain ? plain[1] : host;
}

/** Envoy's domain precedence: exact, longest "*suffix", longest "prefix*", then "*". */
export function matchVirtualHost(rc: RouteConfiguration, call: Call, steps: TraceStep[]): VirtualHost | undefined {
  const table = memo(routeConfigCache, rc, compileRouteConfig);
  let host = call.host.toLowerCase();
  const notes: string[] = [];
  if (rc.ignore_port_in_host_matching) {
    const stripped = stripPort(host);
    if (stripped !== host) notes.push(`ignore_port_in_host_matching: "${host}" matched as "${stripped}"`);
    host = stripped;
  }
  const done = (vh: VirtualHost | undefined, why: string): VirtualHost | undefined => {
    steps.push(step('virtual_host', vh?.name ?? null, [...notes, why].join('; ')));
    return vh;
  };
  const exact = table.exact.get(host);
  if (exact) return done(exact, `domain "${host}" matches exactly`);
  for (const len of table.suffix.lengths) {
    if (host.length <= len) continue;
    const vh = table.suffix.byLength.get(len)?.get(host.slice(host.length - len));
    if (vh) return done(vh, `longest suffix wildcard "*${host.slice(host.length - len)}" matches "${host}" (no exact domain)`);
  }
  for (const len of table.prefix.lengths) {
    if (host.length <= len) continue;
    const vh = table.prefix.byLength.get(len)?.get(host.slice(0, len));
    if (vh) return done(vh, `longest prefix wildcard "${host.slice(0, len)}*" matches "${host}" (no exact or suffix wildcard domain)`);
  }
  if (table.any) return done(table.any, `no domain matches "${host}": the virtual host with "*"`);
  return done(undefined, `no virtual host of ${rc.name} has a domain matching "${host}" and none has "*"`);
}
