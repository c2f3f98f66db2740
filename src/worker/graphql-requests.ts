// A large GraphQL request body, read in an engine thread for the event loop (see readGraphQLRequest).

import { AnswerWithBytes } from './json-bytes.js';

/** From this length of JSON, a GraphQL variable goes back to the event loop as its bytes (JsonBytes), for a thread to read. */
const LARGE_VARIABLE_CHARS = 64 * 1024;

/**
 * A large GraphQL request body read where the engine runs (its bytes were parsed as every JsonBytes
 * argument is: src/worker/json-bytes.ts): the request (query, operationName, variables)
 * for the event loop, with each large variable (a live proxy's config dump) left out of its JSON and moved
 * beside it as its bytes, named in `large`. The resolver that gets such a variable hands the bytes on to an
 * engine thread, so the event loop never parses it. A query that holds the dump inline is read as it is.
 */
export function readGraphQLRequest(request: unknown): AnswerWithBytes {
  const variables = typeof request === 'object' && request !== null && !Array.isArray(request) ? (request as { variables?: unknown }).variables : undefined;
  const large: string[] = [];
  const bytes: Uint8Array[] = [];
  if (typeof variables === 'object' && variables !== null && !Array.isArray(variables)) {
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value !== 'object' || value === null) continue;
      const text = JSON.stringify(value);
      if (text.length < LARGE_VARIABLE_CHARS) continue;
      large.push(name);
      bytes.push(utf8.encode(text));
      delete (variables as Record<string, unknown>)[name];
    }
  }
  return new AnswerWithBytes({ request, large }, bytes);
}

// TextEncoder gives each its own ArrayBuffer, so it can be transferred.
const utf8 = new TextEncoder();
