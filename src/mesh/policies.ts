// DestinationRule lookup and merge (pilot/pkg/model/push_context.go destinationRule,
// setDestinationRules; destination_rule.go mergeDestinationRule) and PeerAuthentication
// composition (pilot/pkg/security/authn/policy_applier.go, pilot/pkg/model/authentication.go).

import { hostSubsetOf, isWildcard, labelsMatch } from './hosts.js';
import type { IstioConfig, MtlsMode } from './types.js';

interface ConsolidatedRule {
  rule: IstioConfig;
  exportTo: string[];
}

/** Rules of one scope by host, merged per host (same exportTo, compatible selectors). */
class DestinationRuleScope {
  readonly byHost = new Map<string, ConsolidatedRule[]>();
  /** The wildcard keys of byHost, in insertion order: lookups scan only these, not every host. */
  private readonly wildcardHosts: string[] = [];

  add(dr: IstioConfig, exportTo: string[]): void {
    const host: string = dr.spec.host;
    const list = this.byHost.get(host);
    if (!list) {
      this.byHost.set(host, [{ rule: dr, exportTo }]);
      if (isWildcard(host)) this.wildcardHosts.push(host);
      return;
    }
    let appendSeparately = true;
    for (const existing of list) {
      // ENABLE_ENHANCED_DESTINATIONRULE_MERGE (on): rules merge only into rules with equal (or narrower) exportTo.
      if (sameSet(existing.exportTo, exportTo)) appendSeparately = false;
      else if (!(existing.exportTo.length > 0 && isSuperset(exportTo, existing.exportTo))) {
        appendSeparately = true;
        continue;
      } else appendSeparately = true;
      const a = existing.rule.spec.workloadSelector;
      const b = dr.spec.workloadSelector;
      const selectorsMatch = sameLabels(a?.matchLabels, b?.matchLabels);
      if (a && b && !selectorsMatch) {
        appendSeparately = true;
        continue;
      }
      if ((!a && !b) || (a && b)) appendSeparately = false;
      existing.rule = mergeRules(existing.rule, dr);
    }
    if (appendSeparately) list.push({ rule: dr, exportTo });
  }

  /** MostSpecificHostMatch: the exact host, else the most specific wildcard host covering it. */
  lookup(hostname: string): ConsolidatedRule[] | undefined {
    const exact = this.byHost.get(hostname);
    if (exact && !isWildcard(hostname)) return exact;
    let best: string | undefined;
    for (const h of this.wildcardHosts) {
      if (!hostSubsetOf(hostname, h)) continue;
      if (best === undefined || h.length > best.length) best = h;
    }
    return exact ?? (best ? this.byHost.get(best) : undefined);
  }
}

const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
const isSuperset = (a: string[], b: string[]): boolean => b.every((x) => a.includes(x));
const sameLabels = (a?: Record<string, string>, b?: Record<string, string>): boolean =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

/** Subsets are unioned (first name wins); the first top-level trafficPolicy wins. */
function mergeRules(into: IstioConfig, from: IstioConfig): IstioConfig {
  const subsets = [...(into.spec.subsets ?? [])];
  const names = new Set(subsets.map((s: any) => s.name));
  for (const s of from.spec.subsets ?? []) if (!names.has(s.name)) subsets.push(s);
  const spec = { ...into.spec, subsets };
  if (!spec.trafficPolicy && from.spec.trafficPolicy) spec.trafficPolicy = from.spec.trafficPolicy;
  return { ...into, spec, mergedFrom: [...((into as any).mergedFrom ?? [into.source]), from.source] } as IstioConfig;
}

export class DestinationRuleIndex {
  private readonly namespaceLocal = new Map<string, DestinationRuleScope>();
  private readonly exportedByNamespace = new Map<string, DestinationRuleScope>();
  private readonly rootNamespaceLocal = new DestinationRuleScope();
  /** Workload selectors of each namespace's rules: the only way a proxy's labels change which rule it sees. */
  private readonly selectorsByNamespace = new Map<string, Record<string, string>[]>();

  /** `rules` already have their host resolved. */
  constructor(rules: IstioConfig[], private readonly rootNamespace: string) {
    // sortConfigBySelectorAndCreationTime: rules with a workload selector first, then oldest first.
    const sorted = [...rules].sort((a, b) => Number(!a.spec.workloadSelector) - Number(!b.spec.workloadSelector) || a.creation - b.creation);
    for (const dr of sorted) {
      const exportTo: string[] = dr.spec.workloadSelector ? ['.'] : [...(dr.spec.exportTo ?? [])];
      const ns = dr.namespace;
      if (dr.spec.workloadSelector) {
        const list = this.selectorsByNamespace.get(ns) ?? [];
        list.push(dr.spec.workloadSelector.matchLabels);
        this.selectorsByNamespace.set(ns, list);
      }
      if (exportTo.length === 0 || exportTo.includes('*') || exportTo.includes('.') || exportTo.includes(ns)) {
        scope(this.namespaceLocal, ns).add(dr, exportTo);
      }
      const privateOnly = exportTo.length === 1 && (exportTo[0] === '.' || exportTo[0] === ns);
      if (!privateOnly) scope(this.exportedByNamespace, ns).add(dr, exportTo);
      else if (ns === rootNamespace) this.rootNamespaceLocal.add(dr, exportTo);
    }
  }

  /** PushContext.destinationRule: proxy namespace, then service namespace (exported), then root namespace. */
  candidates(proxyNamespace: string, hostname: string, serviceNamespace: string): ConsolidatedRule[] {
    if (proxyNamespace !== this.rootNamespace) {
      const local = this.namespaceLocal.get(proxyNamespace)?.lookup(hostname);
      if (local) return local;
    } else {
      const local = this.rootNamespaceLocal.lookup(hostname);
      if (local) return local;
    }
    for (const ns of [serviceNamespace, this.rootNamespace]) {
      const found = this.exportedByNamespace.get(ns)?.lookup(hostname);
      const visible = (found ?? []).filter(
        (c) => c.exportTo.length === 0 || c.exportTo.includes('*') || c.exportTo.includes(proxyNamespace),
      );
      if (visible.length > 0) return visible;
    }
    return [];
  }

  /** Which selecting rules of its namespace select a workload: workloads of one namespace with equal keys see the same rules. */
  selectorKey(proxyNamespace: string, labels: Record<string, string>): string {
    const selectors = this.selectorsByNamespace.get(proxyNamespace) ?? [];
    return selectors.map((s, i) => (labelsMatch(s, labels) ? i : '')).filter((i) => i !== '').join(',');
  }

  /** SidecarScope.DestinationRule: the first rule whose selector matches the workload, else the selector-less one. */
  forWorkload(proxyNamespace: string, labels: Record<string, string>, hostname: string, serviceNamespace: string): IstioConfig | undefined {
    const candidates = this.candidates(proxyNamespace, hostname, serviceNamespace);
    const selected = candidates.find((c) => c.rule.spec.workloadSelector && labelsMatch(c.rule.spec.workloadSelector.matchLabels, labels));
    return (selected ?? candidates.find((c) => !c.rule.spec.workloadSelector))?.rule;
  }
}

function scope(map: Map<string, DestinationRuleScope>, ns: string): DestinationRuleScope {
  let s = map.get(ns);
  if (!s) map.set(ns, (s = new DestinationRuleScope()));
  return s;
}

const MODES = new Set(['STRICT', 'PERMISSIVE', 'DISABLE']);
const modeOf = (mtls: any): MtlsMode | undefined => (mtls && MODES.has(mtls.mode) ? (mtls.mode as MtlsMode) : undefined);
const hasSelector = (pa: IstioConfig): boolean => Object.keys(pa.spec.selector?.matchLabels ?? {}).length > 0;

export interface ComposedPeerAuthentication {
  mode: MtlsMode;
  perPort: Map<number, MtlsMode>;
  /** The policy whose mode won (none: the PERMISSIVE default), and the workload policy of portLevelMtls. */
  modeFrom?: IstioConfig;
  perPortFrom?: IstioConfig;
  /** Every policy that took part: the mesh, namespace and workload ones. */
  policies: IstioConfig[];
}

export class PeerAuthenticationIndex {
  private readonly byNamespace = new Map<string, IstioConfig[]>();
  /** Mode of the namespace-level policy of each namespace, with the mesh mode as fallback (GetNamespaceMutualTLSMode). */
  private readonly namespaceModes = new Map<string, MtlsMode>();
  private readonly meshMode: MtlsMode | undefined;

  constructor(policies: IstioConfig[], private readonly rootNamespace: string) {
    const sorted = [...policies].sort((a, b) => a.creation - b.creation);
    const seenLevel = new Set<string>();
    let meshMode: MtlsMode | undefined;
    const nsModes = new Map<string, MtlsMode | undefined>();
    for (const pa of sorted) {
      if (!hasSelector(pa)) {
        // Later namespace/mesh-level policies of a namespace are ignored.
        if (seenLevel.has(pa.namespace)) continue;
        seenLevel.add(pa.namespace);
        if (pa.namespace === rootNamespace) meshMode = modeOf(pa.spec.mtls) ?? 'PERMISSIVE';
        else nsModes.set(pa.namespace, modeOf(pa.spec.mtls));
      }
      const list = this.byNamespace.get(pa.namespace) ?? [];
      list.push(pa);
      this.byNamespace.set(pa.namespace, list);
    }
    this.meshMode = meshMode;
    for (const [ns, mode] of nsModes) this.namespaceModes.set(ns, mode ?? meshMode ?? 'PERMISSIVE');
  }

  /** The namespace (else mesh) mode; undefined when neither is set. */
  namespaceMode(namespace: string): MtlsMode | undefined {
    return this.namespaceModes.get(namespace) ?? this.meshMode;
  }

  /** ComposePeerAuthentication over the policies that apply to a workload. */
  compose(namespace: string, labels: Record<string, string>): ComposedPeerAuthentication {
    const candidates = [namespace, this.rootNamespace]
      .filter((ns, i, all) => all.indexOf(ns) === i)
      .flatMap((ns) => this.byNamespace.get(ns) ?? [])
      .filter((pa) => labelsMatch(pa.spec.selector?.matchLabels, labels));
    let mesh: IstioConfig | undefined;
    let ns: IstioConfig | undefined;
    let workload: IstioConfig | undefined;
    for (const pa of candidates) {
      if (!hasSelector(pa)) {
        if (pa.namespace === this.rootNamespace) mesh = older(mesh, pa);
        else ns = older(ns, pa);
      } else if (pa.namespace !== this.rootNamespace) workload = older(workload, pa);
    }
    let mode: MtlsMode = 'PERMISSIVE';
    let modeFrom: IstioConfig | undefined;
    for (const level of [mesh, ns, workload]) {
      const m = modeOf(level?.spec.mtls);
      if (m) [mode, modeFrom] = [m, level];
    }
    const perPort = new Map<number, MtlsMode>();
    for (const [port, mtls] of Object.entries(workload?.spec.portLevelMtls ?? {})) perPort.set(Number(port), modeOf(mtls) ?? mode);
    const policies = [mesh, ns, workload].filter((p): p is IstioConfig => p !== undefined);
    return { mode, perPort, modeFrom, perPortFrom: perPort.size > 0 ? workload : undefined, policies };
  }
}

const older = (a: IstioConfig | undefined, b: IstioConfig): IstioConfig => (!a || b.creation < a.creation ? b : a);
