// Which AuthorizationPolicies and RequestAuthentications apply to a proxy: those of the root namespace and
// of the workload's namespace whose selector matches its labels, or, for a Gateway API gateway, whose
// targetRefs name it (pilot/pkg/model/authorization.go ListAuthorizationPolicies, policyattachment.go
// ShouldAttachPolicy, authentication.go GetJwtPoliciesForWorkload). Waypoints are not modelled.

import { labelsMatch } from './hosts.js';
import type { IstioConfig, Proxy } from './types.js';

export type AuthorizationAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

export interface AuthorizationPolicies {
  custom: IstioConfig[];
  deny: IstioConfig[];
  allow: IstioConfig[];
  audit: IstioConfig[];
}

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

const targetRefsOf = (spec: any): any[] =>
  Array.isArray(spec?.targetRefs) && spec.targetRefs.length > 0 ? spec.targetRefs : spec?.targetRef ? [spec.targetRef] : [];

/** ShouldAttachPolicy for a sidecar or gateway (not a waypoint). */
export function shouldAttach(policy: IstioConfig, proxy: Proxy, selectorPolicyOnGateways: boolean): boolean {
  const selected = (): boolean => labelsMatch(policy.spec?.selector?.matchLabels ?? {}, proxy.labels);
  const gatewayName = proxy.labels[GATEWAY_NAME_LABEL];
  const refs = targetRefsOf(policy.spec);
  if (gatewayName === undefined) return refs.length === 0 && selected();
  if (refs.length === 0) return selectorPolicyOnGateways && selected();
  return refs.some(
    (ref) =>
      policy.namespace === proxy.namespace &&
      (!ref.namespace || ref.namespace === proxy.namespace) &&
      (ref.group ?? '') === 'gateway.networking.k8s.io' &&
      ref.kind === 'Gateway' &&
      ref.name === gatewayName,
  );
}

/** Policies of one kind by namespace, oldest first (sortConfigByCreationTime). */
export class SecurityPolicyIndex {
  private readonly byNamespace = new Map<string, IstioConfig[]>();

  constructor(
    policies: IstioConfig[],
    private readonly rootNamespace: string,
    private readonly selectorPolicyOnGateways: boolean,
  ) {
    for (const p of [...policies].sort((a, b) => a.creation - b.creation)) {
      const list = this.byNamespace.get(p.namespace) ?? [];
      list.push(p);
      this.byNamespace.set(p.namespace, list);
    }
  }

  /** The policies that apply to a proxy: root namespace first, then the proxy's. */
  forProxy(proxy: Proxy): IstioConfig[] {
    const namespaces = [...new Set([this.rootNamespace, proxy.namespace])];
    return namespaces.flatMap((ns) => this.byNamespace.get(ns) ?? []).filter((p) => shouldAttach(p, proxy, this.selectorPolicyOnGateways));
  }
}

/** The AuthorizationPolicy action (ALLOW when unset). */
export const actionOf = (policy: IstioConfig): AuthorizationAction | undefined => {
  const a = policy.spec?.action ?? 'ALLOW';
  return a === 'ALLOW' || a === 'DENY' || a === 'AUDIT' || a === 'CUSTOM' ? a : undefined;
};

/** updateAuthorizationPoliciesResult: bucketed by action, in order. */
export function bucketByAction(policies: IstioConfig[]): AuthorizationPolicies {
  const out: AuthorizationPolicies = { custom: [], deny: [], allow: [], audit: [] };
  for (const p of policies) {
    const a = actionOf(p);
    if (a) out[a.toLowerCase() as keyof AuthorizationPolicies].push(p);
  }
  return out;
}
