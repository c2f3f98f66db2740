// buildMeshIndex: istiod's PushContext for one scenario (pilot/pkg/model/push_context.go).
// Everything is computed from the objects alone and sorted, so output never depends on map order.

import type { EngineOptions, MeshConfigInput } from '../contract.js';
import type { K8sObject } from '../manifests/types.js';
import { cmp, creationRanks, resolveVirtualService, toIstioConfig } from './config.js';
import { labelsMatch, resolveShortname } from './hosts.js';
import { resolveMeshConfig, resolveOptions } from './meshconfig.js';
import { DestinationRuleIndex, PeerAuthenticationIndex } from './policies.js';
import { EnvoyFilterIndex } from './envoyfilters.js';
import { TelemetryIndex } from './telemetries.js';
import { SecurityPolicyIndex, bucketByAction } from './security-policies.js';
import { gatewayScope, indexVirtualServices, scopeContentKey, sidecarScope, virtualServicesForGateway } from './scope.js';
import { autoAllocateAddresses } from './auto-allocation.js';
import { withDerivedIstioConfig } from './convert/index.js';
import { mergeDelegates } from './delegate.js';
import { KUBE_DOMAIN, kubeService, resolveAliases, serviceEntryServices } from './services.js';
import { buildEndpoints, buildWorkloads, type Workload } from './workloads.js';
import type { Endpoint, IstioConfig, MeshIndex, MtlsMode, Proxy, Service, ServicePort, ServiceTarget, SidecarScope } from './types.js';
import { featureFlag } from './features.js';
import { ObjectMemo } from './reuse.js';

export { KUBE_DOMAIN } from './services.js';

/** The Istio node id (model.Proxy.ID as the agent sends it): sidecar~10.1.0.5~name.ns~ns.svc.cluster.local. */
const nodeId = (type: string, ip: string, name: string, namespace: string, domain: string): string =>
  `${type}~${ip}~${name}.${namespace}~${namespace}.svc.${domain}`;

// Each frozen input object's conversion, for the next revision (reuse.ts). A Service's aliases and
// auto-allocated address are its index's own (resolveAliases and autoAllocateAddresses set them).
const serviceMemo = new ObjectMemo<readonly Service[]>();
const configMemo = new ObjectMemo<IstioConfig>();

const reusedServices = (o: K8sObject, deps: readonly unknown[], convert: () => Service[]): Service[] =>
  serviceMemo.get(o, deps, convert).map((s) => ({ ...s, aliases: [] }));

export function buildMeshIndex(input: K8sObject[], meshInput: MeshConfigInput, engineOptions: EngineOptions): MeshIndex {
  const mesh = resolveMeshConfig(meshInput);
  const options = resolveOptions(engineOptions);
  const warnings: string[] = [];
  const objects = withDerivedIstioConfig(input, { mesh, options, warnings });
  const domain = options.configDomain;
  const rootNs = mesh.rootNamespace;
  const ranks = creationRanks(objects);
  const rank = (o: K8sObject) => ranks.get(o)!;
  const byKind = new Map<string, K8sObject[]>();
  for (const o of objects) {
    const list = byKind.get(o.kind);
    if (list) list.push(o);
    else byKind.set(o.kind, [o]);
  }
  const ofKind = (kind: string): K8sObject[] => byKind.get(kind) ?? [];

  // Services: Kubernetes first in each creation rank (SortServicesByCreationTime breaks ties by hostname).
  const serviceEntryServiceList = ofKind('ServiceEntry').flatMap((o) => reusedServices(o, [rank(o)], () => serviceEntryServices(o, rank(o))));
  // The legacy allocator runs only when the newer IP auto-allocation controller is switched off.
  if (!featureFlag(options.features, 'PILOT_ENABLE_IP_AUTOALLOCATE')) autoAllocateAddresses(serviceEntryServiceList);
  const services: Service[] = [...ofKind('Service').flatMap((o) => reusedServices(o, [rank(o)], () => [kubeService(o, rank(o))])), ...serviceEntryServiceList];
  resolveAliases(services);
  const servicesByCreation = [...services].sort((a, b) => a.creation - b.creation || cmp(a.hostname, b.hostname) || cmp(a.namespace, b.namespace));
  services.sort((a, b) => cmp(a.hostname, b.hostname) || cmp(a.namespace, b.namespace));
  const servicesByHost = new Map<string, Service[]>();
  for (const s of services) servicesByHost.set(s.hostname, [...(servicesByHost.get(s.hostname) ?? []), s]);

  const workloads = buildWorkloads(objects);
  const endpointsByPort = buildEndpoints(services, workloads, objects);

  const configs = (kind: string, spec?: (o: K8sObject) => any): IstioConfig[] =>
    ofKind(kind)
      .map((o) => configMemo.get(o, [rank(o), domain], () => toIstioConfig(o, rank(o), spec ? spec(o) : undefined)))
      .sort((a, b) => a.creation - b.creation);
  // A VirtualService without hosts is a delegate: used only through a root's http[].delegate, merged in here.
  const allVirtualServices = configs('VirtualService', (o) => resolveVirtualService(o.spec ?? {}, o.metadata.namespace, domain));
  const delegates = new Map(allVirtualServices.filter((vs) => !vs.spec.hosts?.length).map((vs) => [`${vs.namespace}/${vs.name}`, vs]));
  const virtualServices = allVirtualServices
    .filter((vs) => vs.spec.hosts?.length)
    .map((vs) => mergeDelegates(vs, (namespace, name) => delegates.get(`${namespace}/${name}`), warnings));
  const destinationRules = configs('DestinationRule', (o) => ({ ...(o.spec ?? {}), host: resolveShortname(o.spec?.host ?? '', o.metadata.namespace, domain) }));
  const gateways = configs('Gateway');
  const sidecars = configs('Sidecar');
  const peerAuthentications = configs('PeerAuthentication');
  const selectorPolicyOnGateways = featureFlag(options.features, 'ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY');
  const authzIndex = new SecurityPolicyIndex(configs('AuthorizationPolicy'), rootNs, selectorPolicyOnGateways);
  const jwtIndex = new SecurityPolicyIndex(configs('RequestAuthentication'), rootNs, selectorPolicyOnGateways);
  const envoyFilterIndex = new EnvoyFilterIndex(configs('EnvoyFilter'), rootNs, selectorPolicyOnGateways);
  const telemetryIndex = new TelemetryIndex(configs('Telemetry'), rootNs, selectorPolicyOnGateways);

  const vsIndex = indexVirtualServices(virtualServices);
  const drIndex = new DestinationRuleIndex(destinationRules, rootNs);
  const paIndex = new PeerAuthenticationIndex(peerAuthentications, rootNs);
  const servicesByCreationAndHost = new Map<string, Service[]>();
  for (const s of servicesByCreation) {
    const list = servicesByCreationAndHost.get(s.hostname);
    if (list) list.push(s);
    else servicesByCreationAndHost.set(s.hostname, [s]);
  }
  const scopeInputs = { servicesByCreation, servicesByCreationAndHost, vsIndex, outboundMode: mesh.outboundTrafficPolicy?.mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' as const : 'ALLOW_ANY' as const };

  const workloadProxy = (w: Workload): Proxy => {
    const containerPorts = w.kind === 'Pod' ? w.namedPorts : undefined;
    return {
      type: w.proxyType ?? 'sidecar',
      id: nodeId(w.proxyType ?? 'sidecar', w.ip, w.name, w.namespace, KUBE_DOMAIN),
      name: w.name,
      namespace: w.namespace,
      labels: w.labels,
      ips: [w.ip],
      metadata: {},
      pod: w.kind === 'Pod' ? `${w.namespace}/${w.name}` : undefined,
      containerPorts,
      ...(w.podPorts ? { podPorts: w.podPorts } : {}),
      serviceAccount: w.serviceAccount || undefined,
      workloadName: w.workloadName,
    };
  };
  const proxies = workloads
    .filter((w) => w.kind === 'Pod' && w.proxyType)
    .map(workloadProxy)
    .sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  const podByName = new Map<string, Workload>();
  for (const w of workloads) if (w.kind === 'Pod' && !podByName.has(`${w.namespace}/${w.name}`)) podByName.set(`${w.namespace}/${w.name}`, w);
  /** Kubernetes services of each namespace, oldest first (GetProxyServiceTargets' candidates). */
  const kubeServicesByNamespace = new Map<string, Service[]>();
  for (const s of servicesByCreation) {
    if (s.registry !== 'Kubernetes') continue;
    const list = kubeServicesByNamespace.get(s.namespace);
    if (list) list.push(s);
    else kubeServicesByNamespace.set(s.namespace, [s]);
  }
  const podByIp = new Map<string, Workload>();
  const entryByIp = new Map<string, Workload>();
  for (const w of workloads) {
    const m = w.kind === 'Pod' ? podByIp : entryByIp;
    if (!m.has(w.ip)) m.set(w.ip, w);
  }

  const endpoints = (service: Service, port: ServicePort): Endpoint[] =>
    endpointsByPort(`${service.namespace}/${service.hostname}/${port.name}`) ?? [];

  const makeProxy: MeshIndex['makeProxy'] = (desc) => {
    const ip = desc.ips[0] ?? '';
    const pod = podByIp.get(ip);
    const samePod = pod && pod.namespace === desc.namespace ? pod : undefined;
    const name = desc.name ?? samePod?.name ?? (desc.labels.app || desc.type);
    return {
      type: desc.type,
      id: nodeId(desc.type, ip, name, desc.namespace, KUBE_DOMAIN),
      name,
      namespace: desc.namespace,
      labels: desc.labels,
      ips: desc.ips,
      metadata: desc.metadata,
      pod: samePod ? `${samePod.namespace}/${samePod.name}` : undefined,
      containerPorts: samePod?.namedPorts,
      serviceAccount: samePod?.serviceAccount,
    };
  };

  const proxyByIp = (ip: string): Proxy | undefined => {
    const pod = podByIp.get(ip);
    if (pod) return pod.proxyType ? proxies.find((p) => p.pod === `${pod.namespace}/${pod.name}`) : undefined;
    const entry = entryByIp.get(ip);
    return entry?.proxyType ? workloadProxy(entry) : undefined;
  };

  const scopeCache = new Map<string, SidecarScope>();
  /** Scopes by scopeContentKey: namespaces that see the same objects share one scope. */
  const scopesByContent = new Map<string, SidecarScope>();
  const scopeFor = (proxy: Proxy): SidecarScope => {
    let sidecar: IstioConfig | undefined;
    if (proxy.type === 'sidecar') {
      const inNs = sidecars.filter((s) => s.namespace === proxy.namespace);
      const hasSelector = (s: IstioConfig) => Object.keys(s.spec.workloadSelector?.labels ?? {}).length > 0;
      sidecar =
        inNs.find((s) => hasSelector(s) && labelsMatch(s.spec.workloadSelector.labels, proxy.labels)) ??
        inNs.find((s) => !hasSelector(s)) ??
        sidecars.find((s) => s.namespace === rootNs && !hasSelector(s));
    }
    const key = `${proxy.type}/${proxy.namespace}/${sidecar ? `${sidecar.namespace}/${sidecar.name}` : ''}`;
    let scope = scopeCache.get(key);
    if (!scope) {
      const built = proxy.type === 'router' ? gatewayScope(scopeInputs, proxy.namespace) : sidecarScope(scopeInputs, proxy.namespace, sidecar);
      const contentKey = `${proxy.type}|${scopeContentKey(built, proxy.namespace)}`;
      scope = scopesByContent.get(contentKey) ?? built;
      scopesByContent.set(contentKey, scope);
      scopeCache.set(key, scope);
    }
    return scope;
  };

  const serviceTargets = (proxy: Proxy): ServiceTarget[] => [...kubeServiceTargets(proxy), ...serviceEntryTargets(proxy)];

  /** Kubernetes registry GetProxyServiceTargets: WorkloadEntry by IP, else the pod, else the proxy's labels. */
  const kubeServiceTargets = (proxy: Proxy): ServiceTarget[] => {
    const ip = proxy.ips[0];
    if (ip === undefined) return [];
    const entry = entryByIp.get(ip);
    const pod = proxy.pod ? podByName.get(proxy.pod) : podByIp.get(ip);
    const kubeIn = (ns: string, labels: Record<string, string>) =>
      (kubeServicesByNamespace.get(ns) ?? []).filter((s) => s.selector && labelsMatch(s.selector, labels));
    const targets = (svcs: Service[], portOf: (s: Service, p: ServicePort) => number | undefined) =>
      svcs.flatMap((s) => {
        const seen = new Set<string>();
        const out: ServiceTarget[] = [];
        for (const p of s.ports) {
          const targetPort = portOf(s, p);
          if (!targetPort || seen.has(`${targetPort}/${p.protocol}`)) continue;
          seen.add(`${targetPort}/${p.protocol}`);
          out.push({ service: s, port: p, targetPort });
        }
        return out;
      });
    if (entry) {
      return targets(
        kubeIn(entry.namespace, entry.labels).filter((s) => s.resolution === 'ClientSideLB'),
        (_s, p) => (p.protocol === 'UDP' ? undefined : p.targetPortName !== undefined ? entry.namedPorts[p.targetPortName] ?? p.port : p.targetPort ?? p.port),
      );
    }
    if (pod) return targets(kubeIn(pod.namespace, pod.labels), (_s, p) => (p.targetPortName !== undefined ? pod.namedPorts[p.targetPortName] : p.targetPort ?? p.port));
    if (Object.keys(proxy.labels).length === 0) return [];
    return targets(kubeIn(proxy.namespace, proxy.labels), (_s, p) =>
      p.targetPortName !== undefined ? proxy.containerPorts?.[p.targetPortName] : p.targetPort ?? p.port,
    );
  };

  /** ServiceEntry registry: the proxy's IPs among the entries' endpoints, same namespace. */
  const serviceEntryTargets = (proxy: Proxy): ServiceTarget[] => {
    const out: ServiceTarget[] = [];
    for (const s of servicesByCreation) {
      if (s.registry !== 'External' || s.namespace !== proxy.namespace) continue;
      for (const p of s.ports) {
        for (const ep of endpoints(s, p)) if (proxy.ips.includes(ep.address)) out.push({ service: s, port: p, targetPort: ep.port });
      }
    }
    return out;
  };

  const gatewaysFor = (proxy: Proxy): IstioConfig[] =>
    proxy.type !== 'router'
      ? []
      : gateways.filter(
          (g) =>
            labelsMatch(g.spec.selector ?? {}, proxy.labels) &&
            (!featureFlag(options.features, 'PILOT_SCOPE_GATEWAY_TO_NAMESPACE') || g.namespace === proxy.namespace),
        );

  // Composed per namespace and labels object: every endpoint of a workload shares its labels object.
  const composedByLabels = new Map<string, WeakMap<Record<string, string>, ReturnType<PeerAuthenticationIndex['compose']>>>();
  const workloadMtlsMode = (namespace: string, labels: Record<string, string>, port: number): MtlsMode => {
    let byLabels = composedByLabels.get(namespace);
    if (!byLabels) composedByLabels.set(namespace, (byLabels = new WeakMap()));
    let composed = byLabels.get(labels);
    if (!composed) byLabels.set(labels, (composed = paIndex.compose(namespace, labels)));
    return composed.perPort.get(port) ?? composed.mode;
  };

  return {
    mesh,
    options,
    services,
    servicesByHost,
    proxies,
    warnings,
    endpoints,
    hasPod: (pod) => podByName.has(pod),
    proxyByIp,
    makeProxy,
    sidecarScope: scopeFor,
    serviceTargets,
    gatewaysFor,
    virtualServicesForGateway: (proxyNs, gateway) => virtualServicesForGateway(vsIndex, proxyNs, gateway),
    destinationRule: (proxy, service) => drIndex.forWorkload(proxy.namespace, proxy.labels, service.hostname, service.namespace),
    destinationRuleSelectorKey: (proxy) => drIndex.selectorKey(proxy.namespace, proxy.labels),
    mtlsMode: (proxy, port) => workloadMtlsMode(proxy.namespace, proxy.labels, port),
    workloadMtlsMode,
    mtlsPortLevelPorts: (proxy) => [...paIndex.compose(proxy.namespace, proxy.labels).perPort.keys()].sort((a, b) => a - b),
    serviceMtlsMode: (service, port) => {
      if (service.meshExternal) return 'DISABLE';
      if (service.resolution === 'Passthrough') {
        const eps = service.ports.filter((p) => p.port === port).flatMap((p) => endpoints(service, p));
        if (eps.length === 0 || eps.some((e) => e.tlsMode !== 'istio')) return 'DISABLE';
      }
      return paIndex.namespaceMode(service.namespace) ?? 'PERMISSIVE';
    },
    peerAuthentications: (proxy, port) => {
      const c = paIndex.compose(proxy.namespace, proxy.labels);
      return { policies: c.policies, modeFrom: port !== undefined && c.perPort.has(port) ? c.perPortFrom : c.modeFrom };
    },
    authorizationPolicies: (proxy) => bucketByAction(authzIndex.forProxy(proxy)),
    requestAuthentications: (proxy) => jwtIndex.forProxy(proxy),
    envoyFilters: (proxy) => (envoyFilterIndex.empty ? [] : envoyFilterIndex.forProxy(proxy)),
    telemetries: (proxy) => (telemetryIndex.empty ? [] : telemetryIndex.forProxy(proxy)),
  };
}

