// meshplan's own analysis messages (codes MPL…): where its answer reads the input differently from a
// cluster's control plane or leaves part of it out, said by name instead of as a silent difference.
// They come with translate, trace and describe answers, after istioctl analyze's messages.

import type { AnalysisMessage } from '../analysis/context.js';
import type { K8sObject, ParsedManifests } from '../manifests/types.js';
import type { MeshIndex } from '../mesh/types.js';
import { endpointMessages } from './endpoints.js';
import { unhonouredFieldMessages } from './unhonoured.js';

export function fidelityMessages(parsed: ParsedManifests, index: MeshIndex): AnalysisMessage[] {
  const documents = new Map<K8sObject, number>(parsed.objects.map((o, i) => [o, parsed.documents[i]]));
  const documentOf = (o: K8sObject) => documents.get(o);
  return [...unhonouredFieldMessages(parsed.objects, documentOf), ...endpointMessages(parsed.objects, index, documentOf)];
}
