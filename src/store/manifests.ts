// Manifests are checked before anything is stored: errors reject the request, warnings
// (kinds the engine does not use, unknown fields) are kept and returned.

import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { parseManifests } from '../manifests/index.js';
import { requestProblem, type K8sObject, type ManifestProblem } from '../manifests/types.js';
import { ValidationError } from './errors.js';

export interface CheckedManifests {
  /** The YAML text as sent; an array sent as JSON is kept as YAML documents. */
  text: string;
  objects: K8sObject[];
  warnings: ManifestProblem[];
}

export function checkManifests(resources: unknown): CheckedManifests {
  if (typeof resources !== 'string' && !Array.isArray(resources)) {
    throw new ValidationError('resources must be a YAML string or an array of objects', [
      requestProblem('resources', 'must be a YAML string or an array of objects'),
    ]);
  }
  const { objects, problems } = parseManifests(resources);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new ValidationError(`${errors.length} problem(s) in resources`, problems);
  const text = typeof resources === 'string' ? resources : resources.map((doc) => stringify(doc)).join('---\n');
  return { text, objects, warnings: problems.filter((p) => p.severity === 'warning') };
}

/**
 * A check of manifests made apart from their write (in an engine thread, src/api/app wiring): the objects
 * as JSON text, so that neither the thread's answer nor the write walks them on the event loop again.
 */
export type ManifestCheck = { ok: true; text: string; objectsJson: string; warnings: ManifestProblem[] } | { ok: false; problems: ManifestProblem[] };

export function checkManifestsApart(resources: unknown): ManifestCheck {
  try {
    const { text, objects, warnings } = checkManifests(resources);
    return { ok: true, text, objectsJson: JSON.stringify(objects), warnings };
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false, problems: e.problems };
    throw e;
  }
}

/** JSON with object keys sorted, so equal content hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v,
  );
}

/** Expectations count only when there are some, so revisions without them keep their hash. */
export const contentHash = (text: string, mesh: unknown, options: unknown, expectations?: unknown): string =>
  createHash('sha256')
    .update(canonicalJson({ manifests: text, mesh, options, ...(expectations ? { expectations } : {}) }))
    .digest('hex');
