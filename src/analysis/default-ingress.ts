// The ingress gateway `istioctl analyze` assumes offline (istioctl/pkg/analyze: AddDefaultResources, from
// pkg/config/analysis/local defaultIstioIngressGateway): a pod labelled istio=ingressgateway and its Service
// in the Istio namespace, so Gateways selecting the default ingress resolve. Left out when meshConfig turns
// the ingress controller off.

import type { K8sObject } from '../manifests/types.js';
import type { MeshConfig } from '../mesh/types.js';

const ISTIO_NAMESPACE = 'istio-system';

export function defaultIngressResources(objects: K8sObject[], mesh: MeshConfig): K8sObject[] {
  if (mesh.ingressControllerMode === 'OFF') return [];
  const service = String(mesh.ingressService || 'istio-ingressgateway');
  const exists = (kind: string, name: string) =>
    objects.some((o) => o.kind === kind && o.apiVersion === 'v1' && o.metadata.namespace === ISTIO_NAMESPACE && o.metadata.name === name);
  const labels = { istio: 'ingressgateway' };
  const pod: K8sObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${service}-dummypod`, namespace: ISTIO_NAMESPACE, labels },
    spec: { containers: [{ name: 'istio-proxy', image: 'proxyv2' }] },
  };
  const port = (name: string, number: number) => ({ name, port: number, targetPort: number, protocol: 'TCP' });
  const svc: K8sObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service, namespace: ISTIO_NAMESPACE },
    spec: { selector: labels, ports: [port('http2', 80), port('https', 443), port('tcp', 31400), port('tls', 15443)] },
  };
  return [...(exists('Pod', pod.metadata.name) ? [] : [pod]), ...(exists('Service', service) ? [] : [svc])];
}
