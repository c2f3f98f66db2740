// A cluster dump carries istiod's mesh config as the `istio` ConfigMap of its namespace (key `mesh`;
// `istio-<revision>` for a revision). meshplan takes the mesh config from the request's `mesh`, never from
// the input, so a dumped one is said, not silently left out.

import type { AnalysisMessage } from '../analysis/context.js';
import type { K8sObject } from '../manifests/types.js';
import { meshplanMessage, type DocumentOf } from './message.js';

const MESH_CONFIGMAP = /^istio(-[a-z0-9-]+)?$/;

export function meshConfigMapMessages(ignored: K8sObject[], documentOf: DocumentOf): AnalysisMessage[] {
  return ignored
    .filter((o) => o.kind === 'ConfigMap' && o.apiVersion === 'v1' && MESH_CONFIGMAP.test(o.metadata.name) && typeof o.data?.mesh === 'string')
    .map((o) =>
      meshplanMessage(
        'MeshConfigMapNotRead',
        o,
        `ConfigMap ${o.metadata.namespace}/${o.metadata.name} holds istiod's mesh config, which meshplan does not read from the input: give its data.mesh, as JSON, as the request's mesh (the command line's --mesh) for the translation to use it`,
        'data.mesh',
        documentOf,
      ),
    );
}
