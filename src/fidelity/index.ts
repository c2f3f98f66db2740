// meshplan's own analysis messages (codes MPL…): where its answer reads the input differently from a
// cluster's control plane or leaves part of it out, said by name instead of as a silent difference.
// They come with translate, trace and describe answers, after istioctl analyze's messages.

import type { AnalysisMessage } from '../analysis/context.js';
import type { K8sObject, ParsedManifests } from '../manifests/types.js';
import type { MeshIndex } from '../mesh/types.js';
import { endpointMessages } from './endpoints.js';
import { unhonouredFieldMessages } from './unhonoured.js';
import { meshConfigMapMessages } from './meshconfig.js';

export function fidelityMessages(parsed: ParsedManifests, index: MeshIndex): AnalysisMessage[] {
  // Built when the first message is placed: most inputs have none.
  let documents: Map<K8sObject, number> | undefined;
  const documentOf = (o: K8sObject) => {
    documents ??= new Map([...parsed.objects.map((o, i): [K8sObject, number] => [o, parsed.documents[i]]), ...parsed.ignored.map((e): [K8sObject, number] => [e.object, e.document])]);
    return documents.get(o);
  };
  return [
    ...unhonouredFieldMessages(parsed.objects, documentOf),
    ...endpointMessages(parsed.objects, index, documentOf),
    ...meshConfigMapMessages(parsed.ignored.map((e) => e.object), documentOf),
  ];
}
