// service.PortNameAnalyzer (analyzers/service/portname.go): a Service port whose protocol istiod cannot tell
// from its name or appProtocol (it is then sniffed or treated as TCP); ExternalName services need a real protocol.

import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, specOf, str } from '../context.js';
import { kubePortProtocol } from '../../mesh/services.js';

const MANAGED_GATEWAY = new Set(['istio.io-gateway-controller', 'istio.io-mesh-controller', 'istio.io-eastwest-controller']);

/** util.IsIstioControlPlane: labelled `istio` or `release: istio`. */
export const isIstioControlPlane = (labels: Record<string, string>): boolean => 'istio' in labels || labels.release === 'istio';

export const portNameAnalyzer: Analyzer = {
  name: 'service.PortNameAnalyzer',
  description: 'Checks the port names associated with each service',
  analyze(c) {
    for (const svc of c.all(KINDS.Service)) {
      const labels = labelsOf(svc);
      if (isIstioControlPlane(labels) || MANAGED_GATEWAY.has(labels['gateway.istio.io/managed'])) continue;
      const spec = specOf(svc);
      const externalName = spec.type === 'ExternalName';
      list(spec.ports).forEach((p, i) => {
        const port = record(p);
        const name = str(port.name);
        const protocol = kubePortProtocol(Number(port.port), name, str(port.protocol) || undefined, typeof port.appProtocol === 'string' ? port.appProtocol : undefined);
        if (protocol !== '' && !(name === 'tcp' && externalName)) return;
        const path = `spec.ports[${i}]`;
        if (externalName) {
          c.report(svc, 'ExternalNameServiceTypeInvalidPortName', 'Port name for ExternalName service is invalid: name the port with its protocol (http-, https-, tls-...), else istiod cannot route to it', path);
        } else {
          c.report(svc, 'PortNameIsNotUnderNamingConvention', `Port name ${name} (port: ${port.port}, targetPort: ${port.targetPort ?? ''}) does not follow the naming convention <protocol>[-<suffix>], nor has an appProtocol: istiod sniffs the protocol`, path);
        }
      });
    }
  },
};
