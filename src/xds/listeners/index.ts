// LDS for one proxy: sidecars get per-port outbound listeners, virtualOutbound and virtualInbound
// (listener_builder.go getListeners order); routers get their Gateway listeners.

import type { SourceRef } from '../../manifests/types.js';
import type { MeshIndex, Proxy } from '../../mesh/types.js';
import type { Listener } from '../envoy.js';
import { buildGatewayListeners } from './gateway.js';
import { buildInboundListeners } from './inbound.js';
import { buildHttpProxyListener, buildOutboundListeners, buildVirtualOutboundListener } from './outbound.js';

export interface ListenersResult {
  listeners: Listener[];
  provenance: Record<string, SourceRef[]>;
}

const dedupe = (refs: SourceRef[]): SourceRef[] => {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.kind}/${r.namespace}/${r.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

export function buildSidecarListeners(index: MeshIndex, proxy: Proxy): ListenersResult {
  const scope = index.sidecarScope(proxy);
  const sidecarSources = scope.sidecar ? [scope.sidecar.source] : [];
  const httpProxy = buildHttpProxyListener(index, proxy);
  const built = [
    ...buildOutboundListeners(index, proxy, scope),
    ...(httpProxy ? [{ listener: httpProxy, sources: [] as SourceRef[] }] : []),
    { listener: buildVirtualOutboundListener(index, scope), sources: [] as SourceRef[] },
    ...buildInboundListeners(index, proxy, scope),
  ];
  const provenance: Record<string, SourceRef[]> = {};
  for (const b of built) provenance[b.listener.name] = dedupe([...sidecarSources, ...b.sources]);
  return { listeners: built.map((b) => b.listener), provenance };
}

export function buildListeners(index: MeshIndex, proxy: Proxy): ListenersResult {
  if (proxy.type === 'router') return buildGatewayListeners(index, proxy);
  return buildSidecarListeners(index, proxy);
}
