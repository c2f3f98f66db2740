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
  return (['tcp', 'tls', 'http'] as const).flatMap((rule) =>
    list(spec[rule]).flatMap((r, i) =>
      list(record(r).route).map((rd, j) => ({ rule, destination: record(record(rd).destination), path: `spec.${rule}[${i}].route[${j}].destination` })),
    ),
  );
}

/** getHTTPMirrorDestinations: http[].mirror and http[].mirrors[].destination. */
export function mirrorDestinations(vs: K8sObject): AnnotatedDestination[] {
  return list(specOf(vs).http).flatMap((r, i) => [
    ...(record(r).mirror ? [{ rule: 'http.mirror', destination: record(record(r).mirror), path: `spec.http[${i}].mirror` }] : []),
    ...list(record(r).mirrors).map((m, j) => ({ rule: 'http.mirrors', destination: record(record(m).destination), path: `spec.http[${i}].mirrors[${j}].destination` })),
  ]);
}
