// Gateway API TCPRoute and TLSRoute → VirtualService, as istiod converts them
// (pilot/pkg/config/kube/gateway: route_collections.go TCPRouteCollection and TLSRouteCollection;
// conversion.go convertTCPRoute, convertTLSRoute, buildTCPDestination, buildTLSMatch,
// augmentTCPPortMatch, augmentTLSPortMatch, compatibleRoutesForHost, constrainTLSRoutesToListenerHost).
//
// No merge here: each accepted parent (and host) gets its own VirtualService `<route>~tcp|tls~<n>~...`.
// A rule without a backend of weight > 0 routes to a placeholder that has no endpoints, as istiod does.

import { sourceRef, type K8sObject } from '../../manifests/types.js';
import { cmp } from '../config.js';
import { hostMatches, hostSubsetOf } from '../hosts.js';
import { ROUTE_SEMANTICS_ANNOTATION } from '../istio-api.js';
import {
  HardError,
  PARENTS_ANNOTATION,
  bindRoute,
  buildDestination,
  isGatewayApiKind,
  registryOf,
  type ConfigError,
  type ConvertedRoutes,
  type Registry,
  type RouteParent,
} from './gateway-api.js';
import type { Converter } from './index.js';
import { KUBERNETES_GATEWAY_NAME, gatewayListeners } from './k8s-gateway.js';

interface RouteDestination {
  destination: { host: string; port?: { number: number }; subset?: string };
  weight: number;
}
interface L4Route {
  match?: { port?: number; sniHosts?: string[] }[];
  route: RouteDestination[];
}

/** The destination of a zero-weight rule: a host nothing serves. */
const ZERO_WEIGHT: RouteDestination = { destination: { host: 'internal.cluster.local', subset: 'zero-weight', port: { number: 65535 } }, weight: 0 };

/** convertTCPRoute / convertTLSRoute for one rule. */
function convertRule(route: K8sObject, rule: any, registry: Registry, mesh: boolean, problems: ConfigError[]): L4Route {
  const refs: any[] = rule.backendRefs ?? [];
  if (refs.reduce((sum, r) => sum + (r.weight ?? 1), 0) === 0) return { route: [ZERO_WEIGHT] };
  const weighted = refs.filter((r) => (r.weight ?? 1) !== 0);
  const destinations = weighted.map((ref) => {
    const built = buildDestination(ref, route, registry, !mesh);
    if (built.problem) problems.push(built.problem);
    return { destination: built.destination, weight: weighted.length === 1 ? 0 : (ref.weight ?? 1) } as RouteDestination;
  });
  if (route.kind === 'TLSRoute') {
    const hostnames: string[] = route.spec?.hostnames ?? [];
    return { match: [{ sniHosts: hostnames.length ? [...hostnames] : ['*'] }], route: destinations };
  }
  return { route: destinations };
}

function convertRules(route: K8sObject, registry: Registry, mesh: boolean): ConvertedRoutes<L4Route> {
  const problems: ConfigError[] = [];
  try {
    const routes = ((route.spec?.rules ?? []) as any[]).map((rule) => convertRule(route, rule, registry, mesh, problems));
    return { routes, problems, ...(problems.length ? { error: problems[problems.length - 1] } : {}) };
  } catch (e) {
    if (!(e instanceof HardError)) throw e;
    return { error: { reason: e.reason, message: e.message }, problems: [] };
  }
}

/** augmentTCPPortMatch / augmentTLSPortMatch: a mesh parent's port; for TLS, the parent's hosts as SNI when the route names none. */
function withMeshPort(route: K8sObject, routes: L4Route[], parent: RouteParent): L4Route[] {
  const port: number | undefined = parent.ref.port ?? undefined;
  if (route.kind === 'TCPRoute') {
    if (port === undefined) return routes;
    return routes.map((r) => ({ ...r, match: r.match?.length ? r.match.map((m) => ({ ...m, port })) : [{ port }] }));
  }
  return routes.map((r) => {
    const unnamed = r.match?.length === 1 && r.match[0].sniHosts?.length === 1 && r.match[0].sniHosts[0] === '*';
    const match = r.match?.map((m) => ({ ...m, ...(unnamed ? { sniHosts: [...parent.hosts] } : {}), ...(port !== undefined ? { port } : {}) }));
    return { ...r, ...(match ? { match } : {}) };
  });
}

/** compatibleRoutesForHost: a route's several SNI hosts narrowed to those matching the parent host. */
const compatibleRoutes = (routes: L4Route[], host: string): L4Route[] =>
  routes.map((r) =>
    r.match?.length === 1 && (r.match[0].sniHosts?.length ?? 0) > 1
      ? { ...r, match: [{ ...r.match[0], sniHosts: r.match[0].sniHosts!.filter((h) => hostMatches(host, h)) }] }
      : r,
  );

/** host.Names.Intersection: the hosts both sets match, each the narrower of a matching pair. */
function intersectHosts(hosts: string[], listenerHost: string): string[] {
  const out: string[] = [];
  for (const h of hosts) {
    if (hostSubsetOf(h, listenerHost)) out.push(h);
    else if (hostSubsetOf(listenerHost, h)) out.push(listenerHost);
  }
  return [...new Set(out)];
}

/** constrainTLSRoutesToListenerHost: SNI hosts narrowed to the listener's hostname; routes left without any dropped. */
const constrainToListener = (routes: L4Route[], listenerHost: string): L4Route[] =>
  routes
    .map((r) => ({ ...r, match: r.match?.map((m) => ({ ...m, sniHosts: intersectHosts(m.sniHosts ?? [], listenerHost) })) }))
    .filter((r) => !r.match?.length || r.match.some((m) => m.sniHosts?.length));

function convertL4Routes(kind: 'TCPRoute' | 'TLSRoute'): Converter {
  const label = kind === 'TCPRoute' ? 'tcp' : 'tls';
  return (objects, ctx) => {
    const registry = registryOf(objects);
    const listeners = gatewayListeners(objects, ctx);
    const routes = objects
      .filter((o) => isGatewayApiKind(o, kind))
      .sort((a, b) => cmp(a.metadata.namespace!, b.metadata.namespace!) || cmp(a.metadata.name, b.metadata.name));
    const out: K8sObject[] = [];
    for (const route of routes) {
      const { accepted, routesFor } = bindRoute(route, listeners, registry, ctx, (mesh) => convertRules(route, registry, mesh));
      let count = 0;
      for (const parent of accepted) {
        let converted = routesFor(parent);
        if (!converted) continue;
        let hosts: string[] = kind === 'TCPRoute' ? ['*'] : route.spec?.hostnames?.length ? [...route.spec.hostnames] : ['*'];
        if (parent.mesh) {
          hosts = parent.hosts;
          converted = withMeshPort(route, converted, parent);
        } else if (kind === 'TLSRoute' && parent.listener?.originalHostname) {
          hosts = intersectHosts(hosts, parent.listener.originalHostname);
          converted = constrainToListener(converted, parent.listener.originalHostname);
        }
        for (const host of hosts) {
          const forHost = parent.mesh && kind === 'TLSRoute' ? compatibleRoutes(converted, host) : converted;
          out.push({
            apiVersion: 'networking.istio.io/v1',
            kind: 'VirtualService',
            metadata: {
              name: `${route.metadata.name}~${label}~${count++}~${KUBERNETES_GATEWAY_NAME}`,
              namespace: route.metadata.namespace,
              ...(route.metadata.creationTimestamp ? { creationTimestamp: route.metadata.creationTimestamp } : {}),
              annotations: { [PARENTS_ANNOTATION]: `${kind}/${route.metadata.name}.${route.metadata.namespace}`, [ROUTE_SEMANTICS_ANNOTATION]: 'gateway' },
            },
            spec: { hosts: [host], gateways: [parent.internalName], [label]: forHost },
            derivedFrom: sourceRef(route),
          });
        }
      }
    }
    return out;
  };
}

export const convertTcpRoutes: Converter = convertL4Routes('TCPRoute');
export const convertTlsRoutes: Converter = convertL4Routes('TLSRoute');
