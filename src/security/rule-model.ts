// One rule of an AuthorizationPolicy as an Envoy RBAC policy: its from/to/when consolidated into
// permissions and principals (pilot/pkg/security/authz/model: model.go New / Generate, generator.go,
// permission.go, principal.go, util.go).

import { parseIp } from '../trace/ip.js';
import { quoteMeta } from '../util/regex.js';
import {
  containsPathTemplate,
  exactMatcher,
  headerMatcher,
  metadataListValueMatcher,
  metadataValueMatcher,
  orValueMatcher,
  pathMatcher,
  pathTemplateConfig,
  prefixMatcher,
  regexMatcher,
  stringMatcher,
  stringOrMatcher,
  suffixMatcher,
  type MetadataMatcher,
  type StringMatcher,
  type ValueMatcher,
} from './matchers.js';
import { expandTrustDomainAliases, replaceTrustDomainAliases } from './trust-domain.js';

export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';
export type Permission = Record<string, unknown>;
export type Principal = Record<string, unknown>;
export interface RbacPolicy {
  permissions: Permission[];
  principals: Principal[];
}

/** The filter that holds validated JWT payloads, and the metadata key (xds/filters EnvoyJwtFilterName, EnvoyJwtFilterPayload). */
export const JWT_FILTER = 'envoy.filters.http.jwt_authn';
export const JWT_PAYLOAD_KEY = 'payload';

/** Why a value has no Envoy form: the generator's error. */
export class RuleError extends Error {}

// Permission and principal shapes (permission.go, principal.go).
const permissionAny = (): Permission => ({ any: true });
const permissionAnd = (rules: Permission[]): Permission => ({ and_rules: { rules } });
const permissionOr = (rules: Permission[]): Permission => ({ or_rules: { rules } });
const permissionNot = (rule: Permission): Permission => ({ not_rule: rule });
const principalAny = (): Principal => ({ any: true });
const principalAnd = (ids: Principal[]): Principal => ({ and_ids: { ids } });
const principalOr = (ids: Principal[]): Principal => ({ or_ids: { ids } });
const principalNot = (id: Principal): Principal => ({ not_id: id });
/** A sidecar and a gateway match the peer certificate's URI SAN (UseFilterState is for waypoints only). */
const principalAuthenticated = (name: StringMatcher): Principal => ({ authenticated: { principal_name: name } });

/** util.AddrStrToCidrRange: an address or a prefix, as written. */
function cidrRange(value: string): { address_prefix: string; prefix_len: number } {
  const [address, bits, extra] = value.split('/');
  const ip = parseIp(address);
  const len = bits === undefined ? (ip?.family === 6 ? 128 : 32) : /^\d+$/.test(bits) ? Number(bits) : NaN;
  if (!ip || extra !== undefined || !(len >= 0 && len <= (ip.family === 6 ? 128 : 32))) throw new RuleError(`invalid IP or CIDR ${value}`);
  return { address_prefix: address, prefix_len: len };
}

/** util.go convertToPort. */
function convertToPort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new RuleError(`invalid port ${value}`);
  return Number(value);
}

/** util.go extractNameInBrackets: "[name]" → name. */
function nameInBrackets(s: string): string {
  if (!s.startsWith('[') || !s.endsWith(']')) throw new RuleError(`expecting format [<NAME>], but found ${s}`);
  return s.slice(1, -1);
}

/** util.go extractNameInNestedBrackets: "[a][b]" → [a, b]; else one name in brackets. */
function namesInNestedBrackets(s: string): string[] {
  const names: string[] = [];
  let begin = 0;
  while (begin < s.length) {
    let end = -1;
    if (s[begin] === '[') {
      for (let i = begin + 1; i < s.length; i++) {
        if (s[i] === '[') break;
        if (s[i] === ']') {
          end = i;
          break;
        }
      }
    }
    if (end === -1) return [nameInBrackets(s)];
    names.push(s.slice(begin + 1, end));
    begin = end + 1;
  }
  return names;
}

const httpOnly = (key: string, forTCP: boolean): void => {
  if (forTCP) throw new RuleError(`"${key}" is HTTP only`);
};

/** MetadataStringMatcherForJWTClaim: payload.<claim> of the JWT filter's metadata. */
const jwtClaimMatcher = (claim: string, m: StringMatcher): MetadataMatcher => ({
  filter: JWT_FILTER,
  path: [{ key: JWT_PAYLOAD_KEY }, { key: claim }],
  value: { string_match: m },
});
const jwtClaimsListMatcher = (claims: string[], value: ValueMatcher): MetadataMatcher =>
  metadataListValueMatcher(JWT_FILTER, [JWT_PAYLOAD_KEY, ...claims], value, true);

/** "experimental.envoy.filters.a.b[c]" → ["envoy.filters.a.b", "c"]. */
function envoyFilterKey(key: string): [string, string] {
  const parts = key.replace(/^experimental\./, '').replace(/\]$/, '');
  const i = parts.indexOf('[');
  if (i < 0) throw new RuleError(`invalid key: ${key}`);
  return [parts.slice(0, i), parts.slice(i + 1)];
}

/** A generator turns one value (or, extended, all values at once) of a key into a permission or principal. */
interface Generator {
  permission?(key: string, value: string, forTCP: boolean): Permission;
  principal?(key: string, value: string, forTCP: boolean): Principal;
  extendedPermission?(key: string, values: string[], forTCP: boolean): Permission | undefined;
  extendedPrincipal?(key: string, values: string[], forTCP: boolean): Principal | undefined;
}

const destIp: Generator = { permission: (_k, v) => ({ destination_ip: cidrRange(v) }) };
const destPort: Generator = { permission: (_k, v) => ({ destination_port: convertToPort(v) }) };
const connSni: Generator = { permission: (_k, v) => ({ requested_server_name: stringMatcher(v) }) };
const envoyFilter: Generator = {
  extendedPermission(key, values) {
    const [filter, field] = envoyFilterKey(key);
    const matchers = values.map((v) =>
      v.startsWith('[') && v.endsWith(']')
        ? { list_match: { one_of: { string_match: stringMatcher(v.replace(/^[[\]]+|[[\]]+$/g, '')) } } }
        : { string_match: stringMatcher(v) },
    );
    return { metadata: metadataValueMatcher(filter, field, orValueMatcher(matchers)) };
  },
};
const srcIp: Generator = { principal: (_k, v) => ({ direct_remote_ip: cidrRange(v) }) };
const remoteIp: Generator = { principal: (_k, v) => ({ remote_ip: cidrRange(v) }) };
const srcNamespace: Generator = {
  principal: (_k, v) => principalAuthenticated(regexMatcher(`.*/ns/${v.split('*').map(quoteMeta).join('.*')}/.*`)),
};
/** serviceAccountRegex: "<sa>" (the policy's namespace) or "<ns>/<sa>". */
const srcServiceAccount = (policyNamespace: string): Generator => ({
  principal(_k, v) {
    const slash = v.indexOf('/');
    const [ns, sa] = slash < 0 ? [policyNamespace, v] : [v.slice(0, slash), v.slice(slash + 1)];
    return principalAuthenticated(regexMatcher(`spiffe://.+/ns/${quoteMeta(ns)}/(.+/|)sa/${quoteMeta(sa)}(/.+)?`));
  },
});
const srcTrustDomain: Generator = {
  principal(_k, v) {
    if (v === '*') return principalAuthenticated(prefixMatcher('spiffe://'));
    if (!v.includes('*')) return principalAuthenticated(prefixMatcher(`spiffe://${v}/`));
    const star = v.indexOf('*');
    return principalAuthenticated(regexMatcher(`spiffe://${quoteMeta(v.slice(0, star))}[^/]*${quoteMeta(v.slice(star + 1))}/.*`));
  },
};
const srcPrincipal: Generator = { principal: (_k, v) => principalAuthenticated(stringMatcher(v, 'spiffe://')) };
const MATCH_ANY = regexMatcher('.+');
const requestPrincipal: Generator = {
  extendedPrincipal(key, values, forTCP) {
    httpOnly(key, forTCP);
    const or = values.map((value) => {
      // The last "/" splits issuer and subject: the issuer may be a URL.
      const idx = value.lastIndexOf('/');
      const found = idx >= 0;
      const [iss, sub] = found ? [value.slice(0, idx), value.slice(idx + 1)] : [value, ''];
      let matchIss: StringMatcher;
      let matchSub: StringMatcher;
      if (value === '*') [matchIss, matchSub] = [MATCH_ANY, MATCH_ANY];
      else if (value.startsWith('*')) {
        if (found) [matchIss, matchSub] = [iss === '*' ? MATCH_ANY : suffixMatcher(iss.slice(1)), exactMatcher(sub)];
        else [matchIss, matchSub] = [MATCH_ANY, suffixMatcher(value.slice(1))];
      } else if (value.endsWith('*')) {
        if (found) [matchIss, matchSub] = [exactMatcher(iss), sub === '*' ? MATCH_ANY : prefixMatcher(sub.slice(0, -1))];
        else [matchIss, matchSub] = [prefixMatcher(value.slice(0, -1)), MATCH_ANY];
      } else [matchIss, matchSub] = [exactMatcher(iss), exactMatcher(sub)];
      return principalAnd([{ metadata: jwtClaimMatcher('iss', matchIss) }, { metadata: jwtClaimMatcher('sub', matchSub) }]);
    });
    return or.length === 1 ? or[0] : or.length > 0 ? principalOr(or) : undefined;
  },
};
const jwtClaimList = (claim: string): Generator => ({
  extendedPrincipal(key, values, forTCP) {
    httpOnly(key, forTCP);
    return { metadata: jwtClaimsListMatcher([claim], stringOrMatcher(values)) };
  },
});
const requestHeader: Generator = {
  principal(key, value, forTCP) {
    httpOnly(key, forTCP);
    return { header: headerMatcher(nameInBrackets(key.slice(ATTR.requestHeader.length)), value) };
  },
};
const requestClaim: Generator = {
  extendedPrincipal(key, values, forTCP) {
    httpOnly(key, forTCP);
    return { metadata: jwtClaimsListMatcher(namesInNestedBrackets(key.slice(ATTR.requestClaims.length)), stringOrMatcher(values)) };
  },
};
const host: Generator = {
  permission(key, value, forTCP) {
    httpOnly(key, forTCP);
    return { header: headerMatcher(':authority', value, true) };
  },
};
const path: Generator = {
  permission(key, value, forTCP) {
    httpOnly(key, forTCP);
    if (containsPathTemplate(value)) return { uri_template: { name: 'uri-template', typed_config: pathTemplateConfig(value) } };
    return { url_path: pathMatcher(value) };
  },
};
const method: Generator = {
  permission(key, value, forTCP) {
    httpOnly(key, forTCP);
    return { header: headerMatcher(':method', value) };
  },
};

const ATTR = {
  requestHeader: 'request.headers',
  requestClaims: 'request.auth.claims',
  envoyFilter: 'experimental.envoy.filters.',
};

/** The condition keys of `when` istiod knows: which side of the policy they go to, and their generator. */
function whenGenerator(key: string, policyNamespace: string): { side: 'permission' | 'principal'; g: Generator; extended: boolean } | undefined {
  switch (key) {
    case 'destination.ip': return { side: 'permission', g: destIp, extended: false };
    case 'destination.port': return { side: 'permission', g: destPort, extended: false };
    case 'connection.sni': return { side: 'permission', g: connSni, extended: false };
    case 'source.ip': return { side: 'principal', g: srcIp, extended: false };
    case 'remote.ip': return { side: 'principal', g: remoteIp, extended: false };
    case 'source.namespace': return { side: 'principal', g: srcNamespace, extended: false };
    case 'source.trustDomain': return { side: 'principal', g: srcTrustDomain, extended: false };
    case 'source.serviceAccount': return { side: 'principal', g: srcServiceAccount(policyNamespace), extended: false };
    case 'source.principal': return { side: 'principal', g: srcPrincipal, extended: false };
    case 'request.auth.principal': return { side: 'principal', g: requestPrincipal, extended: true };
    case 'request.auth.audiences': return { side: 'principal', g: jwtClaimList('aud'), extended: true };
    case 'request.auth.presenter': return { side: 'principal', g: jwtClaimList('azp'), extended: true };
  }
  if (key.startsWith(ATTR.envoyFilter)) return { side: 'permission', g: envoyFilter, extended: true };
  if (key.startsWith(ATTR.requestHeader)) return { side: 'principal', g: requestHeader, extended: false };
  if (key.startsWith(ATTR.requestClaims)) return { side: 'principal', g: requestClaim, extended: true };
  return undefined;
}

/** One key's values and notValues; shared (not copied) between the from/to lists, as in istiod. */
interface KeyRule {
  key: string;
  values: string[];
  notValues: string[];
  g: Generator;
  extended: boolean;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function keyRule(g: Generator, extended: boolean, key: string, values: unknown, notValues: unknown): KeyRule | undefined {
  const v = strings(values);
  const n = strings(notValues);
  return v.length === 0 && n.length === 0 ? undefined : { key, values: v, notValues: n, g, extended };
}

/** The rule's permissions and principals, one list of key rules each (model.New). */
export interface RuleModel {
  permissions: KeyRule[][];
  principals: KeyRule[][];
}

/** model.New; an unknown condition key is an error (the rule is skipped). */
export function ruleModel(policyNamespace: string, rule: any): RuleModel {
  const basePermission: KeyRule[] = [];
  const basePrincipal: KeyRule[] = [];
  for (const when of Array.isArray(rule?.when) ? rule.when : []) {
    const key = String(when?.key ?? '');
    const found = whenGenerator(key, policyNamespace);
    if (!found) throw new RuleError(`unknown attribute ${key}`);
    const r = keyRule(found.g, found.extended, key, when.values, when.notValues);
    if (r) (found.side === 'permission' ? basePermission : basePrincipal).push(r);
  }
  const front = (list: KeyRule[], r: KeyRule | undefined): void => {
    if (r) list.unshift(r);
  };
  const principals: KeyRule[][] = [];
  const from: any[] = Array.isArray(rule?.from) ? rule.from : [];
  for (const f of from) {
    const merged = [...basePrincipal];
    const s = f?.source;
    if (s) {
      front(merged, keyRule(srcIp, false, 'source.ip', s.ipBlocks, s.notIpBlocks));
      front(merged, keyRule(remoteIp, false, 'remote.ip', s.remoteIpBlocks, s.notRemoteIpBlocks));
      front(merged, keyRule(srcNamespace, false, 'source.namespace', s.namespaces, s.notNamespaces));
      front(merged, keyRule(srcTrustDomain, false, 'source.trustDomain', s.trustDomains, s.notTrustDomains));
      front(merged, keyRule(srcServiceAccount(policyNamespace), false, 'source.serviceAccount', s.serviceAccounts, s.notServiceAccounts));
      front(merged, keyRule(requestPrincipal, true, 'request.auth.principal', s.requestPrincipals, s.notRequestPrincipals));
      front(merged, keyRule(srcPrincipal, false, 'source.principal', s.principals, s.notPrincipals));
    }
    principals.push(merged);
  }
  if (from.length === 0) principals.push(basePrincipal);
  const permissions: KeyRule[][] = [];
  const to: any[] = Array.isArray(rule?.to) ? rule.to : [];
  for (const t of to) {
    const merged = [...basePermission];
    const o = t?.operation;
    if (o) {
      front(merged, keyRule(destPort, false, 'destination.port', o.ports, o.notPorts));
      front(merged, keyRule(path, false, 'path-matcher', o.paths, o.notPaths));
      front(merged, keyRule(method, false, ':method', o.methods, o.notMethods));
      front(merged, keyRule(host, false, ':authority', o.hosts, o.notHosts));
    }
    permissions.push(merged);
  }
  if (to.length === 0) permissions.push(basePermission);
  return { permissions, principals };
}

/** MigrateTrustDomain: in place, so a `when` key rule shared by several `from`s is migrated once per `from`, as in istiod. */
export function migrateTrustDomain(m: RuleModel, bundle: string[]): void {
  for (const list of m.principals) {
    for (const r of list) {
      if (r.key === 'source.principal') {
        if (r.values.length) r.values = replaceTrustDomainAliases(bundle, r.values);
        if (r.notValues.length) r.notValues = replaceTrustDomainAliases(bundle, r.notValues);
      } else if (r.key === 'source.trustDomain') {
        if (r.values.length) r.values = expandTrustDomainAliases(bundle, r.values);
        if (r.notValues.length) r.notValues = expandTrustDomainAliases(bundle, r.notValues);
      }
    }
  }
}

/**
 * checkError: an ALLOW rule with a value that has no Envoy form is dropped (a narrower allow); a DENY or
 * AUDIT rule drops just that value (a wider deny).
 */
function attempt<T>(action: RbacAction, f: () => T | undefined): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof RuleError && action !== 'ALLOW') return undefined;
    throw e;
  }
}

function sideOf<T>(r: KeyRule, action: RbacAction, single: (v: string) => T, extended: (vs: string[]) => T | undefined, or: (xs: T[]) => T, not: (x: T) => T): T[] {
  const out: T[] = [];
  for (const [values, negate] of [[r.values, false], [r.notValues, true]] as const) {
    if (values.length === 0) continue;
    let item: T | undefined;
    if (r.extended) item = attempt(action, () => extended(values));
    else {
      const each = values.map((v) => attempt(action, () => single(v))).filter((x) => x !== undefined) as T[];
      item = each.length > 0 ? or(each) : undefined;
    }
    if (item !== undefined) out.push(negate ? not(item) : item);
  }
  return out;
}

/** Model.Generate: the RBAC policy of the rule; a RuleError for an ALLOW rule that cannot be expressed (e.g. HTTP fields on TCP). */
export function generatePolicy(m: RuleModel, forTCP: boolean, action: RbacAction): RbacPolicy {
  const permissions = m.permissions.map((list) => {
    const and = list.flatMap((r) =>
      sideOf<Permission>(
        r,
        action,
        (v) => r.g.permission!(r.key, v, forTCP),
        (vs) => r.g.extendedPermission!(r.key, vs, forTCP),
        permissionOr,
        permissionNot,
      ),
    );
    return permissionAnd(and.length > 0 ? and : [permissionAny()]);
  });
  const principals = m.principals.map((list) => {
    const and = list.flatMap((r) =>
      sideOf<Principal>(
        r,
        action,
        (v) => r.g.principal!(r.key, v, forTCP),
        (vs) => r.g.extendedPrincipal!(r.key, vs, forTCP),
        principalOr,
        principalNot,
      ),
    );
    return principalAnd(and.length > 0 ? and : [principalAny()]);
  });
  return { permissions, principals };
}
