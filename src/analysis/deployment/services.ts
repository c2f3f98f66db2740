// deployment.MultiServiceAnalyzer (analyzers/deployment/services.go): a mesh Deployment selected by several
// Services that use one port with different protocols (IST0116), or one target port for different ports (IST0137).

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, specOf, str } from '../context.js';
import { deploymentInMesh } from '../util/in-mesh.js';
import { SelectorIndex } from '../util/selectors.js';

/** The Services of a Deployment's namespace with a selector that matches its pod template's labels. */
function matchingServices(servicesByNamespace: Map<string, SelectorIndex<K8sObject>>, d: K8sObject): K8sObject[] {
  const podLabels = record(record(record(specOf(d).template).metadata).labels);
  return servicesByNamespace.get(d.metadata.namespace)?.selecting(podLabels) ?? [];
}

const fullName = (o: K8sObject) => `${o.metadata.namespace}/${o.metadata.name}`;

export const multiServiceAnalyzer: Analyzer = {
  name: 'deployment.MultiServiceAnalyzer',
  description: 'Checks association between services and pods',
  analyze(c) {
    // Services without a selector select no Deployment here.
    const withSelector = new Map<string, K8sObject[]>();
    for (const svc of c.all(KINDS.Service)) {
      if (Object.keys(record(specOf(svc).selector)).length === 0) continue;
      const list = withSelector.get(svc.metadata.namespace);
      if (list) list.push(svc);
      else withSelector.set(svc.metadata.namespace, [svc]);
    }
    const servicesByNamespace = new Map([...withSelector].map(([ns, services]) => [ns, new SelectorIndex(services, (svc) => record(specOf(svc).selector))]));
    for (const d of c.all(KINDS.Deployment)) {
      if (labelsOf(d)['gateway.istio.io/managed'] === 'istio.io-mesh-controller' || !deploymentInMesh(c, d)) continue;
      const services = matchingServices(servicesByNamespace, d);
      // port → protocol → services
      const byPort = new Map<number, Map<string, string[]>>();
      // target port → port → service
      const byTarget = new Map<string, Map<number, string>>();
      for (const svc of services) {
        for (const p of list(specOf(svc).ports).map(record)) {
          const port = Number(p.port);
          const protocol = str(p.protocol) || 'TCP';
          if (!byPort.has(port)) byPort.set(port, new Map());
          const protocols = byPort.get(port)!;
          protocols.set(protocol, [...(protocols.get(protocol) ?? []), fullName(svc)]);
          const target = p.targetPort === undefined || p.targetPort === null || String(p.targetPort) === '0' || String(p.targetPort) === '' ? String(port) : String(p.targetPort);
          if (!byTarget.has(target)) byTarget.set(target, new Map());
          byTarget.get(target)!.set(port, fullName(svc));
        }
      }
      for (const [port, protocols] of byPort) {
        if (protocols.size <= 1) continue;
        const names = [...protocols.values()].flat().sort();
        c.report(d, 'DeploymentAssociatedToMultipleServices', `This deployment ${d.metadata.name} is associated with multiple services using port ${port} but different protocols: ${names.join(', ')}`, 'metadata.name');
      }
      for (const [target, ports] of byTarget) {
        if (ports.size <= 1) continue;
        const names = [...ports.values()].sort();
        const numbers = [...ports.keys()].sort((a, b) => a - b);
        c.report(d, 'DeploymentConflictingPorts', `This deployment ${d.metadata.name} is associated with services ${names.join(', ')} that use target port ${target} for different ports ${numbers.join(', ')}`, 'metadata.name');
      }
    }
  },
};
