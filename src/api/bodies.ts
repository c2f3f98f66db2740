// Request bodies as JSON or YAML. A raw manifest (multi-document YAML, a Kubernetes object,
// or a JSON array of objects) is a valid body: it stands for { resources: <the manifest> },
// with the other fields (name, description, message, author) taken from the query string.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseAllDocuments } from 'yaml';
import { ValidationError } from '../store/errors.js';
import { COLLECTION_KEY_MESSAGE, collectionKeyAt } from '../util/yaml-keys.js';

export const QUERY_FIELDS = ['name', 'description', 'message', 'author'] as const;

/** Marks a body built from a raw manifest, so a refusal can point at the query string. */
const RAW_MANIFEST = Symbol('raw manifest');
export const isRawManifestBody = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && RAW_MANIFEST in body;

function rawManifestBody(request: FastifyRequest, resources: string | unknown[]): Record<string, unknown> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const body: Record<string | symbol, unknown> = { resources, [RAW_MANIFEST]: true };
  for (const field of QUERY_FIELDS) if (typeof query[field] === 'string') body[field] = query[field];
  return body;
}

const isKubernetesObject = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'apiVersion' in v && 'kind' in v;

const badBody = (message: string) =>
  new ValidationError('request body is not valid', [{ document: -1, path: 'body', message, severity: 'error' }]);

/** Bodies are read as UTF-8: another declared charset would be read wrongly, so it is refused (415). */
function charsetError(request: FastifyRequest): Error | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset === undefined || /^utf-?8$/i.test(charset)) return undefined;
  return Object.assign(new Error(`request body charset "${charset}" is not supported: send UTF-8 (charset=utf-8 or none)`), { statusCode: 415 });
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/problem+json'], { parseAs: 'string' }, (request, text, done) => {
    const unsupported = charsetError(request);
    if (unsupported) return done(unsupported, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text as string);
    } catch (e) {
      return done(badBody(`JSON syntax error: ${(e as Error).message}`), undefined);
    }
    if (Array.isArray(value)) return done(null, rawManifestBody(request, value));
    if (isKubernetesObject(value)) return done(null, rawManifestBody(request, [value]));
    done(null, value);
  });
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'],
    { parseAs: 'string' },
    (request, text, done) => {
      const unsupported = charsetError(request);
      if (unsupported) return done(unsupported, undefined);
      const docs = parseAllDocuments(text as string);
      const list = Array.isArray(docs) ? docs : [docs];
      // A manifest is stored as sent; its syntax errors are reported by the manifest check.
      if (list.length !== 1) return done(null, rawManifestBody(request, text as string));
      const [doc] = list;
      if (doc.errors.length > 0) {
        // The yaml package reports a stack overflow on very deep nesting as a syntax error.
        const deep = doc.errors[0].message.includes('call stack');
        return done(badBody(deep ? 'YAML nested too deep to read' : `YAML syntax error: ${doc.errors[0].message.split('\n')[0]}`), undefined);
      }
      if (doc.warnings.length > 0) return done(badBody(`YAML: ${doc.warnings[0].message.split('\n')[0]}`), undefined);
      const key = collectionKeyAt(doc, text as string);
      if (key) return done(badBody(`YAML at line ${key.line}, column ${key.col}: ${COLLECTION_KEY_MESSAGE}`), undefined);
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        // The one error toJS throws: aliases expanding past maxAliasCount.
        return done(badBody(`YAML aliases refused: ${(e as Error).message}`), undefined);
      }
      if (isKubernetesObject(value)) return done(null, rawManifestBody(request, text as string));
      done(null, value ?? {});
    },
  );
}
