// The mesh index: istiod's PushContext for one scenario. Built once from the manifests, then read
// by every xDS generator for every proxy, so per-proxy work never rescans the input.
// This is the one place that knows Kubernetes and Istio semantics of visibility and precedence.

import type { K8sObject, SourceRef } from '../manifests/types.js';
import type { EngineOptions, ProxyType } from '../contract.js';
import type { AuthorizationPolicies } from './security-policies.js';
import type { EnvoyFilterPatch } from './envoyfilters.js';

/** Istio's protocol names (pkg/config/protocol). "" = unsupported/auto (sniffed). */
export type Protocol =
  | 'HTTP' | 'HTTP2' | 'HTTP_PROXY' | 'GRPC' | 'GRPC-Web' | 'HTTPS' | 'TLS' | 'TCP'
  | 'Mongo' | 'Redis' | 'MySQL' | 'UDP' | '';

/** How a listener treats a port: pilot/pkg/networking ListenerProtocol. */
export type ListenerClass = 'HTTP' | 'TCP' | 'AUTO' | 'UNKNOWN';

export type Resolution = 'ClientSideLB' | 'DNSLB' | 'DNSRoundRobinLB' | 'Passthrough' | 'Alias';

export interface ServicePort {
  name: string;
  port: number;
  protocol: Protocol;
  /** Kubernetes targetPort when numeric; SE targetPort; undefined when named/absent. */
  targetPort?: number;
  /** Named targetPort, resolved per pod from container ports. */
  targetPortName?: string;
}

export interface Service {
  /** FQDN, e.g. reviews.default.svc.cluster.local, or the SE host as written. */
  hostname: string;
  name: string;
  namespace: string;
  /** ClusterIP / SE address; "0.0.0.0" when none. */
  address: string;
  /** All addresses (SE may list several, incl. CIDRs). */
  addresses: string[];
  ports: ServicePort[];
  resolution: Resolution;
  meshExternal: boolean;
  /** Namespaces it is exported to: "*" (all), "~" (none) or names; "." already resolved. */
  exportTo: string[];
  labels: Record<string, string>;
  /** Selector of the pods/workload entries backing it; undefined = no selector. */
  selector?: Record<string, string>;
  /** ExternalName target (resolution "Alias"). */
  externalName?: string;
  /** Other hosts that alias to this service (ExternalName services pointing at it). */
  aliases: string[];
  registry: 'Kubernetes' | 'External';
  /** Creation order for Istio's oldest-first tie breaks (creationTimestamp, then input order). */
  creation: number;
  /** The manifests that produced this service. */
  sources: SourceRef[];
  /** SE subjectAltNames. */
  subjectAltNames?: string[];
  /** A LoadBalancer Service's external addresses (status.loadBalancer.ingress), as a cluster dump has them. */
  loadBalancerAddresses?: string[];
  /** 240.240.x.y given to an address-less SE host for DNS-capturing proxies (serviceentry/auto_allocation.go). */
  autoAllocatedAddress?: string;
}

export type TlsMode = 'istio' | 'disabled';

/** One endpoint of a service port (istiod's IstioEndpoint). */
export interface Endpoint {
  address: string;
  /** Port the endpoint listens on (target port). */
  port: number;
  servicePortName: string;
  labels: Record<string, string>;
  tlsMode: TlsMode;
  namespace: string;
  serviceAccount?: string;
  /** Owning workload name (Deployment) or pod name; SE name for DNS hostnames. */
  workloadName: string;
  locality?: { region?: string; zone?: string; subZone?: string };
  healthy: boolean;
  weight: number;
  /** "namespace/name" of the pod, when the endpoint is a pod. */
  pod?: string;
  /** Hostname endpoints (SE DNS with no IP). */
  hostname?: boolean;
  sources: SourceRef[];
}

/** A proxy as istiod sees it (model.Proxy). */
export interface Proxy {
  type: ProxyType;
  /** Istio node id: type~ip~name.namespace~namespace.svc.<domain>. */
  id: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ips: string[];
  metadata: Record<string, unknown>;
  /** "namespace/name" of the pod it stands for, if any. */
  pod?: string;
  /** Container ports of the pod (name → port), for named targetPorts. */
  containerPorts?: Record<string, number>;
  /** Every container port of the pod, with its container. */
  podPorts?: { port: number; protocol: string; container: string }[];
  serviceAccount?: string;
  /** Owning workload (Deployment) name, the injector's fallback canonical service. */
  workloadName?: string;
}

/** An Istio config object with the hosts/gateways in it already resolved to FQDNs. */
export interface IstioConfig<Spec = any> {
  name: string;
  namespace: string;
  spec: Spec;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  creation: number;
  source: SourceRef;
  /** The original object, for provenance and metadata (config path). */
  object: K8sObject;
  /** DestinationRules merged into this one (same host and scope), this one first. */
  mergedFrom?: SourceRef[];
}

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/** A service port of the proxy's own workload: what its inbound listeners serve (model.ServiceTarget). */
export interface ServiceTarget {
  service: Service;
  port: ServicePort;
  /** The port the workload listens on. */
  targetPort: number;
}

/** What a sidecar proxy can see (model.SidecarScope). */
export interface SidecarScope {
  /** The Sidecar resource in force, if any. */
  sidecar?: IstioConfig;
  /** One entry per egress listener; the default scope has one with hosts ["*\/*"]. */
  egress: {
    port?: { number: number; protocol?: string; name?: string };
    bind?: string;
    captureMode?: string;
    hosts: string[];
    services: Service[];
    virtualServices: IstioConfig[];
  }[];
  /** All services visible to the proxy, deduplicated, sorted by hostname. */
  services: Service[];
  /** All virtual services visible to the proxy for gateway "mesh", in Istio's order. */
  virtualServices: IstioConfig[];
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
}

/** MeshConfig after merging the overrides over istiod's defaults. */
export interface MeshConfig {
  rootNamespace: string;
  trustDomain: string;
  enableAutoMtls: boolean;
  outboundTrafficPolicy: { mode: 'ALLOW_ANY' | 'REGISTRY_ONLY' };
  connectTimeout: string;
  defaultHttpRetryPolicy?: Record<string, unknown>;
  enableTracing: boolean;
  [field: string]: unknown;
}

export interface MeshIndex {
  mesh: MeshConfig;
  options: Required<EngineOptions>;
  /** Every service, sorted by hostname then namespace. */
  services: Service[];
  /** Services by hostname (several namespaces may define one host). */
  servicesByHost: Map<string, Service[]>;
  /** Proxies the mesh has: sidecar-injected pods and gateway pods, sorted by namespace/name. */
  proxies: Proxy[];
  /** Warnings collected while indexing (unsupported fields, dropped config). */
  warnings: string[];

  /** Endpoints of a service port (by port name), sorted by address then port. */
  endpoints(service: Service, port: ServicePort): Endpoint[];
  /** Whether the mesh has a pod "namespace/name" (given, or stood for by a Deployment). */
  hasPod(pod: string): boolean;
  /** The pod or workload owning an IP, to continue a trace on the next proxy. */
  proxyByIp(ip: string): Proxy | undefined;
  /** Build a proxy for an ad-hoc description (type, namespace, labels, ips, metadata). */
  makeProxy(desc: { type: ProxyType; namespace: string; labels: Record<string, string>; ips: string[]; metadata: Record<string, unknown>; name?: string }): Proxy;

  sidecarScope(proxy: Proxy): SidecarScope;
  /** The services of the proxy's own workload (inbound). */
  serviceTargets(proxy: Proxy): ServiceTarget[];
  /** Gateways whose selector matches a router proxy, oldest first. */
  gatewaysFor(proxy: Proxy): IstioConfig[];
  /** Virtual services bound to gateway "ns/name" visible from namespace proxyNs, Istio's order. */
  virtualServicesForGateway(proxyNs: string, gateway: string): IstioConfig[];
  /** The merged DestinationRule for a host as seen by a proxy (with merged subsets), if any. */
  destinationRule(proxy: Proxy, service: Service): IstioConfig | undefined;
  /** Proxies of one namespace with equal keys get the same destinationRule() for every service (workload selectors). */
  destinationRuleSelectorKey?(proxy: Proxy): string;
  /** Effective mTLS mode of the proxy's workload on a port (PeerAuthentication + portLevelMtls). */
  mtlsMode(proxy: Proxy, port: number): MtlsMode;
  /** Ports with a portLevelMtls entry in the workload's PeerAuthentication (sorted); for per-port passthrough chains. */
  mtlsPortLevelPorts?(proxy: Proxy): number[];
  /** The same for any workload (for endpoints: their pod's labels and namespace). */
  workloadMtlsMode(namespace: string, labels: Record<string, string>, port: number): MtlsMode;
  /** Istio's BestEffortInferServiceMTLSMode for a service (auto mTLS on the client side). */
  serviceMtlsMode(service: Service, port: number): MtlsMode;
  /** The PeerAuthentications that shape a proxy's inbound mTLS, and the one that set the mode of a port. */
  peerAuthentications?(proxy: Proxy, port?: number): { policies: IstioConfig[]; modeFrom?: IstioConfig };
  /** AuthorizationPolicies that apply to a proxy, by action, root namespace first, oldest first. */
  authorizationPolicies(proxy: Proxy): AuthorizationPolicies;
  /** RequestAuthentications that apply to a proxy, root namespace first, oldest first. */
  requestAuthentications(proxy: Proxy): IstioConfig[];
  /** EnvoyFilter patches that apply to a proxy, in the order istiod applies them. */
  envoyFilters?(proxy: Proxy): EnvoyFilterPatch[];
  /** Telemetry resources that apply to a proxy: root namespace-wide, namespace-wide, then workload ones (later override). */
  telemetries?(proxy: Proxy): IstioConfig[];
}

/** The manifests behind a config: itself, or all that were merged into it (DestinationRules, delegates). */
export const configSources = (c: IstioConfig): SourceRef[] => c.mergedFrom ?? [c.source];
