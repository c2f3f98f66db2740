// Envoy's matchers: StringMatcher (type/matcher/v3/string.proto), HeaderMatcher and
// QueryParameterMatcher (config/route/v3/route_components.proto), with safe_regex in RE2 semantics
// (re2js, full match), as common/common/matchers.cc and common/http/header_utility.cc evaluate them.
// Each compiles once and says in words what it tests, for the steps of a trace.

import { RE2JS } from 're2js';
import type { HeaderMatcher, QueryParameterMatcher, StringMatcher } from '../xds/envoy.js';
import { headerValue, type RouterRequest } from './request.js';

export interface CompiledMatcher {
  test(value: string): boolean;
  text: string;
}

export function compileRegex(regex: string, ignoreCase = false): CompiledMatcher {
  try {
    const re = RE2JS.compile(regex, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    return { test: (v) => re.testExact(v), text: `matches RE2 /${regex}/` };
  } catch (e) {
    return { test: () => false, text: `invalid RE2 /${regex}/ (${(e as Error).message}), never matches` };
  }
}

export function compileStringMatcher(m: StringMatcher): CompiledMatcher {
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

/** A compiled condition on a header value: true when it holds for that value (undefined: absent). */
export interface HeaderCondition {
  name: string;
  test(value: string | undefined): boolean;
  text: string;
}

/** HeaderUtility::matchHeaders for one matcher: value matchers, range (end-exclusive), presence, inversion. */
export function compileHeaderMatcher(h: HeaderMatcher): HeaderCondition {
  const name = h.name.toLowerCase();
  const range = h.range_match;
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
    name,
    text: invert ? `not (${text})` : text,
    test(v) {
      if (v === undefined && h.treat_missing_header_as_empty) v = '';
      const result = value === undefined ? (v !== undefined) === (present !== false) : v !== undefined && value.test(v);
      return invert ? !result : result;
    },
  };
}

/** Whether a header condition holds for a request (pseudo-headers included). */
export const headerHolds = (c: HeaderCondition, req: RouterRequest): boolean => c.test(headerValue(req, c.name));

export interface QueryCondition {
  test(query: Map<string, string>): boolean;
  text: string;
}

export function compileQueryMatcher(q: QueryParameterMatcher): QueryCondition {
  if (q.string_match) {
    const m = compileStringMatcher(q.string_match);
    return { text: `query ${q.name} ${m.text}`, test: (query) => query.has(q.name) && m.test(query.get(q.name) ?? '') };
  }
  return { text: `query ${q.name} is present`, test: (query) => query.has(q.name) };
}

/** The query parameters of a path, the first value of each name (Http::Utility::QueryParamsMulti). */
export function parseQuery(path: string): Map<string, string> {
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
