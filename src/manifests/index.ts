// The manifest stage: multi-document YAML (or an array of objects) in, typed Kubernetes
// objects out, with every problem found listed by document, object and field path.

import { binaryTag, loadAll, omapTag, pairsTag, Schema, setTag, timestampTag, YAML11_SCHEMA, YAMLException } from 'js-yaml';
import { parseAllDocuments, type Tags } from 'yaml';
import { fastReadAll, type PlainTree } from './fast-yaml.js';
import { deepFreeze } from '../util/freeze.js';
import { inputLimitProblems, objectLimitProblems, type LocatedObject } from './limits.js';
import { checkObject, isSupportedKind } from './schemas.js';
import { textProblems } from '../util/text.js';
import { KindMap } from '../util/kind-map.js';
import { LIMITS } from '../limits.js';
import { COLLECTION_KEY_MESSAGE, collectionKeyAt } from '../util/yaml-keys.js';
import { isValidatedKind, validateIstioObject } from '../validation/index.js';
import { apiGroup, type K8sObject, type ManifestLimits, type ManifestProblem, type ParsedManifests } from './types.js';

export type { ManifestLimits, ManifestProblem, ParsedManifests } from './types.js';

export const DEFAULT_LIMITS: ManifestLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxDocuments: 20000,
  maxAliasCount: 100,
  maxDepth: 100,
};

/** Kinds without a namespace: they keep namespace "" instead of "default". */
const CLUSTER_SCOPED = new KindMap<true>([
  ['v1', 'Namespace', true],
  ['v1', 'Node', true],
  ['gateway.networking.k8s.io/v1', 'GatewayClass', true],
  ['gateway.networking.k8s.io/v1beta1', 'GatewayClass', true],
]);
/** Kinds without a namespace among those meshplan does not translate (istioctl analyze reads them). */
const CLUSTER_SCOPED_KINDS = new Set([
  'Node', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ClusterRole', 'ClusterRoleBinding', 'GatewayClass', 'StorageClass', 'PersistentVolume', 'PriorityClass',
]);

// kubectl reads YAML with go-yaml (YAML 1.1: `on`/`yes` are booleans, 0777 is octal) but keeps
// unquoted timestamps as strings, so both parsers use the 1.1 schema without its timestamp tag.
//
// Two parsers: js-yaml is several times faster (a 2 MB mesh in about 0.2 s against 1.5 s), and is
// used for input without aliases. The `yaml` package is used when js-yaml refuses the input: it
// bounds alias expansion by the size it produces (js-yaml only counts aliases, and shares the
// aliased objects, so a "billion laughs" passes its count), and it lists every syntax error with
// its document, where js-yaml stops at the first.
//
// Tags that make something JSON cannot carry (!!set, !!omap, !!pairs, !!binary) would reach the store
// changed, and unknown tags are dropped silently by both parsers: all are refused with their line.
const NOT_JSON = [timestampTag, setTag, omapTag, pairsTag, binaryTag];
const KUBECTL_YAML_SCHEMA = new Schema(YAML11_SCHEMA.tags.filter((t) => !NOT_JSON.includes(t)));
const NOT_JSON_TAGS = ['timestamp', 'set', 'omap', 'pairs', 'binary'].map((t) => `tag:yaml.org,2002:${t}`);
const withoutNotJson = (tags: Tags): Tags =>
  tags.filter((t) => !NOT_JSON_TAGS.includes(typeof t === 'string' ? `tag:yaml.org,2002:${t}` : t.tag));

export interface ParseOptions extends Partial<ManifestLimits> {
  /**
   * Like `kubectl apply --validate=strict`: unknown and missing required fields are errors. By default
   * they are warnings, as istiod reads such objects (and the yardstick cases have some).
   */
  strict?: boolean;
  /**
   * Keep every object that has an apiVersion, kind and name, also of kinds meshplan does not translate and
   * with schema errors (which stay listed as problems): what `istioctl analyze` reads.
   */
  tolerant?: boolean;
  /**
   * Reuse what earlier calls read and checked of documents with the same text at the same place (on by
   * default): a revision that changes one object then reads and checks only that object.
   */
  reuse?: boolean;
}

/** The first half of parseManifests: the documents of the input (YAML read, within the size limits), no checks of their content. */
export function readDocuments(input: string | unknown[], options: Partial<ManifestLimits> & { reuse?: boolean } = {}, problems: ManifestProblem[] = []): InputDocument[] {
  const lim: ManifestLimits = { ...DEFAULT_LIMITS, ...options };
  return typeof input === 'string' ? readYaml(input, lim, problems, options.reuse ?? true) : readArray(input, lim, problems);
}

export function parseManifests(input: string | unknown[], options: ParseOptions = {}): ParsedManifests {
  const lim: ManifestLimits = { ...DEFAULT_LIMITS, ...options };
  const how: Reading = { strict: options.strict ?? false, tolerant: options.tolerant ?? false };
  const problems: ManifestProblem[] = [];
  const reuse = options.reuse ?? true;
  const documents = readDocuments(input, { ...lim, reuse }, problems);
  const out: Collected = { located: [], ignored: [] };
  const reading = `${how.strict}/${how.tolerant}/${lim.maxDepth}`;
  for (const { index, value, plain } of documents) {
    if (typeof input !== 'string' || !reuse) {
      // Array input belongs to the caller: copied so that defaulting never changes it.
      checkDocument(index, value, plain, lim, how, out, problems, typeof input !== 'string');
      continue;
    }
    // A document of YAML read before (src/manifests/fast-yaml.ts) has its checks of then, when it is at the same place.
    const key = `${index}/${reading}`;
    const known = typeof value === 'object' && value !== null ? checkedDocuments.get(value)?.get(key) : undefined;
    if (known) {
      for (const p of known.problems) problems.push({ ...p });
      // The located objects are read only here (their objects are frozen): shared, not copied.
      for (const l of known.located) out.located.push(l);
      for (const i of known.ignored) out.ignored.push({ ...i });
      continue;
    }
    const mine: Collected = { located: [], ignored: [] };
    const found: ManifestProblem[] = [];
    checkDocument(index, value, plain, lim, how, mine, found, false);
    problems.push(...found);
    out.located.push(...mine.located);
    out.ignored.push(...mine.ignored);
    if (typeof value === 'object' && value !== null) {
      // Shared from now on by every revision with this document: frozen (the fast reader froze what it
      // read), so no reader can change it for the others.
      deepFreeze(value);
      for (const l of mine.located) deepFreeze(l.object);
      for (const i of mine.ignored) deepFreeze(i.object);
      let byPlace = checkedDocuments.get(value);
      if (!byPlace) checkedDocuments.set(value, (byPlace = new Map()));
      byPlace.set(key, { problems: found.map((p) => ({ ...p })), located: mine.located, ignored: mine.ignored.map((i) => ({ ...i })) });
    }
  }
  const { located, ignored } = out;
  if (located.length > lim.maxDocuments) {
    // A kind: List counts each of its items, so a List cannot carry more objects than the document limit.
    problems.push(fatal(`input has ${located.length} objects (List items included), more than the limit of ${lim.maxDocuments}`));
    return { objects: [], documents: [], ignored: [], problems };
  }
  // Analyze reads what it is given; a design to translate must be unambiguous and within the limits.
  if (!how.tolerant) problems.push(...duplicateProblems(located));
  problems.push(...inputLimitProblems(located));
  return { objects: located.map((l) => l.object), documents: located.map((l) => l.document), ignored, problems };
}

/** The checks of one document: its depth, its strings and keys, and each object's schema, rules and limits. */
function checkDocument(
  index: number,
  value: unknown,
  plain: PlainTree | undefined,
  lim: ManifestLimits,
  how: Reading,
  out: Collected,
  problems: ManifestProblem[],
  copy: boolean,
): void {
  // A document the fast reader built cannot be too deep nor hold what textProblems looks for: not walked for them.
  const read = plain && plain.depth <= lim.maxDepth ? plain : undefined;
  if (!read) {
    if (depthOf(value) > lim.maxDepth) {
      problems.push(fatal(`document ${index} is nested more than ${lim.maxDepth} levels deep`, index));
      return;
    }
    const text = textProblems(value, '', lim.maxDepth + 1);
    for (const p of text) problems.push({ document: index, path: p.path, message: p.message, severity: 'error' });
    if (text.length > 0) return;
  }
  collectObjects(copy ? structuredClone(value) : value, index, how, out, problems, read);
}

/** Each YAML document value's checks, by its place and the reading (see parseManifests); dropped with the value. */
const checkedDocuments = new WeakMap<object, Map<string, { problems: ManifestProblem[]; located: LocatedObject[]; ignored: Collected['ignored'] }>>();

/** What the reading keeps: the objects (with their documents and places), and those of kinds meshplan does not use. */
interface Collected {
  located: LocatedObject[];
  ignored: { object: K8sObject; document: number }[];
}

interface Reading {
  strict: boolean;
  tolerant: boolean;
}

export interface InputDocument {
  index: number;
  value: unknown;
  /** What the fast reader made sure of the value, if it read it. */
  plain?: PlainTree;
}

const fatal = (message: string, document = -1): ManifestProblem => ({ document, path: '', message, severity: 'error' });

function readYaml(text: string, lim: ManifestLimits, problems: ManifestProblem[], reuse: boolean): InputDocument[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > lim.maxBytes) {
    problems.push(fatal(`input is ${bytes} bytes, more than the limit of ${lim.maxBytes}`));
    return [];
  }
  let values: { value: unknown; plain?: PlainTree }[];
  const options = { schema: KUBECTL_YAML_SCHEMA, maxAliases: 0, maxDepth: lim.maxDepth };
  try {
    values = fastReadAll(text, options, reuse) ?? loadAll(text, options).map((value) => ({ value }));
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    return readYamlCarefully(text, lim, problems);
  }
  if (values.length > lim.maxDocuments) {
    problems.push(fatal(`input has ${values.length} documents, more than the limit of ${lim.maxDocuments}`));
    return [];
  }
  // A loop, not flatMap: flatMap makes an array per document.
  const documents: InputDocument[] = [];
  values.forEach(({ value, plain }, index) => {
    if (value !== null && value !== undefined) documents.push({ index, value, plain });
  });
  return documents;
}

function readYamlCarefully(text: string, lim: ManifestLimits, problems: ManifestProblem[]): InputDocument[] {
  const docs = parseAllDocuments(text, { version: '1.1', customTags: withoutNotJson });
  // parseAllDocuments returns an EmptyStream (an array) for input without documents.
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > lim.maxDocuments) {
    problems.push(fatal(`input has ${list.length} documents, more than the limit of ${lim.maxDocuments}`));
    return [];
  }
  const out: InputDocument[] = [];
  list.forEach((doc, index) => {
    // An unresolved tag is only a warning to the yaml package; its value would be kept as a plain string.
    const tagWarnings = doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (doc.errors.length > 0 || tagWarnings.length > 0) {
      for (const e of [...doc.errors, ...tagWarnings]) {
        const at = e.linePos?.[0];
        const where = at ? `line ${at.line}, column ${at.col}` : `offset ${e.pos[0]}`;
        const reason = firstLine(e.message).replace(/ at line \d+, column \d+:?$/, '');
        problems.push(fatal(`YAML syntax error in document ${index} at ${where}: ${reason}`, index));
      }
      return;
    }
    const key = collectionKeyAt(doc, text);
    if (key) {
      problems.push(fatal(`document ${index} at line ${key.line}, column ${key.col}: ${COLLECTION_KEY_MESSAGE}`, index));
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: lim.maxAliasCount });
    } catch (e) {
      // The one error toJS throws: aliases expanding past maxAliasCount.
      problems.push(fatal(`document ${index}: YAML aliases refused: ${(e as Error).message}`, index));
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
  return items.flatMap((value, index) => (value === null || value === undefined ? [] : [{ index, value }]));
}

/** Nesting depth of maps and lists, walked without recursion so that hostile input cannot overflow the stack. */
function depthOf(root: unknown): number {
  let max = 0;
  // Two parallel stacks, not a pair per value: this walks every value of the input.
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > max) max = depth;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const child: unknown = (value as Record<string, unknown>)[k];
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return max;
}

const firstLine = (s: string): string => s.split('\n', 1)[0];

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Two objects of one kind, namespace and name: istiod would keep one of them, so the input is ambiguous. */
function duplicateProblems(located: LocatedObject[]): ManifestProblem[] {
  const seen = new Map<string, LocatedObject>();
  const problems: ManifestProblem[] = [];
  for (const at of located) {
    const o = at.object;
    const key = `${apiGroup(o.apiVersion)}/${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, at);
      continue;
    }
    const where = (l: LocatedObject) => `document ${l.document}${l.prefix ? ` at ${l.prefix.replace(/\.$/, '')}` : ''}`;
    problems.push({
      document: at.document,
      kind: o.kind,
      object: o.metadata.namespace === '' ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`,
      path: at.prefix.replace(/\.$/, ''),
      message: `duplicate ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}: ${where(first)} defines it too`,
      severity: 'error',
    });
  }
  return problems;
}

/** `read`: what the fast reader made sure of the value, if it read it (checks it makes needless are skipped). */
function collectObjects(value: unknown, document: number, how: Reading, out: Collected, problems: ManifestProblem[], read: PlainTree | undefined): void {
  if (!isObject(value)) {
    problems.push(fatal(`document ${document} is not an object`, document));
    return;
  }
  if (value.kind === 'List' && (value.apiVersion === 'v1' || how.tolerant)) {
    const items = value.items ?? [];
    if (!Array.isArray(items)) {
      problems.push({ document, kind: 'List', path: 'items', message: 'items must be a list', severity: 'error' });
      return;
    }
    items.forEach((item, i) => {
      if (isObject(item)) collectObject(item, document, `items[${i}].`, how, out, problems, read);
      else problems.push({ document, kind: 'List', path: `items[${i}]`, message: 'list item is not an object', severity: 'error' });
    });
    return;
  }
  collectObject(value, document, '', how, out, problems, read);
}

function collectObject(
  obj: Record<string, any>,
  document: number,
  prefix: string,
  how: Reading,
  out: Collected,
  problems: ManifestProblem[],
  read: PlainTree | undefined,
): void {
  const isSet = (v: unknown): boolean => typeof v === 'string' && v !== '';
  const missing: string[] = [];
  if (!isSet(obj.apiVersion)) missing.push('apiVersion');
  if (!isSet(obj.kind)) missing.push('kind');
  if (!isObject(obj.metadata) || !isSet(obj.metadata.name)) missing.push('metadata.name');
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
  const { apiVersion, kind } = obj;
  const supported = isSupportedKind(apiVersion, kind);
  const clusterScoped = CLUSTER_SCOPED.has(apiVersion, kind) || (!supported && CLUSTER_SCOPED_KINDS.has(kind));
  const namespace = clusterScoped ? '' : obj.metadata.namespace || 'default';
  const object = namespace === '' ? obj.metadata.name : `${namespace}/${obj.metadata.name}`;
  const defaulted = { ...obj, metadata: { ...obj.metadata, namespace } } as K8sObject;
  const keep = () => {
    const overLimits = objectLimitProblems(defaulted, LIMITS, read?.longestString);
    for (const p of overLimits) problems.push({ document, kind, object, path: prefix + p.path, message: p.message, severity: 'error' });
    if (overLimits.length === 0) out.located.push({ object: defaulted, document, prefix });
  };
  if (!supported) {
    if (how.tolerant) return void keep();
    out.ignored.push({ object: defaulted, document });
    const message = `kind ${kind} (${apiVersion}) is not used by meshplan; ignored`;
    problems.push({ document, kind, object, path: prefix.replace(/\.$/, ''), message, severity: 'warning' });
    return;
  }
  let valid = true;
  for (const p of checkObject(obj, read !== undefined)) {
    const severity = p.kind === 'unreadable' || how.strict ? 'error' : 'warning';
    if (severity === 'error') valid = false;
    problems.push({ document, kind, object, path: prefix + p.path, message: p.message, severity });
  }
  // Istio's webhook rules; the tolerant reading leaves them to analyze, which reports them as messages.
  if (valid && !how.tolerant && isValidatedKind(apiVersion, kind)) {
    for (const issue of validateIstioObject(obj as K8sObject)) {
      if (issue.severity === 'error') valid = false;
      problems.push({ document, kind, object, path: prefix + issue.path, message: issue.message, severity: issue.severity });
    }
  }
  if (valid || how.tolerant) keep();
}
