// Which Telemetry resources apply to a proxy, in istiod's order (pilot/pkg/model/telemetry.go
// applicableTelemetries): the root namespace's namespace-wide one, then the proxy namespace's, then those of
// the proxy's namespace that select it (selector, or targetRefs for a Gateway API gateway). Later ones override.

import { shouldAttach } from './security-policies.js';
import type { IstioConfig, Proxy } from './types.js';

const targeted = (t: IstioConfig): boolean =>
  Object.keys(t.spec?.selector?.matchLabels ?? {}).length > 0 || (Array.isArray(t.spec?.targetRefs) && t.spec.targetRefs.length > 0) || !!t.spec?.targetRef;

export class TelemetryIndex {
  private readonly byNamespace = new Map<string, IstioConfig[]>();

  constructor(
    telemetries: IstioConfig[],
    private readonly rootNamespace: string,
    private readonly selectorPolicyOnGateways: boolean,
  ) {
    for (const t of [...telemetries].sort((a, b) => a.creation - b.creation)) {
      const list = this.byNamespace.get(t.namespace) ?? [];
      list.push(t);
      this.byNamespace.set(t.namespace, list);
    }
  }

  get empty(): boolean {
    return this.byNamespace.size === 0;
  }

  /** The first (oldest) Telemetry of a namespace without a selector or targetRefs. */
  private namespaceWide(namespace: string): IstioConfig | undefined {
    return this.byNamespace.get(namespace)?.find((t) => !targeted(t));
  }

  forProxy(proxy: Proxy): IstioConfig[] {
    const out: IstioConfig[] = [];
    const root = this.namespaceWide(this.rootNamespace);
    if (root) out.push(root);
    if (proxy.namespace !== this.rootNamespace) {
      const ns = this.namespaceWide(proxy.namespace);
      if (ns) out.push(ns);
    }
    for (const t of this.byNamespace.get(proxy.namespace) ?? []) if (targeted(t) && shouldAttach(t, proxy, this.selectorPolicyOnGateways)) out.push(t);
    return out;
  }
}
