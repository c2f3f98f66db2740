// EnvoyFilter patches applied to one proxy's generated xDS, at the points istiod applies them
// (listener_builder.go patchListeners, httproute.go BuildHTTPRoutes and buildSidecarInboundHTTPRouteConfig,
// cluster.go buildClusters, extension_config_builder.go): each kind patched once it is built, per patch context.

import type { SourceRef } from '../../manifests/types.js';
import type { EnvoyFilterPatch, PatchContext } from '../../mesh/envoyfilters.js';
import type { MeshIndex, Proxy } from '../../mesh/types.js';
import type { Cluster, Listener, RouteConfiguration } from '../envoy.js';
import { INBOUND_PASSTHROUGH_CLUSTER, listenerName, parseSubsetKey, VIRTUAL_INBOUND, VIRTUAL_OUTBOUND } from '../names.js';
import { insertedClusters, patchCluster } from './cluster.js';
import { extensionConfigs, type ExtensionConfig } from './extension-config.js';
import { patchListeners } from './listener.js';
import { PatchRun, type PatchProblem } from './patch.js';
import { mayPatchRouteConfiguration, patchRouteConfiguration, type GatewayPortMap } from './route.js';

export type { PatchProblem, ExtensionConfig };

const LISTENER_KINDS = new Set(['LISTENER', 'LISTENER_FILTER', 'FILTER_CHAIN', 'NETWORK_FILTER', 'HTTP_FILTER']);
const ROUTE_KINDS = new Set(['ROUTE_CONFIGURATION', 'VIRTUAL_HOST', 'HTTP_ROUTE']);

/** The patches of a proxy, and what applying them records; undefined when no EnvoyFilter applies. */
export function envoyFilterRun(index: MeshIndex, proxy: Proxy): PatchRun | undefined {
  const patches: EnvoyFilterPatch[] = index.envoyFilters?.(proxy) ?? [];
  if (patches.length === 0) return undefined;
  const run = new PatchRun(patches);
  for (const p of patches) {
    if (p.index === patches.find((q) => q.filter === p.filter)!.index && p.filter.annotations['envoyfilter.istio.io/referenced-services']) {
      run.report(p, 'the envoyfilter.istio.io/referenced-services annotation (services a gateway or waypoint must include) is not modelled');
    }
    if (p.applyTo === 'BOOTSTRAP') run.report(p, 'BOOTSTRAP patches change the bootstrap pilot-agent writes, which meshplan does not generate: not applied');
    else if (!['MERGE', 'ADD', 'REMOVE', 'INSERT_BEFORE', 'INSERT_AFTER', 'INSERT_FIRST', 'REPLACE', 'MERGE_AND_REPLACE_LIST'].includes(p.operation)) run.report(p, `unknown operation ${p.operation}: not applied`);
    else if (!LISTENER_KINDS.has(p.applyTo) && !ROUTE_KINDS.has(p.applyTo) && p.applyTo !== 'CLUSTER' && p.applyTo !== 'EXTENSION_CONFIG') run.report(p, `unknown applyTo ${p.applyTo}: not applied`);
  }
  return run;
}

const hasAny = (run: PatchRun, kinds: Set<string>): boolean => run.patches.some((p) => kinds.has(p.applyTo));

/** Inline route configurations of inbound connection managers: istiod patches them (SIDECAR_INBOUND) as it builds them. */
function patchInlineInboundRoutes(run: PatchRun, l: Listener): void {
  for (const fc of [...l.filter_chains, ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
    for (const f of fc.filters) {
      const rc = (f.typed_config as { route_config?: RouteConfiguration } | undefined)?.route_config;
      if (!rc) continue;
      patchRouteConfiguration(run, 'SIDECAR_INBOUND', rc);
      // Inline, so what patched it shows on the listener.
      for (const ref of run.touched.routes.get(rc.name) ?? []) for (const p of run.patches) if (p.filter.source === ref) run.touch('listeners', l.name, p);
      run.touched.routes.delete(rc.name);
      for (const key of [...run.touched.virtualHosts.keys()]) if (key.startsWith(`${rc.name}/`)) run.touched.virtualHosts.delete(key);
    }
  }
}

/** LDS after the patches; listeners in istiod's order (outbound + ADDs, HTTP proxy, virtualOutbound, inbound + ADDs). */
export function patchedListeners(run: PatchRun, index: MeshIndex, proxy: Proxy, listeners: Listener[]): Listener[] {
  if (!hasAny(run, LISTENER_KINDS) && !hasAny(run, ROUTE_KINDS)) return listeners;
  const copies: Listener[] = structuredClone(listeners);
  if (proxy.type === 'router') return hasAny(run, LISTENER_KINDS) ? patchListeners(run, 'GATEWAY', copies, false) : listeners;
  const httpProxyPort = Number(proxy.metadata.HTTP_PROXY_PORT ?? index.mesh.proxyHttpPort ?? 0);
  const httpProxyName = httpProxyPort ? listenerName('127.0.0.1', httpProxyPort) : undefined;
  const inbound = copies.filter((l) => l.traffic_direction === 'INBOUND' && l.name !== VIRTUAL_INBOUND);
  for (const l of copies) if (l.traffic_direction === 'INBOUND') patchInlineInboundRoutes(run, l);
  if (!hasAny(run, LISTENER_KINDS)) return copies;
  const one = (name: string | undefined, ctx: PatchContext) => {
    const l = copies.find((x) => x.name === name);
    return l ? patchListeners(run, ctx, [l], true) : [];
  };
  const outbound = copies.filter((l) => l.traffic_direction !== 'INBOUND' && l.name !== VIRTUAL_OUTBOUND && l.name !== httpProxyName);
  return [
    ...patchListeners(run, 'SIDECAR_OUTBOUND', outbound, false),
    ...one(httpProxyName, 'SIDECAR_OUTBOUND'),
    ...one(VIRTUAL_OUTBOUND, 'SIDECAR_OUTBOUND'),
    ...one(VIRTUAL_INBOUND, 'SIDECAR_INBOUND'),
    ...patchListeners(run, 'SIDECAR_INBOUND', inbound, false),
  ];
}

/** RDS after the patches: sidecar outbound or gateway route configurations. */
export function patchedRoutes(run: PatchRun, index: MeshIndex, proxy: Proxy, routes: RouteConfiguration[]): RouteConfiguration[] {
  if (!hasAny(run, ROUTE_KINDS)) return routes;
  const portMap: GatewayPortMap = new Map();
  if (proxy.type === 'router') for (const t of index.serviceTargets(proxy)) portMap.set(t.targetPort, (portMap.get(t.targetPort) ?? new Set()).add(t.port.port));
  const ctx: PatchContext = proxy.type === 'router' ? 'GATEWAY' : 'SIDECAR_OUTBOUND';
  // Generated route configurations are shared between proxies: only those a patch may change are copied.
  return routes.map((rc) => {
    if (!mayPatchRouteConfiguration(run, ctx, rc, portMap)) return rc;
    const copy = structuredClone(rc) as RouteConfiguration;
    patchRouteConfiguration(run, ctx, copy, portMap);
    return copy;
  });
}

/** CDS after the patches: each cluster merged or removed in its context, ADDs after their context's clusters, first of a name kept. */
export function patchedClusters(run: PatchRun, index: MeshIndex, proxy: Proxy, clusters: readonly Cluster[]): Cluster[] | undefined {
  if (!run.patches.some((p) => p.applyTo === 'CLUSTER')) return undefined;
  const hostsByPort = new Map<number, string[]>();
  for (const t of index.serviceTargets(proxy)) hostsByPort.set(t.targetPort, [...(hostsByPort.get(t.targetPort) ?? []), t.service.hostname]);
  const isInbound = (c: Cluster) => proxy.type !== 'router' && (c.name === INBOUND_PASSTHROUGH_CLUSTER || parseSubsetKey(c.name)?.direction === 'inbound');
  const patch = (c: Cluster, ctx: PatchContext): Cluster[] => {
    const hosts = ctx === 'SIDECAR_INBOUND' ? (hostsByPort.get(parseSubsetKey(c.name)?.port ?? -1) ?? []) : [];
    const patched = patchCluster(run, ctx, c, hosts);
    return patched ? [patched] : [];
  };
  let out: Cluster[];
  if (proxy.type === 'router') {
    out = [...clusters.flatMap((c) => patch(c, 'GATEWAY')), ...insertedClusters(run, 'GATEWAY')];
  } else {
    out = [
      ...clusters.filter((c) => !isInbound(c)).flatMap((c) => patch(c, 'SIDECAR_OUTBOUND')),
      ...insertedClusters(run, 'SIDECAR_OUTBOUND'),
      ...clusters.filter(isInbound).flatMap((c) => patch(c, 'SIDECAR_INBOUND')),
      ...insertedClusters(run, 'SIDECAR_INBOUND'),
    ];
  }
  // normalizeClusters: the first cluster of a name is kept.
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.name) && seen.add(c.name));
}

/** ECDS: the EXTENSION_CONFIG ADDs the proxy's filters ask for by name. */
export function patchedExtensionConfigs(run: PatchRun, listeners: Listener[]): ExtensionConfig[] {
  return extensionConfigs(run, listeners);
}

/**
 * Provenance of patched resources: the EnvoyFilters beside what the resource already names. With `present`,
 * only the resources still there (a REMOVE drops its resource's record).
 */
export function withPatchProvenance(base: Record<string, SourceRef[]>, touched: Map<string, SourceRef[]>, present?: Set<string>): Record<string, SourceRef[]> {
  if (touched.size === 0 && !present) return base;
  const out: Record<string, SourceRef[]> = {};
  for (const [name, refs] of Object.entries(base)) if (!present || present.has(name)) out[name] = refs;
  for (const [name, refs] of touched) {
    if (present && !present.has(name)) continue;
    out[name] = [...(out[name] ?? []), ...refs.filter((r) => !(out[name] ?? []).includes(r))];
  }
  return out;
}
