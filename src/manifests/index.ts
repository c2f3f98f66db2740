// The manifest stage: multi-document YAML (or an array of objects) in, typed Kubernetes
// objects out, with every problem found listed by document, object and field path.

import { parseAllDocuments, type Tags } from 'yaml';
import type { K8sObject, ManifestLimits, ManifestProblem, ParsedManifests } from './types.js';

export type { ManifestLimits, ManifestProblem, ParsedManifests } from './types.js';

export const DEFAULT_LIMITS: ManifestLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxDocuments: 20000,
  maxAliasCount: 100,
  maxDepth: 64,
};

/** Kinds without a namespace: they keep namespace "" instead of "default". */
const CLUSTER_SCOPED = new Set(['v1/Namespace']);

// kubectl reads YAML with go-yaml (YAML 1.1: `on`/`yes` are booleans, 0777 is octal) but keeps
// unquoted timestamps as strings, so the 1.1 schema is used without its timestamp tag.
const withoutTimestamp = (tags: Tags): Tags =>
  tags.filter((t) => (typeof t === 'string' ? t !== 'timestamp' : t.tag !== 'tag:yaml.org,2002:timestamp'));

export function parseManifests(input: string | unknown[], limits: Partial<ManifestLimits> = {}): ParsedManifests {
  const lim: ManifestLimits = { ...DEFAULT_LIMITS, ...limits };
  const problems: ManifestProblem[] = [];
  const documents = typeof input === 'string' ? readYaml(input, lim, problems) : readArray(input, lim, problems);
  const objects: K8sObject[] = [];
  for (const { index, value } of documents) collectObjects(value, index, objects, problems);
  return { objects, problems };
}

interface InputDocument {
  index: number;
  value: unknown;
}

const fatal = (message: string, document = -1): ManifestProblem => ({ document, path: '', message, severity: 'error' });

function readYaml(text: string, lim: ManifestLimits, problems: ManifestProblem[]): InputDocument[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > lim.maxBytes) {
    problems.push(fatal(`input is ${bytes} bytes, more than the limit of ${lim.maxBytes}`));
    return [];
  }
  const docs = parseAllDocuments(text, { version: '1.1', customTags: withoutTimestamp });
  // parseAllDocuments returns an EmptyStream (an array) for input without documents.
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > lim.maxDocuments) {
    problems.push(fatal(`input has ${list.length} documents, more than the limit of ${lim.maxDocuments}`));
    return [];
  }
  const out: InputDocument[] = [];
  list.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const at = e.linePos?.[0];
        const where = at ? `line ${at.line}, column ${at.col}` : `offset ${e.pos[0]}`;
        problems.push(fatal(`YAML syntax error in document ${index} at ${where}: ${firstLine(e.message)}`, index));
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: lim.maxAliasCount });
    } catch (e) {
      problems.push(fatal(`document ${index}: ${(e as Error).message}`, index));
      return;
    }
    if (value !== null && value !== undefined) out.push({ index, value });
  });
  return out;
}

function readArray(items: unknown[], lim: ManifestLimits, problems: ManifestProblem[]): InputDocument[] {
  if (items.length > lim.maxDocuments) {
    problems.push(fatal(`input has ${items.length} objects, more than the limit of ${lim.maxDocuments}`));
    return [];
  }
  // Copied so that defaulting never changes the caller's objects.
  return items.flatMap((value, index) => (value === null || value === undefined ? [] : [{ index, value: structuredClone(value) }]));
}

const firstLine = (s: string): string => s.split('\n', 1)[0];

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function collectObjects(value: unknown, document: number, objects: K8sObject[], problems: ManifestProblem[]): void {
  if (!isObject(value)) {
    problems.push(fatal(`document ${document} is not an object`, document));
    return;
  }
  if (value.kind === 'List' && value.apiVersion === 'v1') {
    const items = value.items ?? [];
    if (!Array.isArray(items)) {
      problems.push({ document, kind: 'List', path: 'items', message: 'items must be a list', severity: 'error' });
      return;
    }
    items.forEach((item, i) => {
      if (isObject(item)) collectObject(item, document, `items[${i}].`, objects, problems);
      else problems.push({ document, kind: 'List', path: `items[${i}]`, message: 'list item is not an object', severity: 'error' });
    });
    return;
  }
  collectObject(value, document, '', objects, problems);
}

function collectObject(
  obj: Record<string, any>,
  document: number,
  prefix: string,
  objects: K8sObject[],
  problems: ManifestProblem[],
): void {
  const missing = (['apiVersion', 'kind'] as const).filter((f) => typeof obj[f] !== 'string' || obj[f] === '');
  if (!isObject(obj.metadata) || typeof obj.metadata.name !== 'string' || obj.metadata.name === '') missing.push('metadata.name' as never);
  if (missing.length > 0) {
    for (const field of missing) {
      problems.push({
        document,
        kind: typeof obj.kind === 'string' ? obj.kind : undefined,
        path: prefix + field,
        message: `${field} is required`,
        severity: 'error',
      });
    }
    return;
  }
  const clusterScoped = CLUSTER_SCOPED.has(`${obj.apiVersion}/${obj.kind}`);
  const namespace = clusterScoped ? '' : obj.metadata.namespace || 'default';
  objects.push({ ...obj, metadata: { ...obj.metadata, namespace } } as K8sObject);
}
