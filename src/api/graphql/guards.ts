// The GraphQL endpoint's guards beside the cost rule: a request whose `query` is not a string gets a
// 400 problem (as REST's bad input does), an answer past GRAPHQL_MAX_RESPONSE_BYTES is replaced by an
// error saying what to narrow, and in production graphql-js's "Did you mean" hints, which spell out
// the schema to whoever guesses at it, are left out of error messages.

import type { FastifyInstance } from 'fastify';
import mercurius from 'mercurius';
import { LIMIT_VARIABLES } from '../../limits.js';
import { ValidationError } from '../../store/errors.js';
import { sendProblem } from '../problems.js';
import { requestProblem } from '../../manifests/types.js';

export function registerGraphQLGuards(app: FastifyInstance, maxResponseBytes: number): void {
  // A large request is read in the engine pool before mercurius runs (src/api/bodies.ts): a 429 from the
  // pool says when to come back, as REST's does; mercurius's error handler sends the rest.
  app.addHook('onError', async (request, reply, error) => {
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (request.routeOptions.url === '/graphql' && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  });
  // Answered here as a problem document: mercurius's own error handler would turn it into a GraphQL error without a code.
  app.addHook('preValidation', async (request, reply) => {
    if (request.routeOptions.url !== '/graphql' || request.method !== 'POST') return;
    const body = request.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      const error = new ValidationError('GraphQL request is invalid', [requestProblem('body', 'must be an object { query, variables?, operationName? }')]);
      return sendProblem(reply, request, error);
    }
    const problems = [
      ...(typeof body.query === 'string' ? [] : [requestProblem('body.query', 'must be a string (the GraphQL document)')]),
      ...(body.variables === undefined || body.variables === null || (typeof body.variables === 'object' && !Array.isArray(body.variables))
        ? []
        : [requestProblem('body.variables', 'must be an object')]),
      ...(body.operationName === undefined || body.operationName === null || typeof body.operationName === 'string'
        ? []
        : [requestProblem('body.operationName', 'must be a string')]),
    ];
    if (problems.length > 0) return sendProblem(reply, request, new ValidationError('GraphQL request is invalid', problems));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== '/graphql' || typeof payload !== 'string' || Buffer.byteLength(payload) <= maxResponseBytes) return payload;
    const message = `the answer is ${Buffer.byteLength(payload)} bytes, more than the limit of ${maxResponseBytes} (${LIMIT_VARIABLES.graphqlMaxResponseBytes}): ask for fewer fields, one proxy, or a smaller page`;
    reply.code(200);
    return JSON.stringify({ data: null, errors: [{ message, extensions: { code: 'RESPONSE_TOO_LARGE', limit: maxResponseBytes } }] });
  });
}

/** mercurius's error formatting without graphql-js's suggestions of field, argument and type names. */
export const withoutSuggestions: typeof mercurius.defaultErrorFormatter = (execution, context) => {
  const formatted = mercurius.defaultErrorFormatter(execution, context);
  const errors = formatted.response.errors?.map((e) => ({ ...e, message: e.message.replace(/ Did you mean .*\?$/, '') }));
  return { ...formatted, response: { ...formatted.response, ...(errors ? { errors } : {}) } };
};
