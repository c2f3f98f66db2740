// Request bodies as JSON or YAML. A raw manifest (multi-document YAML, a Kubernetes object,
// or a JSON array of objects) is a valid body: it stands for { resources: <the manifest> },
// with the other fields (name, description, message, author) taken from the query string.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseAllDocuments } from 'yaml';
import { ValidationError } from '../store/errors.js';
import { COLLECTION_KEY_MESSAGE, collectionKeyAt } from '../util/yaml-keys.js';
import type { EngineRequestName } from './rest/engine-requests.js';
import { JsonBytes } from '../worker/json-bytes.js';
import { requestProblem } from '../manifests/types.js';

export const QUERY_FIELDS = ['name', 'description', 'message', 'author'] as const;

/** Marks a body built from a raw manifest, so a refusal can point at the query string. */
const RAW_MANIFEST = Symbol('raw manifest');
export const isRawManifestBody = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && RAW_MANIFEST in body;

/** The body a raw manifest stands for: { resources: <it> } with the query string's fields. */
export function manifestBody(query: Record<string, unknown>, resources: string | unknown[]): Record<string, unknown> {
  const body: Record<string | symbol, unknown> = { resources, [RAW_MANIFEST]: true };
  for (const field of QUERY_FIELDS) if (typeof query[field] === 'string') body[field] = query[field];
  return body;
}

const rawManifestBody = (request: FastifyRequest, resources: string | unknown[]) => manifestBody((request.query ?? {}) as Record<string, unknown>, resources);

export const isKubernetesObject = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'apiVersion' in v && 'kind' in v;

const badBody = (message: string) =>
  new ValidationError('request body is not valid', [requestProblem('body', message)]);

/** Bodies are read as UTF-8: another declared charset would be read wrongly, so it is refused (415). */
function charsetError(request: FastifyRequest): Error | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset === undefined || /^utf-?8$/i.test(charset)) return undefined;
  return Object.assign(new Error(`request body charset "${charset}" is not supported: send UTF-8 (charset=utf-8 or none)`), { statusCode: 415 });
}

/** From this size a JSON body of an engine route is read in a worker (JSON.parse took ~13 ms per MiB of config dump here). */
export const LARGE_JSON_BYTES = 1024 * 1024;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's body is this engine request (src/api/rest/engine-requests.ts). */
    engineRequest?: EngineRequestName;
  }
}

/** An engine route's JSON object of LARGE_JSON_BYTES or more (an object: an array is a raw manifest, read here). */
const isLargeEngineBody = (request: FastifyRequest, bytes: Buffer): boolean =>
  request.routeOptions.config?.engineRequest !== undefined && bytes.length >= LARGE_JSON_BYTES && /^\s*\{/.test(bytes.subarray(0, 256).toString('latin1'));

/** How a large GraphQL request body is read off the event loop (the engine pool's readGraphQLRequest). */
export type GraphQLRequestReader = (body: JsonBytes) => Promise<unknown>;

/** A JSON body read: a raw manifest (an array, a Kubernetes object) stands for { resources: it }; a syntax error is a ValidationError. */
export function readJsonBody(request: FastifyRequest, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badBody(`JSON syntax error: ${(e as Error).message}`);
  }
  if (Array.isArray(value)) return rawManifestBody(request, value);
  if (isKubernetesObject(value)) return rawManifestBody(request, [value]);
  return value;
}

/**
 * Whether YAML text holds two or more documents, told from its lines alone: a line that starts with `---`
 * and then a space or its end always starts a document, even after a block scalar. Parsing a 1.6 MiB
 * stream only to count its documents held the event loop for over a second. Undefined (parse it) where
 * `...` or a directive could change the count.
 */
export function isYamlStream(text: string): boolean | undefined {
  let documents = 0;
  let content = false;
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(at);
    if (c === 0x2d /* - */ && text.startsWith('---', at) && (at + 3 === end || text[at + 3] === ' ' || text[at + 3] === '\r')) {
      documents++;
      content = false;
    } else if (c === 0x25 /* % */ || (c === 0x2e /* . */ && text.startsWith('...', at))) {
      return undefined;
    } else if (!content && documents === 0 && !/^\s*(#|$)/.test(text.slice(at, end))) {
      // Content before the first marker is a document of its own.
      content = true;
      documents++;
    }
    if (documents > 1) return true;
    at = end + 1;
  }
  return false;
}

export function registerBodyParsers(app: FastifyInstance, readGraphQLRequest?: GraphQLRequestReader): void {
  app.removeContentTypeParser('application/json');
  // As bytes: a large body is moved to an engine thread as it came, not decoded and copied on the event loop.
  app.addContentTypeParser(['application/json', 'application/problem+json'], { parseAs: 'buffer' }, (request, bytes, done) => {
    const unsupported = charsetError(request);
    if (unsupported) return done(unsupported, undefined);
    if (isLargeEngineBody(request, bytes as Buffer)) return done(null, new JsonBytes(bytes as Buffer));
    // A large GraphQL request (a config dump as a variable) is read in a thread; its large variables stay bytes.
    if (readGraphQLRequest && request.routeOptions.url === '/graphql' && (bytes as Buffer).length >= LARGE_JSON_BYTES) {
      readGraphQLRequest(new JsonBytes(bytes as Buffer)).then(
        (body) => done(null, body),
        (e: Error) => done(e, undefined),
      );
      return;
    }
    try {
      done(null, readJsonBody(request, (bytes as Buffer).toString('utf8')));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'],
    { parseAs: 'string' },
    (request, text, done) => {
      const unsupported = charsetError(request);
      if (unsupported) return done(unsupported, undefined);
      // A manifest is stored as sent; its syntax errors are reported by the manifest check.
      if (isYamlStream(text as string)) return done(null, rawManifestBody(request, text as string));
      const docs = parseAllDocuments(text as string);
      const list = Array.isArray(docs) ? docs : [docs];
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
