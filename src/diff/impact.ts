// The Envoy diff in plain words for a reviewer: a summary line, then one line per change,
// where proxies with the same changes share one line ("the same change on 14 proxies of
// namespace shop: ..."), each naming the manifests behind the changed resource.

import { canonical, pathSegments, type FieldChange } from './fields.js';
import type { EnvoyDiffSummary, ProxyDiff, ResourceChange, XdsKind } from './envoy.js';

const KIND_WORD: Record<XdsKind, string> = { listeners: 'listener', routes: 'route', clusters: 'cluster', endpoints: 'endpoints' };

const FIELD_WORD: Record<string, string> = {
  virtual_hosts: 'virtual host',
  routes: 'route',
  filter_chains: 'filter chain',
  filters: 'filter',
  http_filters: 'HTTP filter',
  listener_filters: 'listener filter',
  clusters: 'cluster',
  endpoints: 'locality',
  lb_endpoints: 'endpoint',
  transport_socket_matches: 'transport socket match',
};

const proxiesWord = (n: number): string => `${n} ${n === 1 ? 'proxy' : 'proxies'}`;

/** A value short enough for a line. */
function short(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** An unnamed route's match (its key in paths is the match as JSON) as words: "prefix /, header end-user exact jason". */
function matchWords(key: string): string {
  let match: Record<string, any>;
  try {
    match = JSON.parse(key);
  } catch {
    return key;
  }
  const words: string[] = [];
  for (const k of ['prefix', 'path', 'path_separated_prefix']) if (typeof match[k] === 'string') words.push(`${k.replace(/_/g, ' ')} ${match[k]}`);
  if (match.safe_regex?.regex) words.push(`regex ${match.safe_regex.regex}`);
  for (const h of match.headers ?? []) {
    const how = h.string_match ? Object.entries(h.string_match).find(([m]) => m !== 'ignore_case') : undefined;
    words.push(`header ${h.name}${how ? ` ${how[0]} ${short(how[1])}` : h.present_match ? ' present' : ''}`);
  }
  for (const q of match.query_parameters ?? []) words.push(`query ${q.name}`);
  return words.length ? `matching ${words.join(', ')}` : canonical(match);
}

/** "outbound|9080|v1|reviews.default.svc.cluster.local" → "v1"; other names as they are. */
const clusterLabel = (name: string): string => {
  const parts = name.split('|');
  return parts.length === 4 && parts[2] ? parts[2] : name;
};

interface Described {
  context: string;
  phrase: string;
}

/** Where in the resource (the named things on the way) and what changed there. */
function describeField(f: FieldChange): Described {
  const segments = pathSegments(f);
  const context: string[] = [];
  let i = 0;
  // The leading run of named entries: virtual host X, route Y; filter chain Z, filter W.
  while (i + 1 < segments.length && segments[i].startsWith('.') && segments[i + 1].startsWith('[')) {
    const field = segments[i].slice(1);
    const key = segments[i + 1].slice(1, -1);
    if (field === 'clusters' && i > 0) break;
    context.push(`${FIELD_WORD[field] ?? field} ${field === 'routes' && key.startsWith('{') ? matchWords(key) : key}`);
    i += 2;
  }
  const rest = segments.slice(i);
  const restPath = rest.join('').replace(/^\./, '');
  // A weighted cluster's weight (or a weighted cluster added or removed): "v1 90 → 50".
  const weighted = restPath.match(/^route\.weighted_clusters\.clusters\[(.+?)\](\.weight)?$/);
  if (weighted && (weighted[2] || f.after !== undefined || f.before !== undefined)) {
    const weight = (v: unknown) => (weighted[2] ? (v ?? 0) : ((v as { weight?: number } | undefined)?.weight ?? 0));
    return { context: context.join(', '), phrase: `weights ${clusterLabel(weighted[1])} ${short(weight(f.before))} → ${short(weight(f.after))}` };
  }
  const at = context.join(', ');
  if (f.reorder) return { context: at, phrase: `${restPath || 'order'} reordered: ${short(f.before)} → ${short(f.after)}` };
  // A named entry added or removed whole: its context says which.
  if (!restPath) return { context: at, phrase: f.before === undefined ? 'added' : f.after === undefined ? 'removed' : `${short(f.before)} → ${short(f.after)}` };
  return { context: at, phrase: `${restPath} ${short(f.before)} → ${short(f.after)}` };
}

/** The fields of one changed resource as phrases, grouped by where they are: "virtual host X, route Y: weights v1 90 → 50, v3 10 → 50". */
function describeFields(fields: FieldChange[]): string {
  const byContext = new Map<string, string[]>();
  for (const f of fields) {
    const d = describeField(f);
    const phrases = byContext.get(d.context) ?? [];
    // Weights of one route read as one phrase: "weights v1 90 → 50, v3 10 → 50".
    const last = phrases[phrases.length - 1];
    if (last?.startsWith('weights ') && d.phrase.startsWith('weights ')) phrases[phrases.length - 1] = `${last}, ${d.phrase.slice('weights '.length)}`;
    else phrases.push(d.phrase);
    byContext.set(d.context, phrases);
  }
  return [...byContext].map(([context, phrases]) => (context ? `${context}: ${phrases.join(', ')}` : phrases.join(', '))).join('; ');
}

function sources(c: ResourceChange): string {
  const { before, after } = c.provenance;
  const same = before.length === after.length && before.every((s, i) => s === after[i]);
  if (same || before.length === 0) return after.length ? ` (from ${after.join(', ')})` : '';
  if (after.length === 0) return ` (from ${before.join(', ')})`;
  return ` (from ${before.join(', ')} → ${after.join(', ')})`;
}

/** One change as words after its subject; `many` picks the verb's number. */
function describeChange(c: ResourceChange, many: boolean): string {
  const what = `${KIND_WORD[c.kind]} ${c.name}`;
  if (c.change === 'added') return ` ${many ? 'gain' : 'gains'} ${what}${sources(c)}`;
  if (c.change === 'removed') return ` ${many ? 'lose' : 'loses'} ${what}${sources(c)}`;
  return `: ${what}: ${describeFields(c.fields ?? [])}${sources(c)}`;
}

/** What makes two proxies' changes the same, remembered per shared field list. */
const fieldsText = new WeakMap<FieldChange[], string>();
function signature(p: ProxyDiff): string {
  return p.changes
    .map((c) => {
      let text = c.fields ? fieldsText.get(c.fields) : '';
      if (text === undefined && c.fields) fieldsText.set(c.fields, (text = JSON.stringify(c.fields)));
      return `${c.kind}|${c.name}|${c.change}|${text}|${c.provenance.before.join(',')}|${c.provenance.after.join(',')}`;
    })
    .join('\n');
}

/** Who a line is about: one proxy, "3 proxies of namespace shop" (gaining or losing), or "the same change on 14 proxies of namespace shop". */
function subject(group: ProxyDiff[], c: ResourceChange): string {
  if (group.length === 1) return `${group[0].proxy.namespace}/${group[0].proxy.name}`;
  const namespaces = [...new Set(group.map((p) => p.proxy.namespace))].sort();
  const proxies = `${group.length} proxies of ${namespaces.length === 1 ? 'namespace' : 'namespaces'} ${namespaces.join(', ')}`;
  return c.change === 'changed' ? `the same change on ${proxies}` : proxies;
}

function summaryLine(s: EnvoyDiffSummary): string {
  const kinds = (Object.keys(s.resources) as XdsKind[])
    .map((k) => {
      const c = s.resources[k];
      const parts = (['changed', 'added', 'removed'] as const).filter((w) => c[w] > 0).map((w) => `${c[w]} ${w}`);
      return parts.length ? `${k} ${parts.join(', ')}` : '';
    })
    .filter(Boolean);
  const proxies = [
    `${s.changed} of ${proxiesWord(s.proxies)} changed`,
    `${s.unchanged} unchanged`,
    ...(s.added ? [`${s.added} added`] : []),
    ...(s.removed ? [`${s.removed} removed`] : []),
  ].join(', ');
  return kinds.length ? `${proxies}; resource changes over all proxies: ${kinds.join('; ')}` : `${proxies}; no Envoy config changes`;
}

/** The summary line, then per group of proxies with the same changes one line per change. */
export function impactText(proxies: ProxyDiff[], summary: EnvoyDiffSummary): string {
  const lines = [summaryLine(summary)];
  const groups = new Map<string, ProxyDiff[]>();
  for (const p of proxies) {
    if (p.status === 'unchanged') continue;
    if (p.status !== 'changed') {
      lines.push(`${p.proxy.namespace}/${p.proxy.name}: ${p.status === 'added' ? 'new proxy (only after)' : 'proxy gone (only before)'}`);
      continue;
    }
    const key = signature(p);
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  for (const group of groups.values()) {
    for (const c of group[0].changes) lines.push(`${subject(group, c)}${describeChange(c, group.length > 1)}`);
  }
  return lines.join('\n');
}
