// The difference between two revisions' expectations, by name: expectations and route-test groups
// added, removed, or changed (any field).

import { canonicalJson } from './manifests.js';
import type { ExpectationsDocument } from '../verify/types.js';

export interface ExpectationsDiff {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
}

/** Expectations by name, route-test groups by their name or "routeTests: <proxy> <routeConfig>". */
function entries(doc: ExpectationsDocument | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of doc?.expectations ?? []) out.set(e.name, canonicalJson(e));
  for (const g of doc?.routeTests ?? []) out.set(g.name ?? `routeTests: ${canonicalJson(g.proxy)} ${g.routeConfig}`, canonicalJson(g));
  return out;
}

export function diffExpectations(before: ExpectationsDocument | null, after: ExpectationsDocument | null): ExpectationsDiff {
  const old = entries(before);
  const now = entries(after);
  const diff: ExpectationsDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const [name, value] of now) {
    if (!old.has(name)) diff.added.push(name);
    else if (old.get(name) !== value) diff.changed.push(name);
    else diff.unchanged++;
  }
  for (const name of old.keys()) if (!now.has(name)) diff.removed.push(name);
  return diff;
}
