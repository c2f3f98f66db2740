// Listener selection, listener filters and Envoy's filter chain match
// (listener_components.proto FilterChainMatch; Istio's pilot/pkg/simulation/traffic.go).

import type { TraceErrorCode, TraceStep } from '../contract.js';
import type { Listener, ListenerFilter } from '../xds/envoy.js';
import { VIRTUAL_INBOUND, VIRTUAL_OUTBOUND } from '../xds/names.js';
import { addressKey, type CompiledChain, type CompiledListener, type CompiledXds } from './compile.js';
import { cidrContains, isLoopback } from './ip.js';
import { Rejections, SNIFFED_ALPN, step, type Call } from './request.js';

export interface Failure {
  code: TraceErrorCode;
  message: string;
}

/** A match that either found something or stopped the hop with an error code. */
export type Matched<T> = { found: T } | { failure: Failure };

export function selectListener(cx: CompiledXds, call: Call, steps: TraceStep[]): Matched<Listener> {
  if (call.mode === 'inbound') {
    const l = cx.listenerByName.get(VIRTUAL_INBOUND);
    if (!l) return noListener(steps, `inbound mode: no ${VIRTUAL_INBOUND} listener (port 15006) on this proxy`);
    steps.push(step('listener', l.name, `inbound mode: iptables redirects the connection to ${VIRTUAL_INBOUND} (15006)`));
    return { found: l };
  }
  const rejected: { name: string; why: string }[] = [];
  const captured = call.mode === 'outbound';
  const candidates: [string, string][] = [
    [addressKey(call.address, call.port), `bound to ${call.address}:${call.port}`],
    [addressKey('0.0.0.0', call.port), `bound to 0.0.0.0:${call.port} (no listener on ${call.address}:${call.port})`],
  ];
  for (const [key, why] of candidates) {
    const l = cx.listenerByAddress.get(key);
    if (l) {
      const how = captured
        ? `outbound mode: captured to ${VIRTUAL_OUTBOUND} (15001), whose original destination hands the connection to the listener ${why}`
        : `gateway mode: the listener ${why}`;
      steps.push(step('listener', l.name, how, rejected));
      return { found: l };
    }
    rejected.push({ name: key.replace(/:(\d+)$/, '_$1'), why: 'no listener bound there' });
  }
  const outbound = cx.listenerByName.get(VIRTUAL_OUTBOUND);
  if (outbound) {
    steps.push(step('listener', outbound.name, `no listener for ${call.address}:${call.port}: ${VIRTUAL_OUTBOUND}'s own filter chains handle it`, rejected));
    return { found: outbound };
  }
  rejected.push({ name: VIRTUAL_OUTBOUND, why: 'not on this proxy' });
  return noListener(steps, `no listener for ${call.address}:${call.port}, on 0.0.0.0:${call.port}, nor ${VIRTUAL_OUTBOUND}`, rejected);
}

function noListener(steps: TraceStep[], message: string, rejected: { name: string; why: string }[] = []): Matched<Listener> {
  steps.push(step('listener', null, message, rejected));
  return { failure: { code: 'NO_LISTENER', message } };
}

/** Envoy's ListenerFilterChainMatchPredicate over the destination port (what Istio uses in filter_disabled). */
function predicateMatches(p: unknown, port: number): boolean {
  if (!p || typeof p !== 'object') return false;
  const rule = p as {
    or_match?: { rules?: unknown[] };
    and_match?: { rules?: unknown[] };
    not_match?: unknown;
    any_match?: boolean;
    destination_port_range?: { start?: number; end?: number };
  };
  if (rule.or_match) return (rule.or_match.rules ?? []).some((r) => predicateMatches(r, port));
  if (rule.and_match) return (rule.and_match.rules ?? []).every((r) => predicateMatches(r, port));
  if (rule.not_match) return !predicateMatches(rule.not_match, port);
  if (rule.any_match) return true;
  if (rule.destination_port_range) return port >= (rule.destination_port_range.start ?? 0) && port < (rule.destination_port_range.end ?? 0);
  return false;
}

const runsOnPort = (f: ListenerFilter | undefined, port: number): boolean =>
  f !== undefined && (f.filter_disabled === undefined || !predicateMatches(f.filter_disabled, port));

/** What the listener filters make of the connection: whether TLS is inspected, and the ALPN Envoy sees. */
export function applyListenerFilters(cl: CompiledListener, call: Call, steps: TraceStep[]): { tlsInspected: boolean; alpn: string } {
  const notes: string[] = [];
  const rejected: { name: string; why: string }[] = [];
  const tlsInspected = runsOnPort(cl.tlsInspector, call.port);
  let alpn = call.alpn;
  if (tlsInspected) {
    notes.push(
      call.tls === 'plaintext'
        ? 'tls_inspector: plaintext, transport protocol raw_buffer'
        : `tls_inspector: TLS, transport protocol tls, SNI "${call.sni}", ALPN "${alpn}"`,
    );
  } else {
    rejected.push({ name: 'tls_inspector', why: cl.tlsInspector ? `disabled on port ${call.port}` : 'not on this listener' });
    notes.push('no tls_inspector: transport protocol raw_buffer and the client ALPN is not read');
    alpn = '';
  }
  if (runsOnPort(cl.httpInspector, call.port)) {
    const sniffed = SNIFFED_ALPN[call.protocol];
    if (sniffed && call.tls === 'plaintext') {
      alpn = sniffed;
      notes.push(`http_inspector: ${call.protocol} bytes, application protocol ${sniffed}`);
    } else {
      notes.push('http_inspector: no plaintext HTTP detected');
    }
  } else {
    rejected.push({ name: 'http_inspector', why: cl.httpInspector ? `disabled on port ${call.port}` : 'not on this listener' });
  }
  const ran = [tlsInspected && 'tls_inspector', notes.some((n) => n.startsWith('http_inspector')) && 'http_inspector'].filter(Boolean);
  steps.push(step('listener_filters', ran.length ? ran.join(', ') : null, notes.join('; '), rejected));
  return { tlsInspected, alpn };
}

interface Criterion {
  field: string;
  isSet(c: CompiledChain): boolean;
  /** 0 = no match; higher = more specific. */
  rank(c: CompiledChain): number;
}

function serverNameRank(names: string[], sni: string): number {
  let best = 0;
  for (const s of names) {
    if (s === sni) return Number.MAX_SAFE_INTEGER;
    if (s.startsWith('*') && sni.length >= s.length && sni.endsWith(s.slice(1))) best = Math.max(best, s.length);
  }
  return best;
}

function criteria(call: Call, tlsInspected: boolean, alpn: string): Criterion[] {
  const sni = call.sni.toLowerCase();
  const transport = !tlsInspected || call.tls === 'plaintext' ? 'raw_buffer' : 'tls';
  const source = call.source?.ip;
  const sourceType = !source || !call.ip ? 'EXTERNAL' : isLoopback(source) || source.value === call.ip.value ? 'SAME_IP_OR_LOOPBACK' : 'EXTERNAL';
  const longestPrefix = (ranges: CompiledChain['prefixRanges'], ip: typeof source): number => {
    let best = 0;
    if (!ip) return 0;
    for (const r of ranges) if (cidrContains(r, ip)) best = Math.max(best, r.bits + 1);
    return best;
  };
  return [
    { field: 'destination_port', isSet: (c) => c.destinationPort !== undefined, rank: (c) => Number(c.destinationPort === call.port) },
    { field: 'prefix_ranges', isSet: (c) => c.prefixRanges.length > 0, rank: (c) => longestPrefix(c.prefixRanges, call.ip) },
    { field: 'server_names', isSet: (c) => c.serverNames.length > 0, rank: (c) => serverNameRank(c.serverNames, sni) },
    { field: 'transport_protocol', isSet: (c) => c.transportProtocol !== '', rank: (c) => Number(c.transportProtocol === transport) },
    {
      field: 'application_protocols',
      isSet: (c) => c.applicationProtocols.length > 0,
      rank: (c) => Number(alpn !== '' && c.applicationProtocols.includes(alpn)),
    },
    { field: 'direct_source_prefix_ranges', isSet: (c) => c.directSourcePrefixRanges.length > 0, rank: (c) => longestPrefix(c.directSourcePrefixRanges, source) },
    {
      field: 'source_type',
      isSet: (c) => c.sourceType !== 'ANY',
      rank: (c) => Number(c.sourceType === sourceType),
    },
    { field: 'source_prefix_ranges', isSet: (c) => c.sourcePrefixRanges.length > 0, rank: (c) => longestPrefix(c.sourcePrefixRanges, source) },
    {
      field: 'source_ports',
      isSet: (c) => c.sourcePorts.length > 0,
      rank: (c) => Number(call.source?.port !== undefined && c.sourcePorts.includes(call.source.port)),
    },
  ];
}

function describe(field: string, c: CompiledChain): string {
  switch (field) {
    case 'destination_port':
      return `destination_port ${c.destinationPort}`;
    case 'prefix_ranges':
      return `prefix_ranges [${c.prefixRanges.map((r) => r.text).join(', ')}]`;
    case 'server_names':
      return `server_names [${c.serverNames.join(', ')}]`;
    case 'transport_protocol':
      return `transport_protocol ${c.transportProtocol}`;
    case 'application_protocols':
      return `application_protocols [${c.applicationProtocols.join(', ')}]`;
    case 'source_type':
      return `source_type ${c.sourceType}`;
    case 'source_ports':
      return `source_ports [${c.sourcePorts.join(', ')}]`;
    case 'direct_source_prefix_ranges':
      return `direct_source_prefix_ranges [${c.directSourcePrefixRanges.map((r) => r.text).join(', ')}]`;
    default:
      return `source_prefix_ranges [${c.sourcePrefixRanges.map((r) => r.text).join(', ')}]`;
  }
}

/**
 * Envoy's filter chain match: criteria in a fixed order; at each, keep the chains that match best, or when
 * none does, the chains that leave the criterion empty. Several left → MULTIPLE_FILTER_CHAINS; none → the
 * default chain, else NO_FILTER_CHAIN.
 */
export function matchFilterChain(cl: CompiledListener, call: Call, tlsInspected: boolean, alpn: string, steps: TraceStep[]): Matched<CompiledChain> {
  let chains = cl.chains;
  const rejected = new Rejections();
  const narrowedBy: string[] = [];
  for (const criterion of criteria(call, tlsInspected, alpn)) {
    if (chains.length === 0) break;
    if (!chains.some(criterion.isSet)) continue;
    const ranks = chains.map(criterion.rank);
    const best = Math.max(...ranks);
    const kept: CompiledChain[] = [];
    chains.forEach((c, i) => {
      const set = criterion.isSet(c);
      if (best > 0 ? ranks[i] === best : !set) kept.push(c);
      else if (!set) rejected.add(c.label, `leaves ${criterion.field} empty; a chain matching it is preferred`);
      else if (ranks[i] > 0) rejected.add(c.label, () => `${describe(criterion.field, c)} matches less specifically`);
      else rejected.add(c.label, () => `${describe(criterion.field, c)} does not match`);
    });
    if (kept.length < chains.length) narrowedBy.push(criterion.field);
    chains = kept;
  }
  const seen = `port ${call.port}, address ${call.address}, SNI "${call.sni}", transport ${!tlsInspected || call.tls === 'plaintext' ? 'raw_buffer' : 'tls'}, ALPN "${alpn}"`;
  if (chains.length > 1) {
    const message = `${chains.length} filter chains match equally (${seen}): ${chains.map((c) => c.label).join(', ')}`;
    steps.push(step('filter_chain', null, message, rejected));
    return { failure: { code: 'MULTIPLE_FILTER_CHAINS', message } };
  }
  if (chains.length === 1) {
    const why = narrowedBy.length ? `the only chain left after matching ${narrowedBy.join(', ')} (${seen})` : `matches ${seen}`;
    steps.push(step('filter_chain', chains[0].label, why, rejected));
    return { found: chains[0] };
  }
  if (cl.defaultChain) {
    steps.push(step('filter_chain', cl.defaultChain.label, `no filter chain matches (${seen}): the listener's default_filter_chain`, rejected));
    return { found: cl.defaultChain };
  }
  steps.push(step('filter_chain', null, `no filter chain matches (${seen}) and the listener has no default_filter_chain`, rejected));
  return { failure: { code: 'NO_FILTER_CHAIN', message: `listener ${cl.listener.name}: no filter chain matches ${seen}` } };
}

