// One meshplan message about an input object, placed like istioctl analyze's (document, field path).

import type { AnalysisMessage } from '../analysis/context.js';
import { MESHPLAN_MESSAGE_TYPES, type MeshplanMessageName } from '../analysis/messages.js';
import type { K8sObject } from '../manifests/types.js';

/** Where each input object is: its document (objects derived from others, e.g. mirrored slices, have none). */
export type DocumentOf = (o: K8sObject) => number | undefined;

export function meshplanMessage(type: MeshplanMessageName, object: K8sObject, message: string, path: string | undefined, documentOf: DocumentOf): AnalysisMessage {
  const { code, level } = MESHPLAN_MESSAGE_TYPES[type];
  const document = documentOf(object);
  return {
    code,
    name: type,
    level,
    resource: { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name },
    ...(path ? { path } : {}),
    ...(document !== undefined ? { document } : {}),
    message,
  };
}
