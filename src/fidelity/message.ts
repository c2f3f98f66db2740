// meshplan's own messages (MPL codes), placed like istioctl analyze's (document, field path): one builder for the
// fidelity, EnvoyFilter and Telemetry ones.

import type { AnalysisMessage } from '../analysis/context.js';
import { MESHPLAN_MESSAGE_TYPES, type MeshplanMessageName } from '../analysis/messages.js';
import type { K8sObject } from '../manifests/types.js';

/** Where each input object is: its document (objects derived from others, e.g. mirrored slices, have none). */
export type DocumentOf = (o: K8sObject) => number | undefined;

/** One of meshplan's own messages about a resource, placed (field path, document) where that is known. */
export function meshplanMessageAbout(
  type: MeshplanMessageName,
  resource: AnalysisMessage['resource'],
  message: string,
  place: { path?: string; document?: number } = {},
): AnalysisMessage {
  const { code, level } = MESHPLAN_MESSAGE_TYPES[type];
  return {
    code,
    name: type,
    level,
    resource,
    ...(place.path ? { path: place.path } : {}),
    ...(place.document !== undefined ? { document: place.document } : {}),
    message,
  };
}

export function meshplanMessage(type: MeshplanMessageName, object: K8sObject, message: string, path: string | undefined, documentOf: DocumentOf): AnalysisMessage {
  const resource = { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
  return meshplanMessageAbout(type, resource, message, { path, document: documentOf(object) });
}
