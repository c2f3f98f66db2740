// The destinations of a VirtualService as its analyzers walk them (analyzers/virtualservice/util.go).

import type { K8sObject } from '../../manifests/types.js';
import { list, record, specOf } from '../context.js';

export interface AnnotatedDestination {
  /** "tcp", "tls", "http", "http.mirror" or "http.mirrors". */
  rule: string;
  destination: Record<string, any>;
  /** Field path of the destination. */
  path: string;
}

/** getRouteDestinations: route destinations of tcp, then tls, then http rules. */
export function routeDestinations(vs: K8sObject): AnnotatedDestination[] {
  const spec = specOf(vs);
  const out: AnnotatedDestination[] = [];
  for (const rule of ['tcp', 'tls', 'http'] as const) {
    list(spec[rule]).forEach((r, i) => {
      list(record(r).route).forEach((rd, j) => {
        out.push({ rule, destination: record(record(rd).destination), path: `spec.${rule}[${i}].route[${j}].destination` });
      });
    });
  }
  return out;
}

/** getHTTPMirrorDestinations: http[].mirror and http[].mirrors[].destination. */
export function mirrorDestinations(vs: K8sObject): AnnotatedDestination[] {
  const out: AnnotatedDestination[] = [];
  list(specOf(vs).http).forEach((r, i) => {
    if (record(r).mirror) out.push({ rule: 'http.mirror', destination: record(record(r).mirror), path: `spec.http[${i}].mirror` });
    list(record(r).mirrors).forEach((m, j) => {
      out.push({ rule: 'http.mirrors', destination: record(record(m).destination), path: `spec.http[${i}].mirrors[${j}].destination` });
    });
  });
  return out;
}
