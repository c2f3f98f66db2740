// serviceentry.Analyzer (analyzers/serviceentry/protocoladdresses.go): a TCP (or protocol-less) port of a
// ServiceEntry without addresses, when no DNS auto-allocation gives it one, catches all traffic to its port.

import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str } from '../context.js';

export const protocolAddressesAnalyzer: Analyzer = {
  name: 'serviceentry.Analyzer',
  description: 'Checks the validity of ServiceEntry',
  analyze(c) {
    const metadata = record(record(c.mesh.defaultConfig).proxyMetadata);
    const autoAllocated =
      metadata.ISTIO_META_DNS_CAPTURE === 'true' &&
      (metadata.ISTIO_META_DNS_AUTO_ALLOCATE === 'true' || metadata.PILOT_ENABLE_IP_AUTOALLOCATE === 'true');
    for (const se of c.all(KINDS.ServiceEntry)) {
      const spec = specOf(se);
      if (spec.addresses !== undefined && spec.addresses !== null) continue;
      if (list(record(se.status).addresses).length > 0 || autoAllocated) continue;
      list(spec.ports).forEach((p, i) => {
        const protocol = str(record(p).protocol);
        if (protocol !== '' && protocol.toUpperCase() !== 'TCP') return;
        c.report(se, 'ServiceEntryAddressesRequired', 'ServiceEntry addresses are required for this protocol: without them the port catches all TCP traffic to it', `spec.ports[${i}]`);
      });
    }
  },
};
