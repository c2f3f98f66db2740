// VirtualService delegation: a root VS's `http[].delegate` replaced by the delegate VS's rules,
// matches merged with the root's (pilot/pkg/model/virtualservice.go mergeVirtualServicesIfNeeded,
// mergeHTTPRoutes, mergeHTTPMatchRequests, hasConflict). The mesh index calls it when it indexes
// VirtualServices, since only it knows every delegate.

import type { HttpMatchRequest, IstioStringMatch } from './istio-api.js';
import type { IstioConfig } from './types.js';

interface DelegatingRoute {
  name?: string;
  match?: HttpMatchRequest[];
  delegate?: { name: string; namespace?: string };
  [field: string]: unknown;
}

/** Root fields a delegate rule inherits when it leaves them unset. */
const INHERITED = [
  'rewrite', 'directResponse', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercent', 'mirrorPercentage',
  'corsPolicy', 'mirrors', 'headers',
] as const;

/**
 * The root VirtualService with its delegating rules expanded; rules whose delegate is missing or not
 * exported to the root's namespace are dropped (with a warning), as are delegate rules that conflict.
 */
export function mergeDelegates(
  root: IstioConfig,
  findDelegate: (namespace: string, name: string) => IstioConfig | undefined,
  warnings: string[] = [],
): IstioConfig {
  const http = (root.spec.http ?? []) as DelegatingRoute[];
  if (!http.some((r) => r.delegate)) return root;
  const merged: DelegatingRoute[] = [];
  const sources = [root.source];
  for (const rule of http) {
    if (!rule.delegate) {
      merged.push(rule);
      continue;
    }
    const namespace = rule.delegate.namespace || root.namespace;
    const delegate = findDelegate(namespace, rule.delegate.name);
    const where = `VirtualService ${root.namespace}/${root.name}: delegate ${namespace}/${rule.delegate.name}`;
    if (!delegate) {
      warnings.push(`${where} not found`);
      continue;
    }
    const exportTo = (delegate.spec.exportTo ?? ['*']) as string[];
    const visible = exportTo.includes('*') || exportTo.includes(root.namespace) ||
      (exportTo.includes('.') && delegate.namespace === root.namespace);
    if (!visible) {
      warnings.push(`${where} is not exported to ${root.namespace}`);
      continue;
    }
    sources.push(delegate.source);
    for (const sub of (delegate.spec.http ?? []) as DelegatingRoute[]) {
      const route = mergeRoute(rule, sub);
      if (route) merged.push(route);
      else warnings.push(`${where}: rule ${sub.name ?? ''} conflicts with the root's matches and is ignored`);
    }
  }
  return { ...root, spec: { ...root.spec, http: merged }, mergedFrom: sources };
}

function mergeRoute(root: DelegatingRoute, delegate: DelegatingRoute): DelegatingRoute | undefined {
  const matches = mergeMatches(root.match ?? [], delegate.match ?? []);
  if (!matches) return undefined;
  const out: DelegatingRoute = { ...delegate, match: matches };
  if (matches.length === 0) delete out.match;
  out.name = !delegate.name ? root.name : root.name ? `${root.name}-${delegate.name}` : delegate.name;
  if (!out.name) delete out.name;
  for (const field of INHERITED) if (out[field] === undefined && root[field] !== undefined) out[field] = root[field];
  return out;
}

/** Every delegate match must fit inside some root match; undefined on conflict. */
function mergeMatches(root: HttpMatchRequest[], delegate: HttpMatchRequest[]): HttpMatchRequest[] | undefined {
  if (root.length === 0) return delegate;
  if (delegate.length === 0) return root;
  const out: HttpMatchRequest[] = [];
  for (const sub of delegate) {
    const fitting = root.filter((r) => !hasConflict(r, sub));
    if (fitting.length === 0) return undefined;
    out.push(...fitting.map((r) => mergeMatch(r, sub)));
  }
  return out;
}

function mergeMatch(root: HttpMatchRequest, delegate: HttpMatchRequest): HttpMatchRequest {
  const out: HttpMatchRequest = { ...delegate };
  out.name = !delegate.name ? root.name : root.name ? `${root.name}-${delegate.name}` : delegate.name;
  if (!out.name) delete out.name;
  for (const key of ['uri', 'scheme', 'method', 'authority', 'sourceNamespace', 'statPrefix'] as const) {
    if (!out[key] && root[key]) (out as Record<string, unknown>)[key] = root[key];
  }
  for (const key of ['headers', 'withoutHeaders', 'queryParams', 'sourceLabels'] as const) {
    if (root[key] || delegate[key]) (out as Record<string, unknown>)[key] = { ...root[key], ...delegate[key] };
  }
  if (!out.port && root.port) out.port = root.port;
  if (!out.gateways?.length && root.gateways) out.gateways = root.gateways;
  return out;
}

function hasConflict(root: HttpMatchRequest, leaf: HttpMatchRequest): boolean {
  for (const key of ['uri', 'scheme', 'method', 'authority'] as const) {
    if (stringMatchConflict(root[key], leaf[key])) return true;
  }
  for (const key of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    for (const [name, value] of Object.entries(leaf[key] ?? {})) {
      if (stringMatchConflict(root[key]?.[name], value)) return true;
    }
  }
  if (Boolean(root.ignoreUriCase) !== Boolean(leaf.ignoreUriCase)) return true;
  if (root.port && leaf.port && root.port !== leaf.port) return true;
  if (root.sourceNamespace && leaf.sourceNamespace !== root.sourceNamespace) return true;
  for (const [k, v] of Object.entries(leaf.sourceLabels ?? {})) {
    if (root.sourceLabels?.[k] !== undefined && root.sourceLabels[k] !== v) return true;
  }
  // The root's gateways must include the delegate's.
  if (root.gateways?.length && leaf.gateways?.length) {
    if (root.gateways.length < leaf.gateways.length) return true;
    if (leaf.gateways.some((g) => !root.gateways!.includes(g))) return true;
  }
  return false;
}

/** A delegate's string match must narrow the root's: exact within prefix, longer prefix, no regex mixing. */
function stringMatchConflict(root: IstioStringMatch | undefined, leaf: IstioStringMatch | undefined): boolean {
  if (!root || !leaf) return false;
  if (root.regex && (leaf.regex || leaf.prefix || leaf.exact)) return true;
  if (leaf.regex && (root.regex || root.prefix || root.exact)) return true;
  if (root.exact) return Boolean(leaf.prefix) || leaf.exact !== root.exact;
  if (root.prefix) {
    if (leaf.prefix) return !leaf.prefix.startsWith(root.prefix);
    if (leaf.exact) return !leaf.exact.startsWith(root.prefix);
  }
  return true;
}
