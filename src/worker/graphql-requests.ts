// A large GraphQL request body, read in an engine thread for the event loop (see readGraphQLRequest).

import { Kind, parse, visit, type DocumentNode } from 'graphql';
import { AnswerWithBytes } from './json-bytes.js';

/** From this length of JSON, a dump variable goes back to the event loop as its bytes (JsonBytes), for a thread to read. */
const LARGE_VARIABLE_CHARS = 64 * 1024;

/** The argument that takes a live proxy's config dump (liveTrace, liveProxyConfig, drift): its resolvers hand it to the engine as it is. */
const DUMP_ARGUMENT = 'configDump';

/**
 * A large GraphQL request body read where the engine runs (its bytes were parsed as every JsonBytes
 * argument is: src/worker/json-bytes.ts): the request (query, operationName, variables) for the event
 * loop, with each large variable that the query uses only as a `configDump` argument left out of its JSON
 * and moved beside it as its bytes, named in `large`. The resolver hands the bytes on to an engine thread,
 * so the event loop never parses the dump. Every other variable comes back as it was sent (the types it
 * is coerced to need the value), and so does a request whose query does not parse (mercurius reports it).
 */
export function readGraphQLRequest(request: unknown): AnswerWithBytes {
  const fields = typeof request === 'object' && request !== null && !Array.isArray(request) ? (request as { query?: unknown; variables?: unknown }) : {};
  const { query, variables } = fields;
  const large: string[] = [];
  const bytes: Uint8Array[] = [];
  if (typeof query === 'string' && typeof variables === 'object' && variables !== null && !Array.isArray(variables)) {
    const dumps = dumpVariables(query);
    for (const [name, value] of Object.entries(variables)) {
      if (!dumps.has(name) || typeof value !== 'object' || value === null) continue;
      const text = JSON.stringify(value);
      if (text.length < LARGE_VARIABLE_CHARS) continue;
      large.push(name);
      bytes.push(utf8.encode(text));
      delete (variables as Record<string, unknown>)[name];
    }
  }
  return new AnswerWithBytes({ request, large }, bytes);
}

/** The variables a query uses as configDump arguments and nowhere else. */
function dumpVariables(query: string): Set<string> {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return new Set();
  }
  const asDump = new Set<string>();
  const elsewhere = new Set<string>();
  visit(document, {
    VariableDefinition: () => false, // a definition is not a use
    Argument(node) {
      if (node.name.value === DUMP_ARGUMENT && node.value.kind === Kind.VARIABLE) {
        asDump.add(node.value.name.value);
        return false;
      }
      return undefined;
    },
    Variable(node) {
      elsewhere.add(node.name.value);
    },
  });
  for (const name of elsewhere) asDump.delete(name);
  return asDump;
}

// TextEncoder gives each its own ArrayBuffer, so it can be transferred.
const utf8 = new TextEncoder();
