// gateway.CertificateAnalyzer (analyzers/gateway/certificate.go): two Gateways on the same workload serving
// one certificate, which makes Envoy pick a filter chain by SNI arbitrarily (and HTTP/2 connection reuse 404s).

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str } from '../context.js';
import { featureFlag } from '../../mesh/features.js';

const fullName = (o: K8sObject) => `${o.metadata.namespace}/${o.metadata.name}`;

function sameCertificate(a: Record<string, any>, b: Record<string, any>): boolean {
  const [ac, bc] = [str(a.credentialName), str(b.credentialName)];
  if (ac && bc) return ac === bc;
  if (ac || bc) return false;
  const [as, bs] = [str(a.serverCertificate), str(b.serverCertificate)];
  const [ak, bk] = [str(a.privateKey), str(b.privateKey)];
  return as !== '' && as === bs && ak !== '' && ak === bk;
}

/** Every key of x is in y with the same value (the analyzer's selectorSubset). */
const selectorSubset = (x: Record<string, any>, y: Record<string, any>): boolean =>
  Object.entries(x).every(([k, v]) => k in y && y[k] === v);

export const certificateAnalyzer: Analyzer = {
  name: 'gateway.CertificateAnalyzer',
  description: 'Checks a gateway certificate',
  analyze(c) {
    const scopeToNamespace = featureFlag(c.features, 'PILOT_SCOPE_GATEWAY_TO_NAMESPACE');
    for (const gw of c.all(KINDS.Gateway)) {
      const selector = record(specOf(gw).selector);
      for (const other of c.all(KINDS.Gateway)) {
        if (other === gw || (scopeToNamespace && other.metadata.namespace !== gw.metadata.namespace)) continue;
        if (Object.keys(selector).length > 0 && !selectorSubset(selector, record(specOf(other).selector))) continue;
        for (const server of list(specOf(gw).servers)) {
          for (const otherServer of list(specOf(other).servers)) {
            if (!server?.tls || !otherServer?.tls || !sameCertificate(record(server.tls), record(otherServer.tls))) continue;
            c.report(gw, 'GatewayDuplicateCertificate', `Duplicate certificate in gateways ${fullName(gw)}, ${fullName(other)}: the same certificate on one workload makes connection reuse send requests to the wrong gateway (404)`, 'metadata.name');
          }
        }
      }
    }
  },
};
