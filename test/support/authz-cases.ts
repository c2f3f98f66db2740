// Istio's AuthorizationPolicy builder tests (../shared/yardsticks/authz, FORMAT.md beside them): each case is
// translated by the engine and its sidecar's virtualInbound chains are compared with istiod's filters.
// Read where they lie, never copied.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileScenario, InputError } from '../../src/engine.js';
import { repoRoot } from './cases.js';

export const authzCasesFile =
  process.env.MESHPLAN_AUTHZ_CASES ?? path.resolve(repoRoot, '../shared/yardsticks/authz/cases.json');

export interface AuthzCase {
  id: string;
  kind: 'http' | 'tcp';
  supported: boolean;
  resources: string;
  mesh?: Record<string, unknown>;
  options?: { configDomain?: string; features?: Record<string, boolean | string | number> };
  proxy: { type: 'sidecar' | 'router'; namespace: string; labels: Record<string, string>; ips: string[]; metadata: Record<string, unknown> };
  where: { listener: string; destinationPort: number; chainKind: 'http' | 'tcp' };
  expectFilters: { name: string; typed_config: unknown }[];
  alsoAccept?: { status: string; why: string };
}

export function loadAuthzCases(): AuthzCase[] {
  if (!existsSync(authzCasesFile)) throw new Error(`the authz yardstick is not at ${authzCasesFile}: put ../shared beside the repo`);
  return (JSON.parse(readFileSync(authzCasesFile, 'utf8')) as { cases: AuthzCase[] }).cases;
}

const HTTP_NAMES = ['envoy.filters.http.rbac', 'envoy.filters.http.ext_authz', 'envoy.filters.http.jwt_authn'];
const TCP_NAMES = ['envoy.filters.network.rbac', 'envoy.filters.network.ext_authz'];
const HTTP_AFTER = ['envoy.filters.http.grpc_web', 'envoy.filters.http.grpc_stats', 'istio.alpn', 'envoy.filters.http.fault', 'envoy.filters.http.cors', 'istio.stats', 'envoy.filters.http.router'];
const TCP_AFTER = ['istio.stats', 'envoy.filters.network.tcp_proxy'];
const HCM = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';

const DATA_MAPS = new Set(['policies', 'providers', 'requirement_map', 'filter_metadata', 'typed_filter_metadata', 'metadata_context_namespaces_struct']);
const KEEP_EMPTY_STRING = new Set(['exact', 'prefix', 'suffix', 'contains', 'regex', 'key', 'string_value']);
const ENUMS: Record<string, Record<string, string>> = {
  action: { '0': 'ALLOW', '1': 'DENY', '2': 'LOG' },
  transport_api_version: { '2': 'V3' },
  code: { '403': 'Forbidden' },
};
const DEFAULT_ENUMS: Record<string, string> = { action: 'ALLOW', transport_api_version: 'AUTO' };

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const isDuration = (v: string): boolean => /^-?\d+(\.\d+)?s$/.test(v);

/** FORMAT.md's normalisation: snake_case names, defaults dropped, enum numbers as names, durations by value. */
export function normalise(value: unknown, key = '', dataMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const name = dataMap || k === '@type' ? k : snake(k);
      const n = normalise(v, name, DATA_MAPS.has(name));
      if (n === undefined) continue;
      out[name] = n;
    }
    // An empty message stays; an empty map field is a default, dropped by its parent.
    return DATA_MAPS.has(key) && Object.keys(out).length === 0 ? undefined : out;
  }
  if (value === false || value === 0) return undefined;
  if (value === '' && !KEEP_EMPTY_STRING.has(key)) return undefined;
  if (typeof value === 'number' || typeof value === 'string') {
    const named = ENUMS[key]?.[String(value)];
    const v = named ?? value;
    if (DEFAULT_ENUMS[key] === v) return undefined;
    if (typeof v !== 'string') return v;
    if (isDuration(v)) return `${Number(v.slice(0, -1))}s`;
    // A number equals the same number written as a string.
    return v.trim() !== '' && !Number.isNaN(Number(v)) && !ENUMS[key] ? Number(v) : v;
  }
  return value;
}

/** Empty lists are defaults too (dropped after the walk so "[]" inside lists stays comparable). */
function dropEmptyLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmptyLists);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (Array.isArray(v) && v.length === 0) continue;
      out[k] = dropEmptyLists(v);
    }
    return out;
  }
  return value;
}

const norm = (v: unknown): unknown => dropEmptyLists(normalise(v));

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

interface AnyFilter {
  name: string;
  typed_config?: any;
}
interface AnyChain {
  name?: string;
  filter_chain_match?: { destination_port?: number | { value: number } };
  filters?: AnyFilter[];
}

const portOf = (c: AnyChain): number | undefined => {
  const p = c.filter_chain_match?.destination_port;
  return typeof p === 'object' && p !== null ? p.value : p;
};
const isHttpChain = (c: AnyChain): boolean => (c.filters ?? []).some((f) => f.name === HCM);
const isTcpChain = (c: AnyChain): boolean => !isHttpChain(c) && (c.filters ?? []).some((f) => f.name === TCP_PROXY);

/** The authz filters of a chain, and whether they sit between metadata exchange and the first later filter. */
function chainFilters(c: AnyChain, kind: 'http' | 'tcp'): { filters: AnyFilter[]; misplaced: string[] } {
  const list: AnyFilter[] = kind === 'http' ? c.filters?.find((f) => f.name === HCM)?.typed_config?.http_filters ?? [] : c.filters ?? [];
  const names = kind === 'http' ? HTTP_NAMES : TCP_NAMES;
  const after = kind === 'http' ? HTTP_AFTER : TCP_AFTER;
  const mx = list.findIndex((f) => f.name === 'istio.metadata_exchange');
  const firstAfter = list.findIndex((f) => after.includes(f.name));
  const misplaced: string[] = [];
  list.forEach((f, i) => {
    if (!names.includes(f.name)) return;
    if ((mx >= 0 && i < mx) || (firstAfter >= 0 && i > firstAfter)) misplaced.push(`${f.name} at ${i}`);
  });
  return { filters: list.filter((f) => names.includes(f.name)), misplaced };
}

function compareFilters(got: AnyFilter[], want: AuthzCase['expectFilters'], where: string): string[] {
  const problems: string[] = [];
  const gotNames = got.map((f) => f.name);
  const wantNames = want.map((f) => f.name);
  if (stable(gotNames) !== stable(wantNames)) return [`${where}: filters ${stable(gotNames)}, want ${stable(wantNames)}`];
  got.forEach((f, i) => {
    const a = stable(norm(f.typed_config));
    const b = stable(norm(want[i].typed_config));
    if (a !== b) problems.push(`${where}: ${f.name} #${i} differs:\n  got  ${a}\n  want ${b}`);
  });
  return problems;
}

export interface AuthzOutcome {
  id: string;
  problems: string[];
  /** The stricter count: the passthrough chains carry the same filters. */
  passthroughProblems: string[];
}

export function runAuthzCase(c: AuthzCase): AuthzOutcome {
  let proxies;
  try {
    const scenario = compileScenario({ resources: c.resources, mesh: c.mesh ?? {}, options: c.options ?? {} });
    proxies = scenario.translate(c.proxy).proxies;
  } catch (e) {
    if (e instanceof InputError && c.alsoAccept?.status === '4xx') return { id: c.id, problems: [], passthroughProblems: [] };
    return { id: c.id, problems: [`translate failed: ${(e as Error).message}`], passthroughProblems: [] };
  }
  if (proxies.length !== 1) return { id: c.id, problems: [`${proxies.length} proxies`], passthroughProblems: [] };
  const dump = proxies[0].configDump as any;
  const listenersDump = dump.configs.find((x: any) => String(x['@type']).endsWith('ListenersConfigDump'));
  const listeners: any[] = [
    ...(listenersDump?.dynamic_listeners ?? []).map((l: any) => (l.active_state ?? l.warming_state)?.listener),
    ...(listenersDump?.static_listeners ?? []).map((l: any) => l.listener),
  ].filter(Boolean);
  const listener = listeners.find((l) => l.name === c.where.listener);
  if (!listener) return { id: c.id, problems: [`no listener ${c.where.listener}`], passthroughProblems: [] };
  const kind = c.where.chainKind;
  const ofKind = (ch: AnyChain) => (kind === 'http' ? isHttpChain(ch) : isTcpChain(ch));
  const chains: AnyChain[] = (listener.filter_chains ?? []).filter((ch: AnyChain) => portOf(ch) === c.where.destinationPort && ofKind(ch));
  const problems: string[] = [];
  if (chains.length === 0) problems.push(`no ${kind} chain for port ${c.where.destinationPort}`);
  for (const ch of chains) {
    const { filters, misplaced } = chainFilters(ch, kind);
    problems.push(...compareFilters(filters, c.expectFilters, `chain ${ch.name}`));
    if (misplaced.length) problems.push(`chain ${ch.name}: misplaced ${misplaced.join(', ')}`);
  }
  // No authz filter on any listener but the inbound ones.
  const all = [...HTTP_NAMES, ...TCP_NAMES];
  for (const l of listeners) {
    if (l.traffic_direction === 'INBOUND') continue;
    for (const ch of [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])] as AnyChain[]) {
      const names = [
        ...(ch.filters ?? []).map((f) => f.name),
        ...(ch.filters ?? []).flatMap((f) => (f.name === HCM ? (f.typed_config?.http_filters ?? []).map((h: AnyFilter) => h.name) : [])),
      ];
      const found = names.filter((n) => all.includes(n));
      if (found.length) problems.push(`outbound listener ${l.name} has ${found.join(', ')}`);
    }
  }
  const passthroughName = kind === 'http' ? 'virtualInbound-catchall-http' : 'virtualInbound';
  const passthrough: AnyChain[] = (listener.filter_chains ?? []).filter((ch: AnyChain) => portOf(ch) === undefined && ch.name === passthroughName && ofKind(ch));
  const passthroughProblems = passthrough.length === 0 ? [`no passthrough chain ${passthroughName}`] : [];
  for (const ch of passthrough) passthroughProblems.push(...compareFilters(chainFilters(ch, kind).filters, c.expectFilters, `passthrough ${ch.name}`));
  return { id: c.id, problems, passthroughProblems };
}
