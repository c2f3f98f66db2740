// gateway.IngressGatewayPortAnalyzer (analyzers/gateway/gateway.go): each Gateway port must be a port (or
// target port) of a Service that selects the Gateway's pods.

import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, selectorString, selects, specOf, str } from '../context.js';

/** A Service port's protocol; the API server's default is TCP. */
export const portProtocol = (p: any): string => str(p?.protocol) || 'TCP';

export const ingressGatewayPortAnalyzer: Analyzer = {
  name: 'gateway.IngressGatewayPortAnalyzer',
  description: "Checks a gateway's ports against the gateway's Kubernetes service ports",
  analyze(c) {
    for (const gw of c.all(KINDS.Gateway)) {
      const selector = record(specOf(gw).selector);
      const servicePorts = new Set<number>();
      const mappedPorts = new Set<number>();
      let pods = 0;
      for (const pod of c.workloadPods()) {
        const podLabels = labelsOf(pod);
        if (!selects(selector, podLabels)) continue;
        pods++;
        for (const svc of c.all(KINDS.Service)) {
          if (svc.metadata.namespace !== pod.metadata.namespace || !selects(record(specOf(svc).selector), podLabels)) continue;
          for (const p of list(specOf(svc).ports)) {
            if (portProtocol(p) !== 'TCP') continue;
            const target = typeof p?.targetPort === 'number' ? p.targetPort : /^\d+$/.test(str(p?.targetPort)) ? Number(p.targetPort) : 0;
            if (target !== 0) {
              servicePorts.add(target);
              mappedPorts.add(Number(p.port));
            } else servicePorts.add(Number(p?.port));
          }
        }
      }
      const sel = selectorString(selector);
      if (pods === 0) {
        c.report(gw, 'ReferencedResourceNotFound', `Referenced selector not found: "${sel}"`, 'spec.selector');
        continue;
      }
      list(specOf(gw).servers).forEach((server, i) => {
        const number = record(server?.port).number;
        if (number === undefined) return;
        if (servicePorts.has(Number(number)) || mappedPorts.has(Number(number))) return;
        c.report(
          gw,
          'GatewayPortNotDefinedOnService',
          `Port ${number} is not defined on any Service selecting the Gateway's workload (selector "${sel}")`,
          `spec.servers[${i}].port.number`,
        );
      });
    }
  },
};
