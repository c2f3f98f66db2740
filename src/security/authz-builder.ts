// AuthorizationPolicies as Envoy RBAC and ext_authz filters (pilot/pkg/security/authz/builder/builder.go):
// the local filters (AUDIT, DENY, ALLOW: one each, dry-run policies as shadow rules) and the CUSTOM ones
// (per provider a shadow RBAC that marks matching requests, then the provider's ext_authz).

import type { TypedConfig } from '../xds/envoy.js';
import { featureFlag } from '../mesh/features.js';
import type { IstioConfig, MeshIndex, Proxy } from '../mesh/types.js';
import { EXT_AUTHZ_MATCH_PREFIX, EXT_AUTHZ_STAT_PREFIX, extensionProviders, filterEnabledMetadata, type ExtAuthzProvider } from './ext-authz.js';
import { RuleError, generatePolicy, migrateTrustDomain, ruleModel, type RbacAction, type RbacPolicy } from './rule-model.js';
import { trustDomainBundle } from './trust-domain.js';

export const HTTP_RBAC = 'envoy.filters.http.rbac';
export const NETWORK_RBAC = 'envoy.filters.network.rbac';
const HTTP_RBAC_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const NETWORK_RBAC_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC';
const TCP_STAT_PREFIX = 'tcp.';
const BAD_CUSTOM_SUFFIX = '-deny-due-to-bad-CUSTOM-action';

/** An HTTP or network filter with its typed config. */
export interface Filter {
  name: string;
  typed_config: TypedConfig;
}

/** rbacPolicyMatchNever: what an ALLOW (or other) policy without rules becomes. */
const MATCH_NEVER: RbacPolicy = {
  permissions: [{ not_rule: { any: true } }],
  principals: [{ not_id: { any: true } }],
};

/** An RBAC rule set: envoy.config.rbac.v3.RBAC. */
interface Rbac {
  action: RbacAction;
  policies: Record<string, RbacPolicy>;
}

const rbacJson = (r: Rbac): Record<string, unknown> => ({
  ...(r.action === 'ALLOW' ? {} : { action: r.action }),
  ...(Object.keys(r.policies).length > 0 ? { policies: r.policies } : {}),
});

/** strconv.ParseBool of the istio.io/dry-run annotation; anything else is not dry-run. */
export const isDryRun = (policy: IstioConfig): boolean => ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(policy.annotations['istio.io/dry-run'] ?? '');

/** builder.go policyName: CUSTOM names carry the provider, which ext_authz matches on. */
export const rbacPolicyName = (namespace: string, name: string, rule: number, provider?: string): string =>
  `${provider === undefined ? '' : `${EXT_AUTHZ_MATCH_PREFIX}-${provider}-`}ns[${namespace}]-policy[${name}]-rule[${rule}]`;

/** An RBAC policy name read back (istioctl authz listener.go's pattern): the AuthorizationPolicy and rule it came from. */
export function parseRbacPolicyName(rbacName: string): { namespace: string; name: string; rule: string } | undefined {
  const m = /(?:istio-ext-authz-)?ns\[(.+)\]-policy\[(.+)\]-rule\[(.+)\]/.exec(rbacName);
  return m ? { namespace: m[1], name: m[2], rule: m[3] } : undefined;
}

/** The RBAC policies of one AuthorizationPolicy's rules (Builder.build's inner loop). */
function addPolicies(into: Rbac, policy: IstioConfig, bundle: string[], forTCP: boolean, provider?: string): void {
  const rules: unknown[] = Array.isArray(policy.spec?.rules) ? policy.spec.rules : [];
  rules.forEach((rule, i) => {
    if (rule === null || rule === undefined) return;
    const name = rbacPolicyName(policy.namespace, policy.name, i, provider);
    try {
      const m = ruleModel(policy.namespace, rule);
      migrateTrustDomain(m, bundle);
      into.policies[name] = generatePolicy(m, forTCP, into.action);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      // istiod logs and skips the rule (an ALLOW rule with HTTP-only fields on a TCP chain, a bad value).
    }
  });
  if (rules.length === 0) into.policies[rbacPolicyName(policy.namespace, policy.name, 0, provider)] = MATCH_NEVER;
}

interface BuiltRules {
  rules?: Rbac;
  shadow?: Rbac;
}

function buildLocal(policies: IstioConfig[], action: RbacAction, bundle: string[], forTCP: boolean): BuiltRules | undefined {
  if (policies.length === 0) return undefined;
  const out: BuiltRules = {};
  for (const p of policies) {
    const key = isDryRun(p) ? 'shadow' : 'rules';
    const target = (out[key] ??= { action, policies: {} });
    addPolicies(target, p, bundle, forTCP);
  }
  return out;
}

/** shadowRuleStatPrefix: of a missing shadow rule set too (its action reads as ALLOW), a quirk kept. */
const shadowStatPrefix = (shadow?: Rbac): string =>
  !shadow || shadow.action === 'ALLOW' ? 'istio_dry_run_allow_' : shadow.action === 'DENY' ? 'istio_dry_run_deny_' : '';

function localFilter(built: BuiltRules, forTCP: boolean): Filter {
  const config: Record<string, unknown> = { '@type': forTCP ? NETWORK_RBAC_TYPE : HTTP_RBAC_TYPE };
  if (built.rules) config.rules = rbacJson(built.rules);
  if (forTCP) config.stat_prefix = TCP_STAT_PREFIX;
  if (built.shadow) config.shadow_rules = rbacJson(built.shadow);
  const prefix = shadowStatPrefix(built.shadow);
  if (prefix) config.shadow_rules_stat_prefix = prefix;
  return { name: forTCP ? NETWORK_RBAC : HTTP_RBAC, typed_config: config as TypedConfig };
}

/** getBadCustomDenyRules: a provider that cannot be used denies what its policies would send to it. */
function badCustomDeny(rules: Rbac, forTCP: boolean): Filter {
  const policies = Object.fromEntries(Object.entries(rules.policies).map(([k, v]) => [k + BAD_CUSTOM_SUFFIX, v]));
  const config: Record<string, unknown> = { '@type': forTCP ? NETWORK_RBAC_TYPE : HTTP_RBAC_TYPE, rules: rbacJson({ action: 'DENY', policies }) };
  if (forTCP) config.stat_prefix = TCP_STAT_PREFIX;
  return { name: forTCP ? NETWORK_RBAC : HTTP_RBAC, typed_config: config as TypedConfig };
}

function customFilters(index: MeshIndex, policies: IstioConfig[], bundle: string[], forTCP: boolean): Filter[] {
  if (policies.length === 0) return [];
  const byProvider = new Map<string, { rules: Rbac; shadow: Rbac }>();
  for (const p of policies) {
    const provider = String(p.spec?.provider?.name ?? '');
    let sets = byProvider.get(provider);
    if (!sets) byProvider.set(provider, (sets = { rules: { action: 'DENY', policies: {} }, shadow: { action: 'DENY', policies: {} } }));
    addPolicies(isDryRun(p) ? sets.shadow : sets.rules, p, bundle, forTCP, provider);
  }
  const providers = [...byProvider.keys()].sort();
  if (providers.length > 1 && !featureFlag(index.options.features, 'PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS')) {
    return providers.map((p) => badCustomDeny(byProvider.get(p)!.rules, forTCP));
  }
  const resolved: Map<string, ExtAuthzProvider> = extensionProviders(index);
  const rbacName = forTCP ? NETWORK_RBAC : HTTP_RBAC;
  return providers.flatMap((provider) => {
    const sets = byProvider.get(provider)!;
    const ext = resolved.get(provider);
    const extConfig = forTCP ? ext?.tcp : ext?.http;
    if (!ext || ext.errors.length > 0 || !ext.http) return [badCustomDeny(sets.rules, forTCP)];
    if (!extConfig) return []; // an HTTP provider has no TCP form
    const rbac: Record<string, unknown> = { '@type': forTCP ? NETWORK_RBAC_TYPE : HTTP_RBAC_TYPE };
    if (Object.keys(sets.shadow.policies).length > 0) rbac.rules = rbacJson(sets.shadow);
    if (forTCP) rbac.stat_prefix = TCP_STAT_PREFIX;
    rbac.shadow_rules = rbacJson(sets.rules);
    rbac.shadow_rules_stat_prefix = EXT_AUTHZ_STAT_PREFIX;
    return [
      { name: rbacName, typed_config: rbac as TypedConfig },
      {
        name: forTCP ? 'envoy.filters.network.ext_authz' : 'envoy.filters.http.ext_authz',
        typed_config: { ...(extConfig as TypedConfig), filter_enabled_metadata: filterEnabledMetadata(rbacName, provider) },
      },
    ];
  });
}

/** The authorization filters of a proxy, built once for its HTTP and TCP chains. */
export interface AuthzFilters {
  /** CUSTOM: before jwt_authn. */
  customHttp: Filter[];
  /** AUDIT, DENY, ALLOW: after jwt_authn. */
  localHttp: Filter[];
  customTcp: Filter[];
  localTcp: Filter[];
}

export function buildAuthzFilters(index: MeshIndex, proxy: Proxy): AuthzFilters {
  const policies = index.authorizationPolicies(proxy);
  const bundle = trustDomainBundle(index.mesh);
  const local = (forTCP: boolean): Filter[] =>
    (
      [
        [policies.audit, 'LOG'],
        [policies.deny, 'DENY'],
        [policies.allow, 'ALLOW'],
      ] as const
    ).flatMap(([list, action]) => {
      const built = buildLocal(list, action, bundle, forTCP);
      return built ? [localFilter(built, forTCP)] : [];
    });
  return {
    customHttp: customFilters(index, policies.custom, bundle, false),
    localHttp: local(false),
    customTcp: customFilters(index, policies.custom, bundle, true),
    localTcp: local(true),
  };
}
