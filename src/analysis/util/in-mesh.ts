// Whether a workload is in the mesh, as the analyzers tell it (analyzers/util/in_mesh.go): an istio-proxy
// container with an image, else the sidecar.istio.io/inject label or annotation, else the namespace's
// istio-injection label.

import type { K8sObject } from '../../manifests/types.js';
import { KINDS, labelsOf, list, record, str, type AnalysisContext } from '../context.js';

const INJECT = 'sidecar.istio.io/inject';

export const hasIstioProxy = (containers: any[]): boolean =>
  str(containers.map(record).find((c) => c.name === 'istio-proxy')?.image) !== '';

function inMesh(c: AnalysisContext, annotations: Record<string, string>, labels: Record<string, string>, namespace: string, containers: any[]): boolean {
  if (hasIstioProxy(containers)) return true;
  if (INJECT in labels) return labels[INJECT] === 'true';
  if (INJECT in annotations) return annotations[INJECT] === 'true';
  const ns = c.find(KINDS.Namespace, '', namespace);
  return ns ? labelsOf(ns)['istio-injection'] === 'enabled' : false;
}

export function deploymentInMesh(c: AnalysisContext, d: K8sObject): boolean {
  const template = record(record(d.spec).template);
  const meta = record(template.metadata);
  return inMesh(c, record(meta.annotations), record(meta.labels), d.metadata.namespace, list(record(template.spec).containers));
}

export function podInMesh(c: AnalysisContext, p: K8sObject): boolean {
  const spec = record(p.spec);
  return inMesh(c, record(p.metadata.annotations), labelsOf(p), p.metadata.namespace, [...list(spec.containers), ...list(spec.initContainers)]);
}
