// LISTENER, LISTENER_FILTER, FILTER_CHAIN, NETWORK_FILTER and HTTP_FILTER patches of LDS
// (pilot/pkg/networking/core/envoyfilter/listener_patch.go patchListeners and below), on proto3 JSON.

import type { EnvoyFilterPatch, PatchContext } from '../../mesh/envoyfilters.js';
import type { FilterChain, Listener } from '../envoy.js';
import { VIRTUAL_INBOUND, VIRTUAL_OUTBOUND } from '../names.js';
import { mergeAny, mergeMessage } from './proto-json.js';
import { contextMatch, isMerge, patchList, VALUE_TYPE, type PatchRun } from './patch.js';

type JsonObject = Record<string, any>;
const HCM = 'envoy.filters.network.http_connection_manager';
const isVirtual = (l: Listener): boolean => l.name === VIRTUAL_INBOUND || l.name === VIRTUAL_OUTBOUND;
const listenerMatchOf = (p: EnvoyFilterPatch): any => p.match.listener;

function listenerMatch(l: Listener, p: EnvoyFilterPatch): boolean {
  const m = listenerMatchOf(p);
  if (!m) return true;
  if (m.name && m.name !== l.name) return false;
  // The virtual listeners carry the port in their chains' matches (filterChainMatch checks it there).
  if (p.applyTo !== 'LISTENER' && isVirtual(l)) return true;
  if (m.portNumber && l.address?.socket_address?.port_value !== Number(m.portNumber)) return false;
  return true;
}

function filterChainMatch(l: Listener, fc: FilterChain, p: EnvoyFilterPatch): boolean {
  const lm = listenerMatchOf(p);
  if (!lm) return true;
  const fcm = fc.filter_chain_match;
  if (isVirtual(l) && Number(lm.portNumber) > 0 && fcm?.destination_port !== Number(lm.portNumber)) return false;
  const m = lm.filterChain;
  if (!m) return true;
  if (m.name && m.name !== fc.name) return false;
  if (m.sni && !fcm?.server_names?.includes(m.sni)) return false;
  if (m.transportProtocol && fcm?.transport_protocol !== m.transportProtocol) return false;
  if (m.applicationProtocols) {
    if (!fcm) return false;
    for (const proto of String(m.applicationProtocols).split(',')) if (!fcm.application_protocols?.includes(proto)) return false;
  }
  if (Number(m.destinationPort) > 0 && fcm?.destination_port !== Number(m.destinationPort)) return false;
  return true;
}

const hasNetworkFilterMatch = (p: EnvoyFilterPatch): boolean => listenerMatchOf(p)?.filterChain?.filter != null;
const networkFilterMatch = (f: JsonObject, p: EnvoyFilterPatch): boolean => !hasNetworkFilterMatch(p) || listenerMatchOf(p).filterChain.filter.name === f.name;
const hasHttpFilterMatch = (p: EnvoyFilterPatch): boolean => hasNetworkFilterMatch(p) && listenerMatchOf(p).filterChain.filter.subFilter != null;
const httpFilterMatch = (f: JsonObject, p: EnvoyFilterPatch): boolean => !hasHttpFilterMatch(p) || listenerMatchOf(p).filterChain.filter.subFilter.name === f.name;
const hasListenerFilterMatch = (p: EnvoyFilterPatch): boolean => !!listenerMatchOf(p)?.listenerFilter;
const listenerFilterMatch = (f: JsonObject, p: EnvoyFilterPatch): boolean => !hasListenerFilterMatch(p) || listenerMatchOf(p).listenerFilter === f.name;

/**
 * A filter MERGE (network, HTTP or listener filter): a name in the value renames the filter, a typed_config
 * is merged into the filter's by MergeAnyWithAny. Filters without a typed_config are left alone, as istiod does.
 */
function mergeFilter(run: PatchRun, p: EnvoyFilterPatch, filter: JsonObject, target: string): boolean {
  if (!filter.typed_config) return false;
  return run.merge(p, VALUE_TYPE[p.applyTo]!, filter, target, (into, value) => {
    if (value.name) into.name = value.name;
    if (!value.typed_config) return undefined;
    const merged = mergeAny(into.typed_config, value.typed_config, { replaceList: p.operation === 'MERGE_AND_REPLACE_LIST' });
    if (merged.problem) return merged.problem;
    into.typed_config = merged.value;
    return undefined;
  });
}

/**
 * A FILTER_CHAIN MERGE: a transport socket of the same name as the chain's is merged at the typed_config
 * level (mergeTransportSocketListener), anything else by the plain message merge.
 */
function mergeFilterChain(run: PatchRun, p: EnvoyFilterPatch, fc: FilterChain, target: string): boolean {
  return run.merge(p, VALUE_TYPE.FILTER_CHAIN!, fc as JsonObject, target, (into, value) => {
    const ts = value.transport_socket;
    if (ts && into.transport_socket && ts.name === into.transport_socket.name) {
      const dst = into.transport_socket.typed_config;
      if (dst && ts.typed_config) {
        const merged = mergeAny(dst, ts.typed_config);
        if (merged.problem) return merged.problem;
        into.transport_socket = { ...into.transport_socket, typed_config: merged.value };
      }
      return undefined;
    }
    mergeMessage(VALUE_TYPE.FILTER_CHAIN!, into, value, { replaceList: p.operation === 'MERGE_AND_REPLACE_LIST' });
    return undefined;
  });
}

function patchHttpFilters(run: PatchRun, ctx: PatchContext, l: Listener, fc: FilterChain, filter: JsonObject): void {
  const hcm = filter.typed_config;
  if (!hcm) return;
  const patches = run.of('HTTP_FILTER').filter((p) => contextMatch(ctx, p) && listenerMatch(l, p) && filterChainMatch(l, fc, p) && networkFilterMatch(filter, p));
  for (const p of patches) {
    if (isMerge(p)) continue;
    const { list, applied } = patchList<JsonObject>(run, p, hcm.http_filters ?? [], hasHttpFilterMatch(p), (f) => httpFilterMatch(f, p), l.name);
    hcm.http_filters = list;
    if (applied) run.touch('listeners', l.name, p);
  }
  for (const httpFilter of hcm.http_filters ?? []) {
    for (const p of patches) {
      if (isMerge(p) && httpFilterMatch(httpFilter, p) && mergeFilter(run, p, httpFilter, l.name)) run.touch('listeners', l.name, p);
    }
  }
}

function patchNetworkFilters(run: PatchRun, ctx: PatchContext, l: Listener, fc: FilterChain): void {
  const patches = run.of('NETWORK_FILTER').filter((p) => contextMatch(ctx, p) && listenerMatch(l, p) && filterChainMatch(l, fc, p));
  for (const p of patches) {
    if (isMerge(p)) continue;
    const { list, applied } = patchList(run, p, fc.filters as JsonObject[], hasNetworkFilterMatch(p), (f) => networkFilterMatch(f, p), l.name);
    fc.filters = list as FilterChain['filters'];
    if (applied) run.touch('listeners', l.name, p);
  }
  for (const filter of fc.filters as JsonObject[]) {
    for (const p of patches) {
      if (isMerge(p) && networkFilterMatch(filter, p) && mergeFilter(run, p, filter, l.name)) run.touch('listeners', l.name, p);
    }
    if (filter.name === HCM) patchHttpFilters(run, ctx, l, fc, filter);
  }
}

/** patchFilterChain: false when a REMOVE drops the chain. */
function patchFilterChain(run: PatchRun, ctx: PatchContext, l: Listener, fc: FilterChain): boolean {
  for (const p of run.of('FILTER_CHAIN')) {
    if (!contextMatch(ctx, p) || !listenerMatch(l, p) || !filterChainMatch(l, fc, p)) continue;
    if (p.operation === 'REMOVE') {
      run.touch('listeners', l.name, p);
      return false;
    }
    if (isMerge(p) && mergeFilterChain(run, p, fc, l.name)) run.touch('listeners', l.name, p);
  }
  patchNetworkFilters(run, ctx, l, fc);
  return true;
}

function patchListenerFilters(run: PatchRun, ctx: PatchContext, l: Listener): void {
  for (const p of run.of('LISTENER_FILTER')) {
    if (!contextMatch(ctx, p) || !listenerMatch(l, p)) continue;
    if (isMerge(p)) {
      if (!hasListenerFilterMatch(p)) continue;
      for (const f of (l.listener_filters ?? []) as JsonObject[]) if (listenerFilterMatch(f, p) && mergeFilter(run, p, f, l.name)) run.touch('listeners', l.name, p);
      continue;
    }
    const { list, applied } = patchList(run, p, (l.listener_filters ?? []) as JsonObject[], hasListenerFilterMatch(p), (f) => listenerFilterMatch(f, p), l.name);
    if (list.length > 0 || l.listener_filters) l.listener_filters = list as Listener['listener_filters'];
    if (applied) run.touch('listeners', l.name, p);
  }
}

/** patchListener: false when a REMOVE drops the listener. */
function patchListener(run: PatchRun, ctx: PatchContext, l: Listener): boolean {
  for (const p of run.of('LISTENER')) {
    if (!contextMatch(ctx, p) || !listenerMatch(l, p)) continue;
    if (p.operation === 'REMOVE') return false;
    if (isMerge(p) && run.merge(p, VALUE_TYPE.LISTENER!, l as JsonObject, l.name)) run.touch('listeners', l.name, p);
  }
  patchListenerFilters(run, ctx, l);
  l.filter_chains = l.filter_chains.filter((fc) => !fc.filters || patchFilterChain(run, ctx, l, fc));
  if (l.default_filter_chain?.filters && !patchFilterChain(run, ctx, l, l.default_filter_chain)) delete l.default_filter_chain;
  for (const p of run.of('FILTER_CHAIN')) {
    if (p.operation !== 'ADD' || !contextMatch(ctx, p) || !listenerMatch(l, p)) continue;
    const v = run.value(p, l.name);
    if (v) {
      l.filter_chains.push(v as FilterChain);
      run.touch('listeners', l.name, p);
    }
  }
  return true;
}

/**
 * ApplyListenerPatches for listeners of one patch context (already copies the caller owns). `skipAdds` for the
 * virtual and HTTP proxy listeners, which istiod patches one by one without listener ADDs.
 */
export function patchListeners(run: PatchRun, ctx: PatchContext, listeners: Listener[], skipAdds: boolean): Listener[] {
  const out = listeners.filter((l) => patchListener(run, ctx, l));
  if (skipAdds) return out;
  for (const p of run.of('LISTENER')) {
    if (p.operation !== 'ADD') continue;
    // A listener ADD without a context is only for sidecar outbound and gateways.
    if (p.context === 'ANY' && ctx !== 'SIDECAR_OUTBOUND' && ctx !== 'GATEWAY') continue;
    if (!contextMatch(ctx, p)) continue;
    const v = run.value(p) as Listener | undefined;
    if (v) {
      out.push(v);
      run.touch('listeners', v.name, p);
    }
  }
  return out;
}
