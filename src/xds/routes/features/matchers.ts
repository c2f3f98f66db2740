// VirtualService HTTPMatchRequest → Envoy RouteMatch
// (pilot/pkg/networking/core/route/route.go TranslateRouteMatch, translateHeaderMatch, translateQueryParamMatch).

import type { HttpMatchRequest, IstioStringMatch } from '../../../mesh/istio-api.js';
import type { HeaderMatcher, QueryParameterMatcher, RouteMatch, StringMatcher } from '../../envoy.js';

export type { HttpMatchRequest, IstioStringMatch };

/** util.ConvertToEnvoyMatch. */
export function stringMatcher(m: IstioStringMatch | undefined): StringMatcher | undefined {
  if (!m) return undefined;
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  if (m.regex !== undefined) return { safe_regex: { regex: m.regex } };
  return undefined;
}

/** Empty matches and the regex "*" mean "header present" (istio/istio#20629). */
const isPresentMatch = (m: IstioStringMatch | undefined): boolean =>
  !m || (m.exact === undefined && m.prefix === undefined && m.regex === undefined) || m.regex === '*';

function headerMatcher(name: string, m: IstioStringMatch | undefined): HeaderMatcher {
  if (isPresentMatch(m)) return { name, present_match: true };
  const string_match = stringMatcher(m);
  return string_match ? { name, string_match } : { name };
}

/** Headers named like @request.auth.claims.* match JWT claims through dynamic metadata instead. */
const isJwtClaim = (name: string) => name.startsWith('@request.auth.claims');

/** `separatedPrefix`: Ingress and Gateway API prefixes match whole path segments (path_separated_prefix). */
export function translateRouteMatch(match: HttpMatchRequest | undefined, separatedPrefix = false): RouteMatch {
  if (!match) return { prefix: '/' };
  const headers: HeaderMatcher[] = [];
  const dynamicMetadata: Record<string, unknown>[] = [];
  for (const [name, m] of Object.entries(match.headers ?? {})) {
    if (isJwtClaim(name)) dynamicMetadata.push(jwtClaimMatcher(name, m, false));
    else headers.push(headerMatcher(name, m));
  }
  for (const [name, m] of Object.entries(match.withoutHeaders ?? {})) {
    if (isJwtClaim(name)) {
      dynamicMetadata.push(jwtClaimMatcher(name, m, true));
      continue;
    }
    const h = headerMatcher(name, m);
    h.invert_match = true;
    if (!isPresentMatch(m)) h.treat_missing_header_as_empty = true;
    headers.push(h);
  }
  headers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const out: RouteMatch & Record<string, unknown> = {};
  const uri = match.uri;
  if (uri?.exact !== undefined) out.path = uri.exact;
  else if (uri?.prefix !== undefined) {
    if (separatedPrefix && uri.prefix !== '/') out.path_separated_prefix = uri.prefix.replace(/\/$/, '');
    else out.prefix = uri.prefix;
  }
  else if (uri?.regex !== undefined) out.safe_regex = { regex: uri.regex };
  else out.prefix = '/';
  out.case_sensitive = !match.ignoreUriCase;

  if (match.method) headers.push(headerMatcher(':method', match.method));
  if (match.authority) headers.push(headerMatcher(':authority', match.authority));
  if (match.scheme) headers.push(headerMatcher(':scheme', match.scheme));
  if (headers.length > 0) out.headers = headers;

  const query: QueryParameterMatcher[] = Object.entries(match.queryParams ?? {}).map(([name, m]) => {
    if (isPresentMatch(m)) return { name, present_match: true };
    const string_match = stringMatcher(m);
    return string_match ? { name, string_match } : { name };
  });
  if (query.length > 0) out.query_parameters = query;
  if (dynamicMetadata.length > 0) out.dynamic_metadata = dynamicMetadata;
  return out;
}

/** authz.MetadataMatcherForJWTClaims: the claim path under jwt_authn's "payload", matching a string claim
 *  or any element of a list claim. */
function jwtClaimMatcher(name: string, m: IstioStringMatch | undefined, invert: boolean): Record<string, unknown> {
  const rest = name.slice('@request.auth.claims'.length);
  const claims = rest.startsWith('[')
    ? [...rest.matchAll(/\[([^\]]+)\]/g)].map((x) => x[1])
    : rest.replace(/^\./, '').split('.');
  const value = { string_match: stringMatcher(m) ?? {} };
  return {
    filter: 'envoy.filters.http.jwt_authn',
    path: ['payload', ...claims].map((key) => ({ key })),
    value: { or_match: { value_matchers: [{ list_match: { one_of: value } }, value] } },
    ...(invert ? { invert: true } : {}),
  };
}

/** route.IsCatchAllRoute: "/" prefix or ".*" regex, with no header, query or metadata match. */
export function isCatchAllMatch(m: RouteMatch & Record<string, unknown>): boolean {
  const catchAll = m.prefix === '/' || m.path_separated_prefix === '/' || m.safe_regex?.regex === '.*';
  return catchAll && !m.headers?.length && !m.query_parameters?.length && !(m.dynamic_metadata as unknown[] | undefined)?.length;
}
