// An expectations document (YAML or JSON) read and checked against its schema (the REST schema
// ExpectationsDocument), every problem named with its field path and reason, as manifests are.

import { Ajv, type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { ExpectationsDocument as DocumentSchema } from '../api/rest/schemas.js';
import type { ManifestProblem } from '../manifests/types.js';
import type { ExpectationsDocument } from './types.js';
import { COLLECTION_KEY_MESSAGE, collectionKeyAt } from '../util/yaml-keys.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(DocumentSchema);

const KIND = 'Expectations';

/** "/expectations/2/request/port" → "expectations[2].request.port". */
const fieldPath = (pointer: string): string =>
  pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');

function problemOf(e: ErrorObject): ManifestProblem {
  let path = fieldPath(e.instancePath);
  let message = e.message ?? e.keyword;
  if (e.keyword === 'required') path = path ? `${path}.${String(e.params.missingProperty)}` : String(e.params.missingProperty);
  if (e.keyword === 'additionalProperties') {
    path = path ? `${path}.${String(e.params.additionalProperty)}` : String(e.params.additionalProperty);
    message = 'unknown field';
  }
  if (e.keyword === 'enum' || e.keyword === 'const') message = `must be ${JSON.stringify(e.params.allowedValues ?? e.params.allowedValue)}`;
  return { document: 0, kind: KIND, path: path || '(document)', message, severity: 'error' };
}

/** ajv reports each failed branch of a union, then the union; keep the union once, with what it accepts. */
function problemsOf(errors: ErrorObject[]): ManifestProblem[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const inUnion = (e: ErrorObject) => unions.some((u) => u !== e && e.schemaPath.startsWith(u.schemaPath.replace(/\/anyOf$/, '/anyOf/')));
  const out: ManifestProblem[] = [];
  for (const e of errors) {
    if (e.keyword === 'anyOf') {
      const branches = errors.filter((b) => b !== e && b.schemaPath.startsWith(`${e.schemaPath}/`));
      const consts = branches.filter((b) => b.keyword === 'const').map((b) => JSON.stringify(b.params.allowedValue));
      out.push({ ...problemOf(e), message: consts.length === branches.length && consts.length ? `must be one of ${consts.join(', ')}` : 'must be a pod selector {pod} or an ad-hoc proxy {type, namespace, labels}' });
    } else if (!inUnion(e)) out.push(problemOf(e));
  }
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(`${p.path} ${p.message}`) && !!seen.add(`${p.path} ${p.message}`));
}

export interface ReadExpectations {
  document?: ExpectationsDocument;
  problems: ManifestProblem[];
}

/** The document from YAML / JSON text or an object, or every problem with it. */
export function readExpectations(input: unknown): ReadExpectations {
  let value = input;
  if (typeof input === 'string') {
    const doc = parseDocument(input, { prettyErrors: false });
    if (doc.errors.length) {
      return { problems: doc.errors.map((e) => ({ document: 0, kind: KIND, path: '(document)', message: `YAML: ${e.message}`, severity: 'error' })) };
    }
    const key = collectionKeyAt(doc, input);
    if (key) return { problems: [{ document: 0, kind: KIND, path: '(document)', message: `YAML at line ${key.line}, column ${key.col}: ${COLLECTION_KEY_MESSAGE}`, severity: 'error' }] };
    value = doc.toJS() ?? {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [{ document: 0, kind: KIND, path: '(document)', message: 'must be an object with expectations and/or routeTests', severity: 'error' }] };
  }
  if (!validate(value)) return { problems: problemsOf(validate.errors ?? []) };
  const document = value as ExpectationsDocument;
  const names = new Map<string, number>();
  const problems: ManifestProblem[] = [];
  document.expectations?.forEach((e, i) => {
    if (names.has(e.name)) problems.push({ document: 0, kind: KIND, object: e.name, path: `expectations[${i}].name`, message: `"${e.name}" is also the name of expectations[${names.get(e.name)}]`, severity: 'error' });
    else names.set(e.name, i);
  });
  return problems.length ? { problems } : { document, problems: [] };
}
