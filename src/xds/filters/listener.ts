// Listener filters (pilot/pkg/xds/filters/filters.go) and the per-port enabling of inspectors
// on virtualInbound (listener_inbound.go populateListenerFilters).

import type { FilterChain, ListenerFilter } from '../envoy.js';

export const originalDstFilter = (): ListenerFilter => ({
  name: 'envoy.filters.listener.original_dst',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst' },
});

export const tlsInspectorFilter = (): ListenerFilter => ({
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', initial_read_buffer_size: 512 },
});

export const httpInspectorFilter = (): ListenerFilter => ({
  name: 'envoy.filters.listener.http_inspector',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector' },
});

const PLAINTEXT_HTTP_ALPNS = new Set(['http/1.1', 'h2c']);

/** A predicate matching any of the destination ports. */
function portsPredicate(ports: number[]): Record<string, unknown> {
  const ranges = ports.map((p) => ({ destination_port_range: { start: p, end: p + 1 } }));
  return ranges.length > 1 ? { or_match: { rules: ranges } } : ranges[0];
}

/**
 * Inspectors for a listener whose chains match on destination ports: an inspector is added when
 * any chain needs it, disabled on the ports none of whose chains need it (port 0 = chains without a port).
 */
export function inspectorFilters(chains: FilterChain[]): ListenerFilter[] {
  const byPort = new Map<number, { tls: boolean; http: boolean }>();
  for (const fc of chains) {
    const m = fc.filter_chain_match ?? {};
    const port = m.destination_port ?? 0;
    const cur = byPort.get(port) ?? { tls: false, http: false };
    cur.tls ||= m.transport_protocol === 'tls';
    cur.http ||= (m.application_protocols ?? []).some((a) => PLAINTEXT_HTTP_ALPNS.has(a));
    byPort.set(port, cur);
  }
  const out: ListenerFilter[] = [];
  const entries = [...byPort.entries()];
  if (entries.some(([, i]) => i.tls)) {
    const defaultEnabled = byPort.get(0)?.tls ?? false;
    const ports = entries.filter(([p, i]) => p !== 0 && i.tls !== defaultEnabled).map(([p]) => p).sort((a, b) => a - b);
    const f = tlsInspectorFilter();
    if (ports.length > 0) f.filter_disabled = defaultEnabled ? portsPredicate(ports) : { not_match: portsPredicate(ports) };
    out.push(f);
  }
  if (entries.some(([, i]) => i.http)) {
    const ports = entries.filter(([, i]) => !i.http).map(([p]) => p).sort((a, b) => a - b);
    const f = httpInspectorFilter();
    if (ports.length > 0) f.filter_disabled = portsPredicate(ports);
    out.push(f);
  }
  return out;
}
