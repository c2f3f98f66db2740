// Which manifests shaped a proxy's config: per xDS kind, the resource kinds that contributed and
// each resource by kind/namespace/name. This is how a reviewer sees why a listener or route exists.

import type { SourceRef } from '../manifests/types.js';
import type { Provenance } from './types.js';

export interface ProvenanceTable {
  /** xDS kind → sorted resource kinds that contributed to it. */
  kinds: Record<keyof Provenance, string[]>;
  /** xDS kind → the resource name → "Kind namespace/name" of each manifest behind it. */
  resources: Record<keyof Provenance, Record<string, string[]>>;
}

const refText = (r: SourceRef): string => `${r.kind} ${r.namespace}/${r.name}`;

// Proxies that share generated resources share their SourceRef arrays too: describe each array once,
// so a mesh of thousands of proxies keeps one copy of each description, not one per proxy.
const describedRefs = new WeakMap<SourceRef[], string[]>();
/** "Kind namespace/name" of each manifest, sorted and unique. */
export function describeSources(refs: SourceRef[]): string[] {
  let text = describedRefs.get(refs);
  if (!text) {
    text = [...new Set(refs.map(refText))].sort();
    describedRefs.set(refs, text);
  }
  return text;
}

export function provenanceTable(provenance: Provenance): ProvenanceTable {
  const kinds = {} as ProvenanceTable['kinds'];
  const resources = {} as ProvenanceTable['resources'];
  for (const xdsKind of Object.keys(provenance).sort() as (keyof Provenance)[]) {
    const byName = provenance[xdsKind];
    kinds[xdsKind] = [...new Set(Object.values(byName).flat().map((r) => r.kind))].sort();
    resources[xdsKind] = Object.fromEntries(
      Object.keys(byName)
        .sort()
        .map((name) => [name, describeSources(byName[name])]),
    );
  }
  return { kinds, resources };
}
