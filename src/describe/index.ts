// istioctl x describe pod (istioctl/pkg/describe/describe.go) over the mesh index the translation uses:
// the pod's services and ports, the DestinationRule and VirtualService its sidecar applies to each, the
// effective PeerAuthentication, the AuthorizationPolicies selecting it, and the gateways exposing it.
// istioctl reads the pod's live config dump to find the rules; here the index answers the same look-ups
// (SidecarScope, destinationRule, PeerAuthentication composition) the generators make.

import type { MeshIndex, Proxy, Service, ServicePort } from '../mesh/types.js';
import { cmp } from '../mesh/config.js';
import { hostMatches } from '../mesh/hosts.js';
import { destinationRuleFacts, subsetsOf, virtualServiceFacts } from './routes.js';
import type { PodDescription } from './schema.js';

export type { PodDescription } from './schema.js';
export { describeText } from './text.js';

/** findProtocolForPort: an unnamed port is sniffed ("auto-detect"), else Istio's protocol of the port. */
const portProtocol = (p: ServicePort): string => (p.protocol !== '' ? p.protocol : p.name === '' ? 'auto-detect' : 'UnsupportedProtocol');

const targetPortOf = (proxy: Proxy, p: ServicePort): number | null =>
  p.targetPortName !== undefined ? (proxy.containerPorts?.[p.targetPortName] ?? null) : (p.targetPort ?? p.port);

/** The Kubernetes Services selecting the pod, oldest first (those serviceTargets finds). */
function podServices(index: MeshIndex, proxy: Proxy): Service[] {
  const seen = new Set<Service>();
  for (const t of index.serviceTargets(proxy)) if (t.service.registry === 'Kubernetes') seen.add(t.service);
  return [...seen];
}

export function describePod(index: MeshIndex, proxy: Proxy): PodDescription {
  const warnings: string[] = [];
  const services = podServices(index, proxy);
  if (services.length === 0) warnings.push(`No Kubernetes Services select pod ${proxy.name}`);
  const labels = proxy.labels;
  if (!labels['service.istio.io/canonical-name'] && !labels['app.kubernetes.io/name'] && !labels.app) {
    warnings.push('Suggestion: add required service name label for Istio telemetry (app or app.kubernetes.io/name)');
  }
  if (!labels['service.istio.io/canonical-revision'] && !labels['app.kubernetes.io/version'] && !labels.version) {
    warnings.push('Suggestion: add required service revision label for Istio telemetry (version or app.kubernetes.io/version)');
  }
  const scope = index.sidecarScope(proxy);
  const describedServices = services.map((svc) => {
    const dr = index.destinationRule(proxy, svc);
    const subsets = dr ? subsetsOf(dr, labels) : undefined;
    // The VirtualService the pod's own sidecar routes the service's host by: the first visible one (Istio's order).
    const vs = scope.virtualServices.find((v) => (v.spec.hosts ?? []).some((h: string) => hostMatches(h, svc.hostname)));
    return {
      name: svc.name,
      namespace: svc.namespace,
      hostname: svc.hostname,
      ports: svc.ports
        .filter((p) => p.protocol !== 'UDP')
        .map((p) => {
          const targetPort = targetPortOf(proxy, p);
          return {
            name: p.name,
            port: p.port,
            protocol: portProtocol(p),
            targetPort,
            destinationRule: dr ? destinationRuleFacts(dr, labels) : null,
            virtualService: vs ? virtualServiceFacts(vs, svc, subsets) : null,
            mtlsMode: index.mtlsMode(proxy, targetPort ?? p.port),
          };
        }),
    };
  });
  const authz = index.authorizationPolicies(proxy);
  const pa = index.peerAuthentications?.(proxy);
  return {
    pod: {
      name: proxy.name,
      namespace: proxy.namespace,
      proxy: proxy.type,
      revision: labels['istio.io/rev'] ?? 'default',
      ip: proxy.ips[0] ?? '',
      ports: proxy.podPorts ?? [],
      labels,
    },
    services: describedServices,
    peerAuthentication: {
      // A port without a portLevelMtls entry has the workload's mode; 0 is never a port.
      mode: index.mtlsMode(proxy, 0),
      portLevel: (index.mtlsPortLevelPorts?.(proxy) ?? []).map((port) => ({ port, mode: index.mtlsMode(proxy, port) })),
      applied: (pa?.policies ?? []).map((p) => ({ name: p.name, namespace: p.namespace })),
    },
    authorizationPolicies: (['custom', 'deny', 'allow', 'audit'] as const).flatMap((action) =>
      authz[action].map((p) => ({ name: p.name, namespace: p.namespace, action: action.toUpperCase() })),
    ),
    ingress: ingressExposure(index, proxy, services),
    warnings,
  };
}

/**
 * printIngressInfo: for each gateway pod, the Gateways selecting it and their VirtualServices, kept when a
 * rule routes to one of the pod's services; exposed at the gateway Service's address and ports.
 */
function ingressExposure(index: MeshIndex, pod: Proxy, services: Service[]): PodDescription['ingress'] {
  const out = new Map<string, PodDescription['ingress'][number]>();
  for (const gwProxy of index.proxies.filter((p) => p.type === 'router')) {
    const gwServices = [...new Set(index.serviceTargets(gwProxy).map((t) => t.service))];
    for (const gw of index.gatewaysFor(gwProxy)) {
      const servers: any[] = Array.isArray(gw.spec.servers) ? gw.spec.servers : [];
      for (const vs of index.virtualServicesForGateway(gwProxy.namespace, `${gw.namespace}/${gw.name}`)) {
        for (const svc of services) {
          const dr = index.destinationRule(gwProxy, svc);
          const facts = virtualServiceFacts(vs, svc, dr ? subsetsOf(dr, pod.labels) : undefined);
          if (!facts.routes.some((r) => r.reachesPod)) continue;
          const key = `${gw.namespace}/${gw.name} ${vs.namespace}/${vs.name}`;
          const entry = out.get(key);
          if (entry) {
            if (!entry.gatewayPods.includes(`${gwProxy.namespace}/${gwProxy.name}`)) entry.gatewayPods.push(`${gwProxy.namespace}/${gwProxy.name}`);
            continue;
          }
          const front = gwServices[0];
          out.set(key, {
            gateway: { name: gw.name, namespace: gw.namespace },
            gatewayPods: [`${gwProxy.namespace}/${gwProxy.name}`],
            service: front ? { name: front.name, namespace: front.namespace } : null,
            urls: front ? gatewayUrls(front, servers) : [],
            hosts: [...new Set(servers.flatMap((s) => (Array.isArray(s?.hosts) ? s.hosts : []).map((h: string) => (h.includes('/') ? h.split('/')[1] : h))))],
            virtualService: facts,
          });
        }
      }
    }
  }
  return [...out.values()].sort((a, b) => cmp(`${a.gateway.namespace}/${a.gateway.name}`, `${b.gateway.namespace}/${b.gateway.name}`));
}

const SCHEMES: Record<string, string> = { HTTP: 'http', HTTP2: 'http', GRPC: 'http', HTTPS: 'https', TLS: 'tls', TCP: 'tcp' };

/** scheme://address[:port] for each gateway Service port whose target port a Gateway server listens on. */
function gatewayUrls(front: Service, servers: any[]): string[] {
  const address = front.loadBalancerAddresses?.[0] ?? front.address;
  const urls: string[] = [];
  for (const s of servers) {
    const number = Number(s?.port?.number);
    const port = front.ports.find((p) => (p.targetPort ?? p.port) === number) ?? front.ports.find((p) => p.port === number);
    if (!port) continue;
    const scheme = SCHEMES[String(s?.port?.protocol ?? '').toUpperCase()] ?? 'tcp';
    const defaultPort = scheme === 'http' ? 80 : scheme === 'https' ? 443 : -1;
    urls.push(`${scheme}://${address}${port.port === defaultPort ? '' : `:${port.port}`}`);
  }
  return [...new Set(urls)];
}
