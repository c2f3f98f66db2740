// Envoy matchers as Istio's authorization builder writes them (pilot/pkg/security/authz/matcher:
// string.go, header.go, metadata.go, template.go), in proto3 JSON.

import { quoteMeta } from '../util/regex.js';

export type StringMatcher = Record<string, unknown>;
export type ValueMatcher = Record<string, unknown>;
export type MetadataMatcher = { filter: string; path: { key: string }[]; value: ValueMatcher };

const withCase = (m: StringMatcher, ignoreCase: boolean): StringMatcher => (ignoreCase ? { ...m, ignore_case: true } : m);

export const regexMatcher = (regex: string): StringMatcher => ({ safe_regex: { regex } });
export const exactMatcher = (exact: string, ignoreCase = false): StringMatcher => withCase({ exact }, ignoreCase);
export const prefixMatcher = (prefix: string, ignoreCase = false): StringMatcher => withCase({ prefix }, ignoreCase);
export const suffixMatcher = (suffix: string, ignoreCase = false): StringMatcher => withCase({ suffix }, ignoreCase);

/** StringMatcherWithPrefix: "*" any non-empty, "*x" suffix, "x*" prefix, else exact; `prefix` goes in front. */
export function stringMatcher(value: string, prefix = ''): StringMatcher {
  if (value === '*') return regexMatcher('.+');
  if (value.startsWith('*')) {
    const rest = value.slice(1);
    return prefix === '' ? suffixMatcher(rest) : regexMatcher(`${prefix}.*${quoteMeta(rest)}`);
  }
  if (value.endsWith('*')) return prefixMatcher(prefix + value.slice(0, -1));
  return exactMatcher(prefix + value);
}

/** OrMatcher: one matcher stays itself. */
export const orValueMatcher = (matchers: ValueMatcher[]): ValueMatcher =>
  matchers.length === 1 ? matchers[0] : { or_match: { value_matchers: matchers } };

export const stringOrMatcher = (values: string[]): ValueMatcher => orValueMatcher(values.map((v) => ({ string_match: stringMatcher(v) })));

/** HeaderMatcher / HostMatcher: "*" presence, "*x" suffix, "x*" prefix, else exact; hosts ignore case. */
export function headerMatcher(name: string, value: string, ignoreCase = false): Record<string, unknown> {
  if (value === '*') return { name, present_match: true };
  if (value.startsWith('*')) return { name, string_match: suffixMatcher(value.slice(1), ignoreCase) };
  if (value.endsWith('*')) return { name, string_match: prefixMatcher(value.slice(0, -1), ignoreCase) };
  return { name, string_match: exactMatcher(value, ignoreCase) };
}

export const pathMatcher = (path: string): Record<string, unknown> => ({ path: stringMatcher(path) });

const MATCH_ONE = '{*}';
const MATCH_ANY = '{**}';

/** security.ContainsPathTemplate. */
export const containsPathTemplate = (path: string): boolean => path.includes(MATCH_ONE) || path.includes(MATCH_ANY);

/** PathTemplateMatcher: {*} → *, {**} → ** in Envoy's uri_template syntax. */
export const pathTemplateConfig = (path: string): Record<string, unknown> => ({
  '@type': 'type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig',
  path_template: path.split(MATCH_ANY).map((part) => part.split(MATCH_ONE).join('*')).join('**'),
});

export const metadataValueMatcher = (filter: string, key: string, value: ValueMatcher): MetadataMatcher => ({
  filter,
  path: [{ key }],
  value,
});

/** MetadataListValueMatcher: a list containing a matching value, or (extended JWT) the value itself. */
export function metadataListValueMatcher(filter: string, keys: string[], value: ValueMatcher, useExtendedJwt: boolean): MetadataMatcher {
  const list = { list_match: { one_of: value } };
  return {
    filter,
    path: keys.map((key) => ({ key })),
    value: useExtendedJwt ? { or_match: { value_matchers: [list, value] } } : list,
  };
}
