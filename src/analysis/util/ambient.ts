// Ambient mode as the analyzers tell it (analyzers/util/in_mesh.go PodInAmbientMode, NamespaceInAmbientMode).

import type { K8sObject } from '../../manifests/types.js';
import { annotationsOf, labelsOf } from '../context.js';

export const podInAmbientMode = (pod: K8sObject | undefined): boolean =>
  pod !== undefined && annotationsOf(pod)['ambient.istio.io/redirection'] === 'enabled';

export function namespaceInAmbientMode(ns: K8sObject | undefined): boolean {
  if (!ns) return false;
  const labels = labelsOf(ns);
  if (labels['istio-injection'] === 'enabled' || labels['istio.io/rev']) return false;
  return labels['istio.io/dataplane-mode'] === 'ambient';
}
