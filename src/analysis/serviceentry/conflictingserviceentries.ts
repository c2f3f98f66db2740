// serviceentry.ConflictingServiceEntryProtocolAnalyzer (analyzers/serviceentry/conflictingserviceentries.go):
// ServiceEntries that give one host and port different protocols (visible in a common scope).

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str } from '../context.js';

const fullName = (o: K8sObject) => `${o.metadata.namespace}/${o.metadata.name}`;

export const conflictingServiceEntryProtocolAnalyzer: Analyzer = {
  name: 'serviceentry.ConflictingServiceEntryProtocolAnalyzer',
  description: 'Checks if multiple ServiceEntries define the same host and port with different protocols',
  analyze(c) {
    // "scope host port" → entries
    const index = new Map<string, { scope: string; host: string; port: number; entries: { protocol: string; se: K8sObject }[] }>();
    for (const se of c.all(KINDS.ServiceEntry)) {
      const spec = specOf(se);
      const exportTo = list(spec.exportTo).map(str);
      const scopes = exportTo.length === 0 || exportTo.includes('*') ? ['*'] : [...new Set(exportTo.map((e) => (e === '.' ? se.metadata.namespace : e)))];
      for (const scope of scopes) {
        for (const host of list(spec.hosts).map(str)) {
          for (const p of list(spec.ports)) {
            const port = Number(record(p).number);
            const key = `${scope} ${host} ${port}`;
            if (!index.has(key)) index.set(key, { scope, host, port, entries: [] });
            index.get(key)!.entries.push({ protocol: str(record(p).protocol), se });
          }
        }
      }
    }
    const reported = new Set<string>();
    for (const { scope, host, port, entries: own } of index.values()) {
      const entries = scope === '*' ? own : [...own, ...(index.get(`* ${host} ${port}`)?.entries ?? [])];
      const protocols = [...new Set(entries.map((e) => e.protocol.toUpperCase()))].sort();
      if (protocols.length < 2) continue;
      const names = [...new Set(entries.map((e) => fullName(e.se)))].sort().join(', ');
      for (const { se } of entries) {
        if (reported.has(fullName(se))) continue;
        reported.add(fullName(se));
        c.report(se, 'ConflictingServiceEntryProtocol', `ServiceEntries ${names} define host ${host} port ${port} with different protocols (${protocols.join(', ')}): istiod keeps only one`, 'metadata.name');
      }
    }
  },
};
