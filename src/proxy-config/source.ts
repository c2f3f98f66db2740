// What `istioctl proxy-config` reads, from either side: a live Envoy's config dump, or the config
// meshplan generated for a proxy. Resources are in the order istioctl collects them (dynamic, then
// static) before each writer sorts them its own way.

import type { DumpSecret, EcdsFilter, Json, LiveDump } from '../dump/types.js';
import { ADMIN_TYPE } from '../dump/read.js';
import type { Proxy } from '../mesh/types.js';
import { toConfigDump } from '../xds/configdump.js';
import type { Cluster, ClusterLoadAssignment, Listener, ProxyXds, RouteConfiguration } from '../xds/envoy.js';

export interface ConfigSource {
  /** A dump's endpoints kind is the EDS table; generated config's is the /clusters table. */
  origin: 'dump' | 'generated';
  /** Sections the source lacks are undefined (a dump without them; generated config has no secrets or ECDS). */
  clusters?: Cluster[];
  listeners?: Listener[];
  routes?: RouteConfiguration[];
  endpoints?: ClusterLoadAssignment[];
  bootstrap?: Json;
  secrets?: { dynamicActive: DumpSecret[]; dynamicWarming: DumpSecret[] };
  ecds?: EcdsFilter[];
  /** The config dump itself (as read, or as generated), for `all -o json|yaml` and the admin sections' -o json|yaml. */
  dump: { configs: Json[] };
}

/** retrieveSorted*Slice's collection order: dynamic active first, then static. Warming and draining listeners are not shown, as in istioctl. */
export function dumpSource(dump: LiveDump): ConfigSource {
  return {
    origin: 'dump',
    dump: dump.input,
    ...(dump.clusters ? { clusters: [...dump.clusters.dynamicActive, ...dump.clusters.static] } : {}),
    ...(dump.listeners ? { listeners: [...dump.listeners.dynamic.flatMap((l) => (l.active ? [l.active] : [])), ...dump.listeners.static] } : {}),
    ...(dump.routes ? { routes: [...dump.routes.dynamic, ...dump.routes.static] } : {}),
    ...(dump.endpoints ? { endpoints: [...dump.endpoints.dynamic, ...dump.endpoints.static] } : {}),
    ...(dump.bootstrap ? { bootstrap: dump.bootstrap } : {}),
    ...(dump.secrets ? { secrets: dump.secrets } : {}),
    ...(dump.ecds ? { ecds: dump.ecds } : {}),
  };
}

/**
 * Generated config: every cluster's endpoints, EDS ones and those a cluster carries inline, as Envoy's
 * ?include_eds dump lists them; with the proxy, the bootstrap node its translated dump carries.
 */
export function generatedSource(xds: ProxyXds, proxy?: Proxy): ConfigSource {
  const dump = toConfigDump(xds, proxy) as ConfigSource['dump'];
  const bootstrap = dump.configs.find((c) => c['@type'] === `${ADMIN_TYPE}BootstrapConfigDump`)?.bootstrap as Json | undefined;
  return {
    origin: 'generated',
    dump,
    ...(bootstrap ? { bootstrap } : {}),
    clusters: xds.clusters,
    listeners: xds.listeners,
    routes: xds.routes,
    ...(xds.extensionConfigs?.length ? { ecds: xds.extensionConfigs } : {}),
    endpoints: [
      ...xds.endpoints,
      ...xds.clusters.flatMap((c) => (c.load_assignment ? [{ ...c.load_assignment, cluster_name: c.name }] : [])),
    ],
  };
}
