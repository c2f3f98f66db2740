// Authorization on a hop, decided over the generated filters themselves: Envoy's jwt_authn, RBAC and
// ext_authz as they would run on the chosen filter chain (envoy source/extensions/filters/common/rbac/
// matchers.cc and engine_impl.cc, filters/http/rbac, filters/network/rbac, filters/http/jwt_authn).
// RBAC: the first policy (by name) that matches decides; ALLOW denies when none matches, DENY when one
// does, LOG never denies; shadow rules are only reported. CUSTOM (ext_authz) asks a service whose answer
// cannot be known offline: the step says so and the request goes on.

import type { TraceErrorCode, TraceStep } from '../contract.js';
import type { Filter, FilterChain } from '../xds/envoy.js';
import { cidrContains, parseCidr, parseIp, type IpAddress } from './ip.js';
import { Rejections, step, type Call } from './request.js';
import { quoteMeta } from '../util/regex.js';
import { compileHeaderMatcher, compileRegex, compileStringMatcher, type CompiledMatcher, type HeaderCondition } from '../router/matchers.js';
import { memo } from '../router/memo.js';
import { parseRbacPolicyName } from '../security/authz-builder.js';

/** The token a request carries (request.jwt), as RequestAuthentication reads it. */
export interface JwtInput {
  issuer?: string;
  subject?: string;
  audiences?: string[];
  claims?: Record<string, unknown>;
  valid?: boolean;
}

/** Who is calling, as this hop's Envoy sees the connection. */
export interface Peer {
  /** URI SAN of the client certificate: only over mTLS. */
  principal?: string;
  /** Why there is none (for the step). */
  noPrincipal?: string;
}

export interface AuthzVerdict {
  failure?: { code: TraceErrorCode; message: string; policy?: string | null };
  /** Whether the token goes on upstream (jwt_authn forward), else it is removed. */
  jwtForwarded: boolean;
  /** Request headers jwt_authn sets from the token's claims (claim_to_headers), seen by routing and upstream. */
  claimHeaders: Record<string, string>;
}

interface Ctx {
  call: Call;
  peer: Peer;
  jwt?: JwtInput;
  /** Dynamic metadata by filter name, as later filters read it. */
  metadata: Map<string, Record<string, unknown>>;
  remoteIp?: IpAddress;
  http: boolean;
}

// ---- string and value matchers (envoy/type/matcher/v3) ----

// One implementation of Envoy's matchers (src/router/matchers.ts), compiled once per matcher object.
const stringMatchers = new WeakMap<object, CompiledMatcher>();
const headerMatchers = new WeakMap<object, HeaderCondition>();

export function matchString(m: any, value: string | undefined): boolean {
  if (value === undefined || !m) return false;
  return memo(stringMatchers, m, compileStringMatcher).test(value);
}

function matchValue(m: any, value: unknown): boolean {
  if (!m) return false;
  if (m.or_match) return (m.or_match.value_matchers ?? []).some((x: any) => matchValue(x, value));
  if (m.list_match) return Array.isArray(value) && value.some((x) => matchValue(m.list_match.one_of, x));
  if (m.present_match) return value !== undefined;
  if (m.string_match) return typeof value === 'string' && matchString(m.string_match, value);
  if (m.bool_match !== undefined) return value === m.bool_match;
  if (m.null_match) return value === null;
  return false;
}

function metadataValue(ctx: Ctx, m: any): unknown {
  let v: unknown = ctx.metadata.get(m.filter);
  for (const seg of m.path ?? []) v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[seg.key] : undefined;
  return v;
}

const matchMetadata = (ctx: Ctx, m: any): boolean => {
  const ok = matchValue(m.value, metadataValue(ctx, m));
  return m.invert ? !ok : ok;
};

/** The request header a matcher names, with Envoy's pseudo-headers; none on a TCP connection. */
function headerValue(ctx: Ctx, name: string): string | undefined {
  if (!ctx.http) return undefined;
  const n = name.toLowerCase();
  if (n === ':method') return ctx.call.method;
  if (n === ':authority' || n === 'host') return ctx.call.host;
  if (n === ':path') return ctx.call.path;
  if (n === ':scheme') return ctx.call.tls === 'plaintext' ? 'http' : 'https';
  return ctx.call.headers.get(n);
}

function matchHeader(ctx: Ctx, h: any): boolean {
  const condition = memo(headerMatchers, h, compileHeaderMatcher);
  return condition.test(headerValue(ctx, condition.name));
}

const pathOnly = (path: string): string => path.split(/[?#]/, 1)[0];

/** uri_template: "*" is one path segment, "**" any run of them, slashes included (envoy/extensions/path/match/uri_template). */
function matchUriTemplate(template: string, path: string): boolean {
  const re = template
    .split('/')
    .map((seg) => (seg === '**' ? '.*' : seg === '*' ? '[^/]+' : quoteMeta(seg)))
    .join('/');
  return compileRegex(re).test(pathOnly(path));
}

function inCidr(range: any, ip: IpAddress | undefined): boolean {
  const c = parseCidr(range?.address_prefix ?? '', range?.prefix_len ?? 0);
  return !!(c && ip && cidrContains(c, ip));
}

// ---- permissions and principals (matchers.cc) ----

function matchPermission(ctx: Ctx, p: any): boolean {
  if (p.any) return true;
  if (p.and_rules) return (p.and_rules.rules ?? []).every((r: any) => matchPermission(ctx, r));
  if (p.or_rules) return (p.or_rules.rules ?? []).some((r: any) => matchPermission(ctx, r));
  if (p.not_rule) return !matchPermission(ctx, p.not_rule);
  if (p.header) return matchHeader(ctx, p.header);
  if (p.url_path) return ctx.http && matchString(p.url_path.path, pathOnly(ctx.call.path));
  if (p.uri_template) return ctx.http && matchUriTemplate(String(p.uri_template.typed_config?.path_template ?? ''), ctx.call.path);
  if (p.destination_ip) return inCidr(p.destination_ip, ctx.call.ip);
  if (p.destination_port !== undefined) return ctx.call.port === Number(p.destination_port);
  if (p.requested_server_name) return matchString(p.requested_server_name, ctx.call.sni);
  if (p.metadata) return matchMetadata(ctx, p.metadata);
  return false;
}

function matchPrincipal(ctx: Ctx, p: any): boolean {
  if (p.any) return true;
  if (p.and_ids) return (p.and_ids.ids ?? []).every((r: any) => matchPrincipal(ctx, r));
  if (p.or_ids) return (p.or_ids.ids ?? []).some((r: any) => matchPrincipal(ctx, r));
  if (p.not_id) return !matchPrincipal(ctx, p.not_id);
  if (p.authenticated) {
    if (ctx.peer.principal === undefined) return false;
    return !p.authenticated.principal_name || matchString(p.authenticated.principal_name, ctx.peer.principal);
  }
  if (p.filter_state) return p.filter_state.key === 'io.istio.peer_principal' && matchString(p.filter_state.string_match, ctx.peer.principal);
  if (p.direct_remote_ip) return inCidr(p.direct_remote_ip, ctx.call.source?.ip);
  if (p.remote_ip) return inCidr(p.remote_ip, ctx.remoteIp);
  if (p.source_ip) return inCidr(p.source_ip, ctx.call.source?.ip);
  if (p.header) return matchHeader(ctx, p.header);
  if (p.metadata) return matchMetadata(ctx, p.metadata);
  return false;
}

/** "ns[foo]-policy[bar]-rule[0]" (maybe with a CUSTOM prefix or suffix) → "foo/bar". */
export function policyOf(rbacName: string): string | null {
  const p = parseRbacPolicyName(rbacName.replace(/-deny-due-to-bad-CUSTOM-action$/, ''));
  return p ? `${p.namespace}/${p.name}` : null;
}

const who = (ctx: Ctx): string =>
  [
    ctx.peer.principal ? `principal ${ctx.peer.principal}` : `no principal (${ctx.peer.noPrincipal ?? 'no client certificate'})`,
    ctx.call.source?.address ? `from ${ctx.call.source.address}` : 'from an unknown address',
    ctx.http ? `${ctx.call.method} ${ctx.call.host}${ctx.call.path}` : `port ${ctx.call.port}`,
  ].join(', ');

// ---- why a policy did not match: the first condition the request fails, in words ----

const stringText = (m: any): string => {
  if (!m) return '?';
  const ic = m.ignore_case ? ' (any case)' : '';
  if (m.exact !== undefined) return `= ${JSON.stringify(m.exact)}${ic}`;
  if (m.prefix !== undefined) return `starts with ${JSON.stringify(m.prefix)}${ic}`;
  if (m.suffix !== undefined) return `ends with ${JSON.stringify(m.suffix)}${ic}`;
  if (m.contains !== undefined) return `contains ${JSON.stringify(m.contains)}${ic}`;
  if (m.safe_regex) return m.safe_regex.regex === '.+' ? 'is set' : `matches /${m.safe_regex.regex}/`;
  return '?';
};

const valueText = (m: any): string =>
  m?.or_match ? (m.or_match.value_matchers ?? []).map(valueText).join(' or ')
  : m?.list_match ? `holds a value that ${valueText(m.list_match.one_of)}`
  : m?.string_match ? stringText(m.string_match)
  : m?.present_match ? 'is present' : '?';

/** A permission or principal matcher in words. */
function matcherText(m: any): string {
  if (m.any) return 'anything';
  const set = m.and_rules?.rules ?? m.and_ids?.ids;
  if (set) return set.map(matcherText).join(' and ');
  const any = m.or_rules?.rules ?? m.or_ids?.ids;
  if (any) return any.length === 1 ? matcherText(any[0]) : `(${any.map(matcherText).join(' or ')})`;
  const not = m.not_rule ?? m.not_id;
  if (not) return `not ${matcherText(not)}`;
  if (m.header) return `header ${m.header.name} ${m.header.present_match ? 'is present' : stringText(m.header.string_match)}`;
  if (m.url_path) return `path ${stringText(m.url_path.path)}`;
  if (m.uri_template) return `path fits template ${m.uri_template.typed_config?.path_template}`;
  if (m.destination_port !== undefined) return `port ${m.destination_port}`;
  if (m.destination_ip) return `destination in ${m.destination_ip.address_prefix}/${m.destination_ip.prefix_len}`;
  if (m.requested_server_name) return `SNI ${stringText(m.requested_server_name)}`;
  if (m.metadata) return `${m.metadata.filter === 'envoy.filters.http.jwt_authn' ? 'JWT' : m.metadata.filter} ${(m.metadata.path ?? []).map((p: any) => p.key).join('.')} ${valueText(m.metadata.value)}`;
  if (m.authenticated) return `principal ${stringText(m.authenticated.principal_name)}`;
  if (m.direct_remote_ip) return `source in ${m.direct_remote_ip.address_prefix}/${m.direct_remote_ip.prefix_len}`;
  if (m.remote_ip) return `client in ${m.remote_ip.address_prefix}/${m.remote_ip.prefix_len}`;
  return Object.keys(m)[0] ?? '?';
}

/** The first failing condition of the first alternative (a policy's permissions or principals are OR'ed). */
function firstMiss(ctx: Ctx, alternatives: any[], key: 'rules' | 'ids', match: (ctx: Ctx, m: any) => boolean): string {
  const first = alternatives[0];
  const parts: any[] = first?.[key === 'rules' ? 'and_rules' : 'and_ids']?.[key] ?? (first ? [first] : []);
  const miss = parts.find((p) => !match(ctx, p));
  const more = alternatives.length > 1 ? ` (and ${alternatives.length - 1} other alternative(s) fail too)` : '';
  return miss ? `needs ${matcherText(miss)}${more}` : `no alternative matches${more}`;
}

interface Evaluation {
  matched?: string;
  rejected: Rejections;
}

/** engine_impl.cc handleAction: policies in name order, the first whose permissions and principals both match. */
function evaluate(ctx: Ctx, rules: any): Evaluation {
  const rejected = new Rejections();
  const names = Object.keys(rules?.policies ?? {}).sort();
  for (const name of names) {
    const policy = rules.policies[name];
    const perm = (policy.permissions ?? []).some((p: any) => matchPermission(ctx, p));
    const princ = perm && (policy.principals ?? []).some((p: any) => matchPrincipal(ctx, p));
    if (perm && princ) return { matched: name, rejected };
    rejected.add(name, () =>
      perm
        ? `the request matches its permissions, not its principals: ${firstMiss(ctx, policy.principals ?? [], 'ids', matchPrincipal)} (${who(ctx)})`
        : `the request matches none of its permissions: ${firstMiss(ctx, policy.permissions ?? [], 'rules', matchPermission)}`,
    );
  }
  return { rejected };
}

const ACTION_NAMES: Record<string, string> = { '0': 'ALLOW', '1': 'DENY', '2': 'LOG' };
const actionOf = (rules: any): string => ACTION_NAMES[String(rules?.action ?? 0)] ?? String(rules?.action ?? 'ALLOW');

/** One RBAC filter: its enforced rules decide, its shadow rules are reported (and, for CUSTOM, mark the request for ext_authz). */
function runRbac(ctx: Ctx, filter: Filter, steps: TraceStep[]): AuthzVerdict['failure'] | undefined {
  const cfg = (filter.typed_config ?? {}) as any;
  const shadowPrefix = String(cfg.shadow_rules_stat_prefix ?? '');
  const custom = shadowPrefix === 'istio_ext_authz_';
  const notes: string[] = [];
  let failure: AuthzVerdict['failure'];
  let chosen: string | null = null;
  const rejected: { name: string; why: string }[] = [];
  if (cfg.shadow_rules) {
    const shadow = evaluate(ctx, cfg.shadow_rules);
    rejected.push(...shadow.rejected.toList().map((r) => ({ name: r.name, why: `${custom ? 'CUSTOM' : 'dry-run'} ${r.why}` })));
    if (custom) {
      if (shadow.matched) {
        const meta = ctx.metadata.get(filter.name) ?? {};
        meta[`${shadowPrefix}shadow_effective_policy_id`] = shadow.matched;
        ctx.metadata.set(filter.name, meta);
        chosen = shadow.matched;
        notes.push(`CUSTOM policy ${policyOf(shadow.matched)} matches (${shadow.matched}): the request is sent to the external authorizer`);
      } else notes.push('no CUSTOM policy matches: the external authorizer is not asked');
    } else {
      const action = actionOf(cfg.shadow_rules);
      const wouldDeny = action === 'ALLOW' ? !shadow.matched : action === 'DENY' && !!shadow.matched;
      notes.push(`dry-run ${action} rules ${shadow.matched ? `match ${shadow.matched}` : 'match nothing'}: would ${wouldDeny ? 'deny' : 'allow'} (only logged)`);
    }
  }
  if (cfg.rules) {
    const action = actionOf(cfg.rules);
    const e = evaluate(ctx, cfg.rules);
    rejected.unshift(...e.rejected.toList());
    if (action === 'LOG') notes.unshift(`AUDIT rules ${e.matched ? `match ${e.matched}: the request is logged` : 'match nothing'} (AUDIT never denies)`);
    else if (action === 'DENY' && e.matched) {
      chosen = e.matched;
      const policy = policyOf(e.matched);
      const bad = e.matched.endsWith('-deny-due-to-bad-CUSTOM-action');
      notes.unshift(`DENY policy ${policy} matches (${e.matched})${bad ? ': its CUSTOM provider is invalid or undefined, so istiod made it a deny' : ''}: Envoy answers 403`);
      failure = { code: 'RBAC_DENIED', message: `denied by AuthorizationPolicy ${policy} (${e.matched}) on ${who(ctx)}`, policy };
    } else if (action === 'DENY') notes.unshift('no DENY policy matches');
    else if (e.matched) {
      chosen = e.matched;
      notes.unshift(`ALLOW policy ${policyOf(e.matched)} matches (${e.matched})`);
    } else {
      notes.unshift('ALLOW policies are present and none matches: Envoy answers 403');
      failure = { code: 'RBAC_DENIED', message: `no ALLOW policy matches ${who(ctx)}: denied`, policy: null };
    }
  }
  steps.push(step('rbac', chosen, `${filter.name}${cfg.rules ? ` ${actionOf(cfg.rules)}` : ''}: ${notes.join('; ') || 'no rules'}`, rejected));
  return failure;
}

function runExtAuthz(ctx: Ctx, filter: Filter, steps: TraceStep[]): void {
  const cfg = (filter.typed_config ?? {}) as any;
  const gate = cfg.filter_enabled_metadata;
  const service = cfg.http_service?.server_uri?.cluster ?? cfg.grpc_service?.envoy_grpc?.cluster_name ?? 'its service';
  if (gate && !matchMetadata(ctx, gate)) {
    steps.push(step('ext_authz', null, `${filter.name}: not asked (no CUSTOM policy of its provider matched)`));
    return;
  }
  steps.push(
    step(
      'ext_authz',
      service,
      `${filter.name}: the request is checked by ${service}; its answer cannot be known offline, so the trace goes on as if it allowed it${cfg.failure_mode_allow ? ' (failure_mode_allow: an unreachable authorizer allows too)' : ''}`,
    ),
  );
}

/** The JWT payload in metadata as jwt_authn writes it (payload_in_metadata), with space-delimited claims split. */
function payloadOf(jwt: JwtInput, provider: any): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...(jwt.claims ?? {}) };
  if (jwt.issuer !== undefined) payload.iss = jwt.issuer;
  if (jwt.subject !== undefined) payload.sub = jwt.subject;
  if (jwt.audiences !== undefined) payload.aud = jwt.audiences.length === 1 ? jwt.audiences[0] : jwt.audiences;
  for (const claim of provider?.normalize_payload_in_metadata?.space_delimited_claims ?? []) {
    const v = payload[claim];
    if (typeof v === 'string') payload[claim] = v.split(' ').filter(Boolean);
  }
  return payload;
}

function runJwt(ctx: Ctx, filter: Filter, steps: TraceStep[], verdict: AuthzVerdict): AuthzVerdict['failure'] | undefined {
  const cfg = (filter.typed_config ?? {}) as any;
  const providers: Record<string, any> = cfg.providers ?? {};
  const jwt = ctx.jwt;
  const issuers = Object.values(providers).map((p) => p.issuer);
  if (!jwt) {
    steps.push(step('jwt_authn', null, `${filter.name}: no token; allowed to pass without one (allow_missing), with no request principal`));
    return undefined;
  }
  const entry = Object.entries(providers).find(([, p]) => p.issuer === jwt.issuer);
  const rejected = Object.entries(providers)
    .filter(([name]) => name !== entry?.[0])
    .map(([name, p]) => ({ name, why: `issuer ${p.issuer}, not ${jwt.issuer ?? '(none)'}` }));
  const fail = (why: string) => {
    steps.push(step('jwt_authn', entry?.[0] ?? null, `${filter.name}: ${why}: Envoy answers 401`, rejected));
    return { code: 'JWT_INVALID' as const, message: why };
  };
  if (!entry) return fail(`the token's issuer ${jwt.issuer ?? '(none)'} is not one of ${issuers.join(', ')} (Jwt issuer is not configured)`);
  const [name, provider] = entry;
  if (jwt.valid === false) return fail(`the token of issuer ${jwt.issuer} fails verification against provider ${name}'s keys`);
  const audiences: string[] = provider.audiences ?? [];
  if (audiences.length > 0 && !(jwt.audiences ?? []).some((a) => audiences.includes(a))) {
    return fail(`the token's audiences ${JSON.stringify(jwt.audiences ?? [])} are not among ${JSON.stringify(audiences)}`);
  }
  const meta = ctx.metadata.get(filter.name) ?? {};
  meta[String(provider.payload_in_metadata ?? 'payload')] = payloadOf(jwt, provider);
  ctx.metadata.set(filter.name, meta);
  verdict.jwtForwarded = provider.forward === true;
  const payload = meta[String(provider.payload_in_metadata ?? 'payload')] as Record<string, unknown>;
  for (const c of provider.claim_to_headers ?? []) {
    const v = payload[c.claim_name];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') verdict.claimHeaders[String(c.header_name).toLowerCase()] = String(v);
  }
  steps.push(
    step(
      'jwt_authn',
      name,
      `${filter.name}: token of ${jwt.issuer} verified by provider ${name}; request principal ${jwt.issuer}/${jwt.subject ?? ''}${provider.forward ? '' : '; the token is removed before it goes upstream'}`,
      rejected,
    ),
  );
  return undefined;
}

const RBAC_NAMES = new Set(['envoy.filters.http.rbac', 'envoy.filters.network.rbac']);
const EXT_AUTHZ_NAMES = new Set(['envoy.filters.http.ext_authz', 'envoy.filters.network.ext_authz']);

/** Envoy's remote address for remote_ip: the connection's, or with use_remote_address false the last x-forwarded-for entry. */
function remoteAddress(call: Call, useRemoteAddress: boolean): IpAddress | undefined {
  const xff = call.headers.get('x-forwarded-for');
  if (!useRemoteAddress && xff) return parseIp(xff.split(',').at(-1)!.trim());
  return call.source?.ip;
}

/**
 * Run the security filters of a chain on a request, in the chain's order: for HTTP the HCM's http_filters
 * before the router, for TCP the network filters before tcp_proxy.
 */
export function authorize(chain: FilterChain, call: Call, peer: Peer, jwt: JwtInput | undefined, steps: TraceStep[]): AuthzVerdict {
  const hcm = chain.filters?.find((f) => f.name === 'envoy.filters.network.http_connection_manager');
  const typed = hcm?.typed_config as { http_filters?: Filter[]; use_remote_address?: boolean } | undefined;
  const filters: Filter[] = hcm ? (typed?.http_filters ?? []) : (chain.filters ?? []);
  const ctx: Ctx = { call, peer, jwt, metadata: new Map(), remoteIp: remoteAddress(call, typed?.use_remote_address === true), http: !!hcm };
  const verdict: AuthzVerdict = { jwtForwarded: true, claimHeaders: {} };
  for (const f of filters) {
    let failure: AuthzVerdict['failure'];
    if (RBAC_NAMES.has(f.name)) failure = runRbac(ctx, f, steps);
    else if (EXT_AUTHZ_NAMES.has(f.name)) runExtAuthz(ctx, f, steps);
    else if (f.name === 'envoy.filters.http.jwt_authn') failure = runJwt(ctx, f, steps, verdict);
    if (failure) return { ...verdict, failure };
  }
  return verdict;
}
