// Kubernetes Services and ServiceEntries → Istio services
// (pilot/pkg/serviceregistry/kube/conversion.go, serviceentry/conversion.go, pkg/config/kube/conversion.go).

import type { K8sObject } from '../manifests/types.js';
import { isPortNumber } from '../util/ports.js';
import { sourceRef } from '../manifests/types.js';
import type { Protocol, Resolution, Service, ServicePort } from './types.js';

/** The Kubernetes registry's domain suffix: Services are always `<name>.<ns>.svc.cluster.local`. */
export const KUBE_DOMAIN = 'cluster.local';
export const UNSPECIFIED_IP = '0.0.0.0';

const PROTOCOLS: Record<string, Protocol> = {
  tcp: 'TCP', udp: 'UDP', grpc: 'GRPC', 'grpc-web': 'GRPC-Web', http: 'HTTP', http_proxy: 'HTTP_PROXY',
  http2: 'HTTP2', https: 'HTTPS', tls: 'TLS', mongo: 'Mongo', redis: 'Redis', mysql: 'MySQL',
};

/** protocol.Parse: case-insensitive name, else unsupported (""). */
export const parseProtocol = (name: string | undefined): Protocol => PROTOCOLS[(name ?? '').toLowerCase()] ?? '';

/** Ports where an unnamed Kubernetes port is TCP: SMTP, DNS, MySQL, MongoDB. */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);

/** kube.ConvertProtocol: UDP, then appProtocol or the port name's prefix, else TCP on well-known ports. */
export function kubePortProtocol(port: number, name: string, k8sProtocol?: string, appProtocol?: string): Protocol {
  if (k8sProtocol === 'UDP') return 'UDP';
  let n = name ?? '';
  if (appProtocol !== undefined) {
    if (appProtocol === 'kubernetes.io/h2c') return 'HTTP2';
    if (appProtocol === 'kubernetes.io/ws') return 'HTTP';
    if (appProtocol === 'kubernetes.io/wss') return 'HTTPS';
    n = appProtocol;
  }
  if (n.toLowerCase().startsWith('grpc-web')) return 'GRPC-Web';
  const dash = n.indexOf('-');
  const p = parseProtocol(dash >= 0 ? n.slice(0, dash) : n);
  return p === '' && WELL_KNOWN_TCP_PORTS.has(port) ? 'TCP' : p;
}

const splitExportTo = (raw: string | undefined): string[] | undefined =>
  raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;

/** Resolve "." to the owning namespace; default (absent) is public. */
export function normalizeExportTo(exportTo: string[] | undefined, namespace: string): string[] {
  if (!exportTo || exportTo.length === 0) return ['*'];
  return [...new Set(exportTo.map((e) => (e === '.' ? namespace : e)))].sort();
}

/** IsServiceVisible / exportTo check for config in namespace `owner` seen from `ns`. */
export function exportedTo(exportTo: string[], ns: string): boolean {
  if (exportTo.includes('*')) return true;
  if (exportTo.includes('~')) return false;
  return exportTo.includes(ns);
}

export function kubeService(obj: K8sObject, creation: number): Service {
  const spec = obj.spec ?? {};
  const name = obj.metadata.name;
  const namespace = obj.metadata.namespace;
  let resolution: Resolution = 'ClientSideLB';
  let externalName: string | undefined;
  if (spec.type === 'ExternalName' && spec.externalName) {
    externalName = String(spec.externalName);
    resolution = 'Alias';
  }
  let addresses = [UNSPECIFIED_IP];
  if (spec.clusterIP === 'None') resolution = 'Passthrough';
  else if (spec.clusterIP) {
    addresses = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 1 ? spec.clusterIPs.map(String) : [String(spec.clusterIP)];
  }
  // A port without a valid number (already reported by the schema check) is one an API server refuses:
  // istiod never sees it, and no cluster or listener can be named after it.
  const ports: ServicePort[] = (spec.ports ?? []).filter((p: any) => isPortNumber(Number(p?.port))).map((p: any) => {
    const port = Number(p.port);
    const sp: ServicePort = { name: p.name ?? '', port, protocol: kubePortProtocol(port, p.name ?? '', p.protocol, p.appProtocol) };
    if (typeof p.targetPort === 'string' && !/^\d+$/.test(p.targetPort)) sp.targetPortName = p.targetPort;
    else sp.targetPort = p.targetPort !== undefined ? Number(p.targetPort) : port;
    return sp;
  });
  const annotations = obj.metadata.annotations ?? {};
  return {
    hostname: `${name}.${namespace}.svc.${KUBE_DOMAIN}`,
    name,
    namespace,
    address: addresses[0],
    addresses,
    ports,
    resolution,
    meshExternal: externalName !== undefined,
    exportTo: normalizeExportTo(splitExportTo(annotations['networking.istio.io/exportTo']), namespace),
    labels: obj.metadata.labels ?? {},
    selector: spec.selector && Object.keys(spec.selector).length > 0 ? { ...spec.selector } : undefined,
    externalName,
    aliases: [],
    registry: 'Kubernetes',
    creation,
    sources: [sourceRef(obj)],
    ...loadBalancerAddresses(obj),
  };
}

/** status.loadBalancer.ingress of a cluster dump's LoadBalancer Service: IPs, else hostnames. */
function loadBalancerAddresses(obj: K8sObject): { loadBalancerAddresses?: string[] } {
  const ingress: any[] = Array.isArray(obj.status?.loadBalancer?.ingress) ? obj.status.loadBalancer.ingress : [];
  const addresses = ingress.map((i) => i?.ip ?? i?.hostname).filter((a): a is string => typeof a === 'string' && a !== '');
  return addresses.length > 0 ? { loadBalancerAddresses: addresses } : {};
}

const SE_RESOLUTION: Record<string, Resolution> = {
  NONE: 'Passthrough', STATIC: 'ClientSideLB', DNS: 'DNSLB', DNS_ROUND_ROBIN: 'DNSRoundRobinLB', DYNAMIC_DNS: 'DNSLB',
};

/** One service per host; addresses given as /32 (or /128) become plain IPs. */
export function serviceEntryServices(obj: K8sObject, creation: number): Service[] {
  const spec = obj.spec ?? {};
  const namespace = obj.metadata.namespace;
  const resolution = SE_RESOLUTION[spec.resolution ?? 'NONE'] ?? 'Passthrough';
  const ports: ServicePort[] = (spec.ports ?? []).filter((p: any) => isPortNumber(Number(p?.number))).map((p: any) => {
    const sp: ServicePort = { name: p.name ?? '', port: Number(p.number), protocol: parseProtocol(p.protocol) };
    if (p.targetPort) sp.targetPort = Number(p.targetPort);
    return sp;
  });
  // Only a full-length prefix names one IP: an IPv6 /32 is a range.
  const addresses: string[] = (spec.addresses ?? []).map((a: string) =>
    a.includes(':') ? a.replace(/\/128$/, '') : a.replace(/\/32$/, ''),
  );
  const all = addresses.length > 0 ? addresses : [UNSPECIFIED_IP];
  const selector = spec.workloadSelector?.labels;
  return (spec.hosts ?? []).map((host: string) => ({
    hostname: host,
    name: host,
    namespace,
    address: all[0],
    addresses: all,
    ports,
    resolution,
    meshExternal: spec.location === 'MESH_EXTERNAL',
    exportTo: normalizeExportTo(spec.exportTo, namespace),
    labels: obj.metadata.labels ?? {},
    selector: selector && Object.keys(selector).length > 0 ? { ...selector } : undefined,
    aliases: [],
    registry: 'External' as const,
    creation,
    sources: [sourceRef(obj)],
    subjectAltNames: spec.subjectAltNames ? [...spec.subjectAltNames] : undefined,
  }));
}

/** resolveServiceAliases: each ExternalName service (transitively) adds its host to its target's aliases. */
export function resolveAliases(services: Service[]): void {
  const aliasTarget = new Map<string, string>();
  for (const s of services) if (s.resolution === 'Alias' && s.externalName) aliasTarget.set(s.hostname, s.externalName);
  for (const [alias, first] of aliasTarget) {
    let target = first;
    const seen = new Set([alias, target]);
    while (aliasTarget.has(target)) {
      target = aliasTarget.get(target)!;
      if (seen.has(target)) break;
      seen.add(target);
    }
    for (const s of services) {
      if (s.hostname === target && s.resolution !== 'Alias' && !s.aliases.includes(alias)) {
        s.aliases.push(alias);
        s.aliases.sort();
      }
    }
  }
}
