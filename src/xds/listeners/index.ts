// LDS for one proxy: sidecars get per-port outbound listeners, virtualOutbound and virtualInbound
// (listener_builder.go getListeners order); routers get their Gateway listeners.

import { dedupeSources, type SourceRef } from '../../manifests/types.js';
import type { MeshIndex, Proxy } from '../../mesh/types.js';
import type { Listener } from '../envoy.js';
import { buildGatewayListeners } from './gateway.js';
import { buildInboundListeners } from './inbound.js';
import { buildHttpProxyListener, buildOutboundListeners, buildVirtualOutboundListener } from './outbound.js';

export interface ListenersResult {
  listeners: Listener[];
  provenance: Record<string, SourceRef[]>;
}


/** The RDS names the listeners' connection managers ask for, sorted. */
export function rdsNames(listeners: Listener[]): string[] {
  const names = new Set<string>();
  for (const l of listeners) {
    for (const chain of [...l.filter_chains, ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
      for (const f of chain.filters) {
        const rds = (f.typed_config as { rds?: { route_config_name?: string } } | undefined)?.rds;
        if (rds?.route_config_name !== undefined) names.add(rds.route_config_name);
      }
    }
  }
  return [...names].sort();
}

/** RDS names of the sidecar listeners last built for a proxy, so the route stage need not build them again. */
const rdsNamesByProxy = new WeakMap<Proxy, { index: MeshIndex; names: string[] }>();

/** The route configurations a sidecar's listeners ask for. */
export function sidecarRdsNames(index: MeshIndex, proxy: Proxy): string[] {
  const known = rdsNamesByProxy.get(proxy);
  if (known?.index === index) return known.names;
  buildSidecarListeners(index, proxy);
  return rdsNamesByProxy.get(proxy)!.names;
}

export function buildSidecarListeners(index: MeshIndex, proxy: Proxy): ListenersResult {
  const scope = index.sidecarScope(proxy);
  const sidecarSources = scope.sidecar ? [scope.sidecar.source] : [];
  const httpProxy = buildHttpProxyListener(index, proxy);
  const built = [
    ...buildOutboundListeners(index, proxy, scope),
    ...(httpProxy ? [{ listener: httpProxy, sources: [] as SourceRef[] }] : []),
    { listener: buildVirtualOutboundListener(index, proxy, scope), sources: [] as SourceRef[] },
    ...buildInboundListeners(index, proxy, scope),
  ];
  const provenance: Record<string, SourceRef[]> = {};
  for (const b of built) provenance[b.listener.name] = dedupeSources([...sidecarSources, ...b.sources]);
  const listeners = built.map((b) => b.listener);
  rdsNamesByProxy.set(proxy, { index, names: rdsNames(listeners) });
  return { listeners, provenance };
}

export function buildListeners(index: MeshIndex, proxy: Proxy): ListenersResult {
  if (proxy.type === 'router') return buildGatewayListeners(index, proxy);
  return buildSidecarListeners(index, proxy);
}
