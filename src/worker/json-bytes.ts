// A JSON value as its UTF-8 bytes, so that the event loop never parses it: a large REST body, or a large
// GraphQL variable (a live proxy's config dump), moved to an engine thread (transferred, not copied: a
// structured clone of a parsed 22 MiB dump held the event loop for 0.9 s) and read there.

import { InputError } from '../engine.js';
import { MAX_REQUEST_DEPTH, textProblems } from '../util/text.js';
import { requestProblem } from '../manifests/types.js';

export class JsonBytes {
  constructor(readonly bytes: Uint8Array) {}
}

/** JsonBytes as a thread receives it (a structured clone keeps the bytes, not the class). JSON cannot make one. */
export const isJsonBytes = (v: unknown): v is JsonBytes =>
  typeof v === 'object' && v !== null && (v as { bytes?: unknown }).bytes instanceof Uint8Array && Object.keys(v).length === 1;

/** The bytes to transfer: bytes that share their buffer with other data (a pool slab) are copied first. */
export function ownBuffer(value: JsonBytes | { bytes: Uint8Array }): ArrayBuffer {
  const { bytes } = value;
  if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength || !(bytes.buffer instanceof ArrayBuffer)) {
    (value as { bytes: Uint8Array }).bytes = new Uint8Array(bytes);
  }
  return value.bytes.buffer as ArrayBuffer;
}

/** The bytes as text (decoded, not copied first). */
export const jsonText = (value: { bytes: Uint8Array }): string =>
  Buffer.from(value.bytes.buffer, value.bytes.byteOffset, value.bytes.byteLength).toString('utf8');

/** What `path` is called in a refusal. */
const named = (path: string): string => (path === 'body' ? 'request body' : path);

/** The value the bytes hold; a JSON syntax error is an InputError at `path`. */
export function parseJsonBytes(value: { bytes: Uint8Array }, path: string): unknown {
  try {
    return JSON.parse(jsonText(value));
  } catch (e) {
    throw new InputError(`${named(path)} is not valid`, [requestProblem(path, `JSON syntax error: ${(e as Error).message}`)]);
  }
}

/**
 * A request body's value, refused (an InputError at `path`) where the input guard (src/api/guards.ts)
 * would refuse it on the event loop: a JSON syntax error, a NUL or lone surrogate, a `__proto__` key.
 */
export function readJsonBytes(value: { bytes: Uint8Array }, path: string): unknown {
  const parsed = parseJsonBytes(value, path);
  const text = textProblems(parsed, path, MAX_REQUEST_DEPTH);
  if (text.length > 0) throw new InputError('the request is not valid', text.map((p) => requestProblem(p.path, p.message)));
  return parsed;
}

/**
 * An operation's arguments with each top-level JsonBytes parsed (a syntax error named by its argument).
 * A GraphQL variable is not checked as a REST body is: the same variable, small, is read as it is.
 */
export function readJsonArgs(args: unknown): unknown {
  if (typeof args !== 'object' || args === null || !Object.values(args).some(isJsonBytes)) return args;
  return Object.fromEntries(Object.entries(args).map(([name, v]) => [name, isJsonBytes(v) ? parseJsonBytes(v, name) : v]));
}

/** An operation's answer with bytes that go beside its JSON (moved to the event loop, not copied). */
export class AnswerWithBytes {
  constructor(
    readonly value: unknown,
    readonly bytes: Uint8Array[],
  ) {}
}
