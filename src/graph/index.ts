// The traffic graph of a mesh index: workloads, services, gateways and external hosts, and what
// routes between them. Pure: the same index gives the same graph, nodes and edges sorted by id.
// Routing follows what each proxy sees (SidecarScope's virtual services, a gateway's bound ones,
// as istiod's PushContext gives them); mTLS marks follow the DestinationRule or auto mTLS on the
// client side and the PeerAuthentication on the server side.

import type { SourceRef } from '../manifests/types.js';
import type { Endpoint, IstioConfig, MeshIndex, Proxy, Service } from '../mesh/types.js';
import { configSources } from '../mesh/types.js';
import { labelsMatch } from '../mesh/hosts.js';
import { routeDestinations, type RouteDestination } from './routes.js';
import type { GraphEdge, GraphNode, TrafficGraph } from './types.js';

export type { GraphEdge, GraphNode, TrafficGraph } from './types.js';

const refText = (r: SourceRef): string => `${r.kind} ${r.namespace}/${r.name}`;
const configText = (c: IstioConfig): string => `${c.source.kind} ${c.namespace}/${c.name}`;
const uniqueSorted = (list: string[]): string[] => [...new Set(list)].sort();

/** The node id a service's host has: a service, or an external host (ServiceEntry MESH_EXTERNAL, or no service at all). */
const serviceId = (s: Service): string => (s.meshExternal ? `external:${s.hostname}` : `service:${s.hostname}`);
const workloadId = (kind: 'workload' | 'gateway', namespace: string, name: string): string => `${kind}:${namespace}/${name}`;
export const PASSTHROUGH_ID = 'external:PassthroughCluster';

export function buildTrafficGraph(index: MeshIndex): TrafficGraph {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const node = (n: Partial<GraphNode> & Pick<GraphNode, 'id' | 'kind' | 'name' | 'namespace'>): GraphNode => {
    const existing = nodes.get(n.id);
    if (existing) {
      existing.sources = uniqueSorted([...existing.sources, ...(n.sources ?? [])]);
      return existing;
    }
    const made: GraphNode = { proxy: null, ports: [], mtls: null, policies: [], sources: [], ...n };
    nodes.set(n.id, made);
    return made;
  };
  const edge = (e: Partial<GraphEdge> & Pick<GraphEdge, 'id' | 'kind' | 'from' | 'to'>): void => {
    if (edges.has(e.id)) return;
    edges.set(e.id, { weight: null, match: null, subset: null, port: null, route: null, mtls: null, mtlsFrom: null, policies: [], sources: [], ...e });
  };

  // Proxies first: a workload is named by its pods' workload (Deployment), a gateway by its router pods.
  const proxyOfWorkload = new Map<string, Proxy>();
  const workloadOf = (p: Proxy): string => workloadId(p.type === 'router' ? 'gateway' : 'workload', p.namespace, p.workloadName || p.name);
  const policiesOf = (p: Proxy): string[] => {
    const byAction = index.authorizationPolicies(p);
    return (['custom', 'deny', 'allow', 'audit'] as const).flatMap((action) => byAction[action].map((c) => `${action.toUpperCase()} ${c.namespace}/${c.name}`));
  };
  for (const p of index.proxies) {
    const id = workloadOf(p);
    if (!proxyOfWorkload.has(id)) proxyOfWorkload.set(id, p);
    const port = index.serviceTargets(p)[0]?.targetPort;
    const pa = index.peerAuthentications?.(p, port);
    node({
      id,
      kind: p.type === 'router' ? 'gateway' : 'workload',
      name: p.workloadName || p.name,
      namespace: p.namespace,
      proxy: proxyOfWorkload.get(id)!.pod ?? null,
      mtls: port !== undefined ? index.mtlsMode(p, port) : null,
      policies: policiesOf(p),
      sources: [...(p.pod ? [`Pod ${p.pod}`] : []), ...(pa?.modeFrom ? [configText(pa.modeFrom)] : [])],
    });
  }

  // Services and their endpoints' workloads (with the endpoints' labels, for subsets).
  const backends = new Map<string, { node: GraphNode; labels: Record<string, string> }[]>();
  for (const s of index.services) {
    const id = serviceId(s);
    node({
      id,
      kind: s.meshExternal ? 'external' : 'service',
      name: s.meshExternal ? s.hostname : s.name,
      namespace: s.namespace,
      ports: s.ports.map((p) => p.port).sort((a, b) => a - b),
      sources: s.sources.map(refText),
    });
    for (const port of s.ports) {
      for (const ep of index.endpoints(s, port)) {
        // A ServiceEntry's own addresses have no workload behind them.
        if (ep.sources.every((src) => src.kind === 'ServiceEntry')) continue;
        const target = endpointWorkload(ep, index, proxyOfWorkload, node);
        backends.set(id, [...(backends.get(id) ?? []), { node: target, labels: ep.labels }]);
        const mode = index.workloadMtlsMode(ep.namespace, ep.labels, ep.port);
        // One edge per service and workload, on the service's first port that reaches it.
        edge({
          id: `endpoint:${id}->${target.id}`,
          kind: 'endpoint',
          from: id,
          to: target.id,
          port: port.port,
          mtls: ep.tlsMode === 'istio' ? mode : 'DISABLE',
          mtlsFrom: ep.tlsMode === 'istio' ? (target.sources.find((t) => t.startsWith('PeerAuthentication ')) ?? 'mesh default') : 'no sidecar',
          policies: target.policies,
          sources: uniqueSorted(ep.sources.map(refText)),
        });
      }
    }
  }

  const hostNode = (host: string, namespace: string): GraphNode => {
    const services = index.servicesByHost.get(host) ?? [];
    const s = services.find((x) => x.namespace === namespace) ?? services[0];
    if (s) return nodes.get(serviceId(s))!;
    return node({ id: `external:${host}`, kind: 'external', name: host, namespace: '' });
  };

  // Client-side TLS toward a destination, as a proxy of the route's namespace sees it.
  const clientTls = (from: Proxy | undefined, dest: GraphNode, d: RouteDestination): Pick<GraphEdge, 'mtls' | 'mtlsFrom'> => {
    const service = (index.servicesByHost.get(d.host) ?? []).find((s) => serviceId(s) === dest.id);
    if (!service || !from) return { mtls: null, mtlsFrom: null };
    const dr = index.destinationRule(from, service);
    const policy = dr?.spec?.trafficPolicy;
    const portLevel = (policy?.portLevelSettings ?? []).find((p: any) => p?.port?.number === d.port);
    const subset = d.subset ? (dr?.spec?.subsets ?? []).find((x: any) => x?.name === d.subset)?.trafficPolicy : undefined;
    const mode = subset?.tls?.mode ?? portLevel?.tls?.mode ?? policy?.tls?.mode;
    if (mode && dr) return { mtls: mode, mtlsFrom: configSources(dr).map(refText).join(', ') };
    const port = d.port ?? service.ports[0]?.port;
    if (port === undefined || service.meshExternal) return { mtls: 'DISABLE', mtlsFrom: 'no DestinationRule' };
    return { mtls: index.serviceMtlsMode(service, port) === 'DISABLE' ? 'DISABLE' : 'ISTIO_MUTUAL', mtlsFrom: 'auto mTLS' };
  };

  // A subset's traffic goes to the workloads whose labels it selects; without a subset, to the service.
  const targetsOf = (dest: GraphNode, d: RouteDestination, viewer: Proxy | undefined): GraphNode[] => {
    const service = (index.servicesByHost.get(d.host) ?? []).find((s) => serviceId(s) === dest.id);
    if (!d.subset || !service || !viewer) return [dest];
    const subset = (index.destinationRule(viewer, service)?.spec?.subsets ?? []).find((x: any) => x?.name === d.subset);
    if (!subset) return [dest];
    const selected = (backends.get(dest.id) ?? []).filter((b) => labelsMatch(subset.labels ?? {}, b.labels)).map((b) => b.node);
    return selected.length > 0 ? [...new Set(selected)] : [dest];
  };

  const routeEdges = (vs: IstioConfig, from: GraphNode, viewer: Proxy | undefined, gateway: string): void => {
    for (const d of routeDestinations(vs, gateway)) {
      const dest = hostNode(d.host, vs.namespace);
      for (const to of targetsOf(dest, d, viewer)) edge({
        id: `route:${from.id}->${to.id}:${d.route}:${d.subset ?? ''}:${d.port ?? ''}`,
        kind: gateway !== 'mesh' && dest.kind === 'external' ? 'egress' : 'route',
        from: from.id,
        to: to.id,
        weight: d.weight,
        match: d.match,
        subset: d.subset,
        port: d.port,
        route: d.route,
        ...clientTls(viewer, dest, d),
        sources: uniqueSorted(configSources(vs).map(refText)),
      });
    }
  };

  // Mesh routes: from each host a VirtualService takes over, as the sidecars that see it.
  const seen = new Set<IstioConfig>();
  for (const p of index.proxies) {
    if (p.type !== 'sidecar') continue;
    const scope = index.sidecarScope(p);
    for (const vs of scope.virtualServices) {
      if (seen.has(vs)) continue;
      seen.add(vs);
      const viewer = index.proxies.find((x) => x.type === 'sidecar' && x.namespace === vs.namespace) ?? p;
      for (const host of vs.spec.hosts ?? []) routeEdges(vs, hostNode(host, vs.namespace), viewer, 'mesh');
    }
    if (scope.outboundTrafficPolicy === 'ALLOW_ANY') {
      const from = workloadOf(p);
      node({ id: PASSTHROUGH_ID, kind: 'external', name: 'any other host (PassthroughCluster)', namespace: '' });
      edge({ id: `passthrough:${from}`, kind: 'passthrough', from, to: PASSTHROUGH_ID, sources: scope.sidecar ? [configText(scope.sidecar)] : [] });
    }
  }
  // Gateway routes: from each gateway workload, through the Gateways that select it.
  for (const p of index.proxies) {
    if (p.type !== 'router') continue;
    const from = nodes.get(workloadOf(p))!;
    for (const gw of index.gatewaysFor(p)) {
      from.sources = uniqueSorted([...from.sources, configText(gw)]);
      const gateway = `${gw.namespace}/${gw.name}`;
      for (const vs of index.virtualServicesForGateway(p.namespace, gateway)) routeEdges(vs, from, p, gateway);
    }
  }

  const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { nodes: [...nodes.values()].sort(byId), edges: [...edges.values()].sort(byId) };
}

/** The workload node an endpoint belongs to: its proxy's, or one without a sidecar. */
function endpointWorkload(
  ep: Endpoint,
  index: MeshIndex,
  proxyOfWorkload: Map<string, Proxy>,
  node: (n: Partial<GraphNode> & Pick<GraphNode, 'id' | 'kind' | 'name' | 'namespace'>) => GraphNode,
): GraphNode {
  const proxy = index.proxyByIp(ep.address);
  const name = proxy?.workloadName || ep.workloadName || (ep.pod ?? '').split('/')[1] || ep.address;
  const kind = proxy?.type === 'router' ? 'gateway' : 'workload';
  const id = workloadId(kind, ep.namespace, name);
  return node({ id, kind, name, namespace: ep.namespace, proxy: proxyOfWorkload.get(id)?.pod ?? null });
}
