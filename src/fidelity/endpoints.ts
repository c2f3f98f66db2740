// Says where each Kubernetes Service's endpoints came from when the input is not what istiod reads
// (EndpointSlices): Endpoints without slices, and slice endpoints naming pods the input lacks.
// The decision itself is src/mesh/endpointslices.ts; this only explains it.

import type { AnalysisMessage } from '../analysis/context.js';
import type { K8sObject } from '../manifests/types.js';
import { endpointObjectsByService, endpointSourceOf, sliceAddresses } from '../mesh/endpointslices.js';
import type { MeshIndex } from '../mesh/types.js';
import { meshplanMessage, type DocumentOf } from './message.js';

const ISTIOD_READS = 'istiod reads only EndpointSlices (discovery.k8s.io/v1)';

export function endpointMessages(objects: K8sObject[], index: MeshIndex, documentOf: DocumentOf): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  const byService = endpointObjectsByService(objects);
  const services = new Map(index.services.filter((s) => s.registry === 'Kubernetes').map((s) => [`${s.namespace}/${s.name}`, s]));
  for (const [key, objs] of byService) {
    const svc = services.get(key);
    const [namespace, name] = key.split('/');
    if (!svc) {
      for (const o of [...objs.slices, ...(objs.endpoints ? [objs.endpoints] : [])]) {
        out.push(meshplanMessage('EndpointsWithoutSlices', o, `no Service ${namespace}/${name} in the input: these endpoints belong to no service meshplan knows, and reach no proxy`, undefined, documentOf));
      }
      continue;
    }
    const source = endpointSourceOf(svc, objs);
    const ep = objs.endpoints;
    if (ep && source.from === 'selector') {
      const pods = new Set(svc.ports.flatMap((p) => index.endpoints(svc, p)).map((e) => e.pod).filter(Boolean)).size;
      out.push(meshplanMessage('EndpointsWithoutSlices', ep, `Endpoints without EndpointSlices: ${ISTIOD_READS}, which Kubernetes writes for a Service with a selector from the pods it selects; meshplan does the same and takes Service ${name}'s endpoints from the ${pods} pod(s) of the input it selects, not from these Endpoints`, undefined, documentOf));
    } else if (ep && source.from === 'mirrored') {
      out.push(meshplanMessage('EndpointsWithoutSlices', ep, `Endpoints without EndpointSlices: ${ISTIOD_READS}, which Kubernetes mirrors from the Endpoints of a Service without a selector; meshplan reads these Endpoints as those slices (notReadyAddresses count as terminating and are left out, as istiod does)`, undefined, documentOf));
    } else if (ep && source.from === 'none') {
      out.push(meshplanMessage('EndpointsWithoutSlices', ep, `Endpoints without EndpointSlices, labelled endpointslice.kubernetes.io/skip-mirror: Kubernetes makes no slices of them and ${ISTIOD_READS}, so Service ${name} has no endpoints`, 'metadata.labels', documentOf));
    }
    if ('slices' in source) {
      for (const a of sliceAddresses(source.slices, index.hasPod).withoutPod) {
        if (a.health === 'terminating') continue;
        // A mirrored slice is the Endpoints' own: the message goes there (its addresses are not at the slice's paths).
        const mirrored = source.from === 'mirrored';
        const on = mirrored ? source.endpoints : a.slice;
        out.push(meshplanMessage('EndpointPodNotFound', on, `endpoint ${a.address} names Pod ${a.targetPod}, which the input does not have: istiod leaves it out until it knows the pod`, mirrored ? undefined : `${a.path}.targetRef`, documentOf));
      }
    }
  }
  return out;
}

