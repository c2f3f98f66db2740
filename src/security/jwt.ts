// RequestAuthentication as the envoy.filters.http.jwt_authn filter (pilot/pkg/security/authn/policy_applier.go
// convertToEnvoyJwtConfig, pkg/config/security ParseJwksURI). Current istiod adds no other authn filter (the
// old istio_authn filter is gone): principals and claims reach RBAC through jwt_authn's metadata.

import type { IstioConfig, MeshIndex, Proxy } from '../mesh/types.js';
import type { Filter } from './authz-builder.js';
import { lookupCluster } from './ext-authz.js';
import { JWT_FILTER, JWT_PAYLOAD_KEY } from './rule-model.js';

const JWT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
const DEFAULT_SPACE_DELIMITED = ['permission', 'scope'];

/** The JWT rules of the policies, stably sorted by issuer; each becomes provider origins-<i>. */
export const jwtRulesOf = (policies: IstioConfig[]): any[] =>
  policies
    .flatMap((p) => (Array.isArray(p.spec?.jwtRules) ? p.spec.jwtRules : []))
    .map((rule, i) => ({ rule, i }))
    .sort((a, b) => (String(a.rule?.issuer ?? '') < String(b.rule?.issuer ?? '') ? -1 : String(a.rule?.issuer ?? '') > String(b.rule?.issuer ?? '') ? 1 : a.i - b.i))
    .map((e) => e.rule);

/** ParseJwksURI: host and port (80 for http, 443 for https unless given). */
function jwksHostPort(uri: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(uri);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return { host: u.hostname, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
  } catch {
    return undefined;
  }
}

function jwksSource(index: MeshIndex, rule: any): Record<string, unknown> {
  const timeout = rule.timeout ?? '5s';
  if (rule.jwks) return { local_jwks: { inline_string: String(rule.jwks) } };
  if (rule.jwksUri) {
    // PILOT_JWT_ENABLE_REMOTE_JWKS=envoy: Envoy fetches the keys through the cluster of the URI's host.
    // (istiod's default mode fetches them itself and inlines them, which an offline translation cannot.)
    const hp = jwksHostPort(String(rule.jwksUri));
    const found = hp ? lookupCluster(index, hp.host, hp.port) : undefined;
    const cluster = found && typeof found !== 'string' ? found.cluster : hp ? `outbound|${hp.port}||${hp.host}` : '';
    return { remote_jwks: { http_uri: { uri: String(rule.jwksUri), cluster, timeout }, cache_duration: '300s' } };
  }
  // Neither: istiod discovers the keys from the issuer (OpenID discovery); offline there are none to trust.
  return { local_jwks: { inline_string: '{"keys":[]}' } };
}

function provider(index: MeshIndex, rule: any, clearRouteCache: boolean): Record<string, unknown> {
  const p: Record<string, unknown> = { issuer: String(rule.issuer ?? '') };
  if (Array.isArray(rule.audiences) && rule.audiences.length > 0) p.audiences = rule.audiences;
  if (rule.forwardOriginalToken) p.forward = true;
  if (rule.outputPayloadToHeader) p.forward_payload_header = rule.outputPayloadToHeader;
  p.payload_in_metadata = JWT_PAYLOAD_KEY;
  const claims = Array.isArray(rule.spaceDelimitedClaims)
    ? [...new Set([...rule.spaceDelimitedClaims.map(String), ...DEFAULT_SPACE_DELIMITED])].sort()
    : DEFAULT_SPACE_DELIMITED;
  p.normalize_payload_in_metadata = { space_delimited_claims: claims };
  if (clearRouteCache) p.clear_route_cache = true;
  if (Array.isArray(rule.outputClaimToHeaders) && rule.outputClaimToHeaders.length > 0) {
    p.claim_to_headers = rule.outputClaimToHeaders.map((c: any) => ({ header_name: c.header, claim_name: c.claim }));
  }
  if (Array.isArray(rule.fromHeaders) && rule.fromHeaders.length > 0) {
    p.from_headers = rule.fromHeaders.map((h: any) => ({ name: h.name, ...(h.prefix ? { value_prefix: h.prefix } : {}) }));
  }
  if (Array.isArray(rule.fromParams) && rule.fromParams.length > 0) p.from_params = rule.fromParams;
  if (Array.isArray(rule.fromCookies) && rule.fromCookies.length > 0) p.from_cookies = rule.fromCookies;
  Object.assign(p, jwksSource(index, rule));
  return p;
}

/** JwtFilter: none without JWT rules; gateways clear the route cache so routes can match on claims. */
export function buildJwtFilter(index: MeshIndex, proxy: Proxy): Filter | undefined {
  const rules = jwtRulesOf(index.requestAuthentications(proxy));
  if (rules.length === 0) return undefined;
  const providers: Record<string, unknown> = {};
  const inner: Record<string, unknown>[] = [];
  const outer: Record<string, unknown>[] = [];
  rules.forEach((rule, i) => {
    const name = `origins-${i}`;
    providers[name] = provider(index, rule, proxy.type !== 'sidecar');
    // A token of this issuer must verify; no token at all is allowed (AuthorizationPolicy decides that).
    inner.push({ requires_any: { requirements: [{ provider_name: name }, { allow_missing: {} }] } });
    outer.push({ provider_name: name });
  });
  const requires = inner.length === 1 ? inner[0] : { requires_any: { requirements: [...outer, { requires_all: { requirements: inner } }] } };
  return {
    name: JWT_FILTER,
    typed_config: { '@type': JWT_TYPE, rules: [{ match: { prefix: '/' }, requires }], providers, bypass_cors_preflight: true },
  };
}
