// destinationrule.CaCertificateAnalyzer (analyzers/destinationrule/ca-certificates.go): TLS SIMPLE or MUTUAL
// to a destination without caCertificates does not verify the server's certificate.

import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str } from '../context.js';

const verifying = (tls: Record<string, any>, hasWorkloadSelector: boolean): boolean =>
  str(tls.caCertificates) !== '' || (str(tls.credentialName) !== '' && hasWorkloadSelector);

export const caCertificateAnalyzer: Analyzer = {
  name: 'destinationrule.CaCertificateAnalyzer',
  description: 'Checks if caCertificates is set when TLS mode is SIMPLE/MUTUAL',
  analyze(c) {
    for (const dr of c.all(KINDS.DestinationRule)) {
      const spec = specOf(dr);
      const name = `${dr.metadata.namespace}/${dr.metadata.name}`;
      const hasSelector = spec.workloadSelector !== undefined && spec.workloadSelector !== null;
      const policy = record(spec.trafficPolicy);
      const tls = record(policy.tls);
      const mode = str(tls.mode);
      if ((mode === 'SIMPLE' || mode === 'MUTUAL') && !verifying(tls, hasSelector)) {
        c.report(dr, 'NoServerCertificateVerificationDestinationLevel',
          `DestinationRule ${name} in namespace ${dr.metadata.namespace} has TLS mode ${mode} without caCertificates: the certificate of ${str(spec.host)} is not verified`,
          'spec.trafficPolicy.tls.caCertificates');
      }
      list(policy.portLevelSettings).forEach((p, i) => {
        const ptls = record(p?.tls);
        const pmode = str(ptls.mode);
        if ((pmode === 'SIMPLE' || pmode === 'MUTUAL') && !verifying(ptls, hasSelector)) {
          c.report(dr, 'NoServerCertificateVerificationPortLevel',
            `DestinationRule ${name} in namespace ${dr.metadata.namespace} has TLS mode ${pmode} without caCertificates on port ${JSON.stringify(record(p?.port))}: the certificate of ${str(spec.host)} is not verified`,
            `spec.trafficPolicy.portLevelSettings[${i}].tls.caCertificates`);
        }
      });
    }
  },
};
