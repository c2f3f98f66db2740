// `istioctl x authz check`: which AuthorizationPolicies a proxy enforces, read back from the RBAC filters
// of its listeners (istioctl/pkg/authz/listener.go Print): per action, each policy with its rule count.

import type { Listener } from '../xds/envoy.js';
import { tabwrite } from './tabwriter.js';
import { tableLines, type KindOutput } from './types.js';
import { parseRbacPolicyName } from '../security/authz-builder.js';

/** An RBAC filter with no policies (e.g. an ALLOW whose rules were all dropped) is a policy matching nothing. */
const ANONYMOUS = '_anonymous_match_nothing_';
const ACTIONS = ['DENY', 'ALLOW', 'LOG', 'CUSTOM'] as const;
const ACTION_NAMES: Record<string, string> = { '0': 'ALLOW', '1': 'DENY', '2': 'LOG', ALLOW: 'ALLOW', DENY: 'DENY', LOG: 'LOG' };

const HCM = 'envoy.filters.network.http_connection_manager';

/** istioctl x authz check's writer: tabwriter.NewWriter(w, 0, 8, 3, ' ', 0). */
const AUTHZ_TABLE = { minwidth: 0, padding: 3 };

/** Every RBAC filter config of the proxy: in HTTP connection managers and as network filters. */
export function rbacConfigs(listeners: Listener[]): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const l of listeners) {
    for (const chain of l.filter_chains ?? []) {
      for (const f of chain.filters ?? []) {
        if (f.name === HCM) {
          for (const h of ((f.typed_config as any)?.http_filters ?? []) as { name: string; typed_config?: any }[]) {
            if (h.name === 'envoy.filters.http.rbac') out.push(h.typed_config ?? {});
          }
        } else if (f.name === 'envoy.filters.network.rbac') out.push((f.typed_config as any) ?? {});
      }
    }
  }
  return out;
}

export function authzSummary(listeners: Listener[]): KindOutput {
  const byAction = new Map<string, Map<string, Set<string>>>();
  const add = (action: string, name: string, rule: string) => {
    const policies = byAction.get(action) ?? new Map<string, Set<string>>();
    byAction.set(action, policies);
    const rules = policies.get(name) ?? new Set<string>();
    policies.set(name, rules);
    rules.add(rule);
  };
  const addNamed = (action: string, ruleName: string) => {
    const p = parseRbacPolicyName(ruleName);
    if (p) add(action, `${p.name}.${p.namespace}`, p.rule);
  };
  for (const cfg of rbacConfigs(listeners)) {
    const action = ACTION_NAMES[String(cfg.rules?.action ?? 0)] ?? 'ALLOW';
    const policies = Object.keys(cfg.rules?.policies ?? {});
    for (const name of policies) addNamed(action, name);
    for (const name of Object.keys(cfg.shadow_rules?.policies ?? {})) if (name.startsWith('istio-ext-authz-')) addNamed('CUSTOM', name);
    if (policies.length === 0) add(action, ANONYMOUS, '0');
  }
  const rows: string[][] = [];
  for (const action of ACTIONS) {
    const policies = byAction.get(action);
    if (!policies) continue;
    for (const name of [...policies.keys()].sort()) rows.push([action, name, String(policies.get(name)!.size)]);
  }
  const headers = ['ACTION', 'AuthorizationPolicy', 'RULES'];
  return { kind: 'authz', headers, rows, text: tabwrite(tableLines(headers, rows), AUTHZ_TABLE) };
}
