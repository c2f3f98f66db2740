// Which EnvoyFilter patches apply to a proxy, in the order istiod applies them (pilot/pkg/model/push_context.go
// EnvoyFilters, getMatchedEnvoyFilters; envoyfilter.go convertToEnvoyFilterWrapper, proxyMatch): the root
// namespace's and the proxy's namespace's EnvoyFilters that select it (workloadSelector, or targetRefs for a
// Gateway API gateway), ordered by priority, then root namespace first, then creation time and name.

import { shouldAttach } from './security-policies.js';
import type { IstioConfig, Proxy } from './types.js';

export type ApplyTo =
  | 'LISTENER' | 'FILTER_CHAIN' | 'NETWORK_FILTER' | 'HTTP_FILTER' | 'ROUTE_CONFIGURATION' | 'VIRTUAL_HOST'
  | 'HTTP_ROUTE' | 'CLUSTER' | 'EXTENSION_CONFIG' | 'BOOTSTRAP' | 'LISTENER_FILTER';
export type PatchContext = 'ANY' | 'SIDECAR_INBOUND' | 'SIDECAR_OUTBOUND' | 'GATEWAY';
export type Operation = 'MERGE' | 'ADD' | 'REMOVE' | 'INSERT_BEFORE' | 'INSERT_AFTER' | 'INSERT_FIRST' | 'REPLACE' | 'MERGE_AND_REPLACE_LIST';

/** One configPatches entry of an EnvoyFilter, as istiod's EnvoyFilterConfigPatchWrapper holds it. */
export interface EnvoyFilterPatch {
  filter: IstioConfig;
  /** Its index in spec.configPatches, for messages. */
  index: number;
  applyTo: ApplyTo;
  /** INSERT_* on kinds without order become ADD, as istiod converts them. */
  operation: Operation;
  /** The match as written; context ANY when absent. */
  match: any;
  context: PatchContext;
  /** The value as written (read into its Envoy type by the xDS stage). */
  value: unknown;
}

const ORDERED = new Set<ApplyTo>(['HTTP_FILTER', 'NETWORK_FILTER', 'HTTP_ROUTE', 'LISTENER_FILTER']);

function patchesOf(filter: IstioConfig): EnvoyFilterPatch[] {
  const out: EnvoyFilterPatch[] = [];
  const patches: any[] = Array.isArray(filter.spec?.configPatches) ? filter.spec.configPatches : [];
  patches.forEach((cp, index) => {
    // Without a patch istiod discards the entry.
    if (!cp?.patch) return;
    let operation: Operation = cp.patch.operation ?? 'INVALID';
    const applyTo: ApplyTo = cp.applyTo ?? 'INVALID';
    if ((operation === 'INSERT_AFTER' || operation === 'INSERT_BEFORE' || operation === 'INSERT_FIRST') && !ORDERED.has(applyTo)) operation = 'ADD';
    out.push({ filter, index, applyTo, operation, match: cp.match ?? {}, context: cp.match?.context ?? 'ANY', value: cp.patch.value });
  });
  return out;
}

/** Istio's wellKnownVersions: these regexes are prefix matches. */
const WELL_KNOWN_VERSION = /^\^1\\\.(\d+)\.\*$/;

/** proxyMatch: proxyVersion (a regex over ISTIO_VERSION; no version never matches one) and metadata, equal as strings. */
function proxyMatch(proxy: Proxy, patch: EnvoyFilterPatch): boolean {
  const m = patch.match.proxy;
  if (!m) return true;
  const version = typeof proxy.metadata.ISTIO_VERSION === 'string' ? proxy.metadata.ISTIO_VERSION : '';
  if (m.proxyVersion) {
    const prefix = WELL_KNOWN_VERSION.exec(m.proxyVersion);
    if (prefix && Number(prefix[1]) >= 16 && Number(prefix[1]) <= 23) {
      if (!version.startsWith(`1.${prefix[1]}`)) return false;
    } else {
      if (version === '' || m.proxyVersion.length > 1024) return false;
      let re: RegExp | undefined;
      try {
        re = new RegExp(m.proxyVersion);
      } catch {
        // Validation refuses bad regexes; istiod ignores the compile error, so the version then matches.
      }
      if (re && !re.test(version)) return false;
    }
  }
  for (const [k, v] of Object.entries(m.metadata ?? {})) if (proxy.metadata[k] !== v) return false;
  return true;
}

export class EnvoyFilterIndex {
  private readonly byNamespace = new Map<string, { filter: IstioConfig; patches: EnvoyFilterPatch[] }[]>();

  constructor(
    filters: IstioConfig[],
    private readonly rootNamespace: string,
    private readonly selectorPolicyOnGateways: boolean,
  ) {
    for (const f of filters) {
      const list = this.byNamespace.get(f.namespace) ?? [];
      list.push({ filter: f, patches: patchesOf(f) });
      this.byNamespace.set(f.namespace, list);
    }
  }

  get empty(): boolean {
    return this.byNamespace.size === 0;
  }

  /** The patches that apply to a proxy, in istiod's order; empty when none. */
  forProxy(proxy: Proxy): EnvoyFilterPatch[] {
    const namespaces = [...new Set([this.rootNamespace, proxy.namespace])];
    const matched = namespaces
      .flatMap((ns) => this.byNamespace.get(ns) ?? [])
      .filter(({ filter }) => shouldAttach({ ...filter, spec: { ...filter.spec, selector: filter.spec?.workloadSelector ? { matchLabels: filter.spec.workloadSelector.labels } : undefined } }, proxy, this.selectorPolicyOnGateways));
    const root = this.rootNamespace;
    const priority = (f: IstioConfig) => Number(f.spec?.priority ?? 0);
    matched.sort(
      (a, b) =>
        priority(a.filter) - priority(b.filter) ||
        (a.filter.namespace !== b.filter.namespace && (a.filter.namespace === root || b.filter.namespace === root) ? (a.filter.namespace === root ? -1 : 1) : 0) ||
        a.filter.creation - b.filter.creation,
    );
    return matched.flatMap(({ patches }) => patches.filter((p) => proxyMatch(proxy, p)));
  }
}
