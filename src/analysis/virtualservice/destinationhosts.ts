// virtualservice.DestinationHostAnalyzer (analyzers/virtualservice/destinationhosts.go): route and mirror
// hosts must be services (Kubernetes or ServiceEntry) visible to the VirtualService, with the port named
// when the service has several; and a gateway route without subset to a host that mesh VirtualServices
// split by subset is not affected by those rules (IST0140).

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str, type AnalysisContext } from '../context.js';
import { destinationHost, serviceEntryHosts, type DestinationService } from '../util/hosts.js';
import { mirrorDestinations, routeDestinations, type AnnotatedDestination } from './util.js';

function checkPorts(c: AnalysisContext, vs: K8sObject, d: AnnotatedDestination, s: DestinationService): void {
  const host = str(d.destination.host);
  const port = d.destination.port;
  if (port === undefined || port === null) {
    if (s.ports.length > 1) {
      c.report(vs, 'VirtualServiceDestinationPortSelectorRequired', `This VirtualService routes to a service "${host}" that exposes multiple ports [${s.ports.map((p) => p.number).join(' ')}]: the destination must say which port`, d.path);
    }
    return;
  }
  const number = Number(record(port).number ?? 0);
  if (!s.ports.some((p) => p.number === number)) {
    c.report(vs, 'ReferencedResourceNotFound', `Referenced host:port not found: "${host}:${number}"`, `${d.path}.port`);
  }
}

export const destinationHostAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationHostAnalyzer',
  description: 'Checks the destination hosts associated with each virtual service',
  analyze(c) {
    const hosts = serviceEntryHosts(c);
    // initVirtualServiceDestinations: by host, the VirtualServices that route it by subset as one of their
    // own hosts (once per such destination).
    const subsetRouting = new Map<string, K8sObject[]>();
    for (const vs of c.all(KINDS.VirtualService)) {
      const own = list(specOf(vs).hosts).map(str);
      for (const d of list(specOf(vs).http).flatMap((r) => list(record(r).route).map((rd) => record(record(rd).destination)))) {
        if (str(d.subset) === '' || !own.includes(str(d.host))) continue;
        const routing = subsetRouting.get(str(d.host));
        if (routing) routing.push(vs);
        else subsetRouting.set(str(d.host), [vs]);
      }
    }
    for (const vs of c.all(KINDS.VirtualService)) {
      const exportTo = list(specOf(vs).exportTo).map(str);
      for (const d of routeDestinations(vs)) {
        const s = destinationHost(vs.metadata.namespace, exportTo, str(d.destination.host), hosts);
        if (!s) c.report(vs, 'ReferencedResourceNotFound', `Referenced host not found: "${str(d.destination.host)}"`, `${d.path}.host`);
        else checkPorts(c, vs, d, s);
      }
      for (const d of mirrorDestinations(vs)) {
        const s = destinationHost(vs.metadata.namespace, exportTo, str(d.destination.host), hosts);
        if (!s) c.report(vs, 'ReferencedResourceNotFound', `Referenced mirror host not found: "${str(d.destination.host)}"`, `${d.path}.host`);
        else checkPorts(c, vs, d, s);
      }
      if (list(specOf(vs).gateways).length === 0) continue;
      list(specOf(vs).http).forEach((r, i) => {
        list(record(r).route).forEach((rd, j) => {
          const dest = record(record(rd).destination);
          if (str(dest.subset) !== '') return;
          for (const other of subsetRouting.get(str(dest.host)) ?? []) {
            const otherName = `${other.metadata.namespace}/${other.metadata.name}`;
            c.report(vs, 'IngressRouteRulesNotAffected', `Subset routing of VirtualService ${otherName} has no effect on ingress traffic through VirtualService ${vs.metadata.namespace}/${vs.metadata.name}, which routes to the host without a subset`, `spec.http[${i}].route[${j}].destination.host`);
          }
        });
      });
    }
  },
};
