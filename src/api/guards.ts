// The service's guards against hostile or broken clients, kept in one place: connection timeouts and
// keep-alive limits against slow clients, request ids taken from x-request-id only when short and plain,
// fastify's and Node's own refusals (bad URL 400, long parameter 414, header overflow 431, timeout 408)
// as RFC 9457 problem documents, and request values that would be stored changed (NUL, lone surrogates,
// __proto__ keys, deep nesting) refused before any route sees them.

import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ValidationError } from '../store/errors.js';
import { MAX_REQUEST_DEPTH, textProblems } from '../util/text.js';
import { JsonBytes } from '../worker/json-bytes.js';
import { sendProblem } from './problems.js';
import { requestProblem } from '../manifests/types.js';

export interface ConnectionLimits {
  /** Time for a client to send the request headers. */
  headersTimeoutMs: number;
  /** Time for a client to send the whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Requests one keep-alive connection may carry. */
  maxRequestsPerSocket: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 300_000,
  // fastify's default, longer than clients' own idle timeout (undici's 4 s): a server that closes idle
  // sockets first races clients reusing them, who then see ECONNRESET (test/jobs did, after a long answer).
  keepAliveTimeoutMs: 72_000,
  maxRequestsPerSocket: 1000,
};

/** A request id a client may choose: short, and nothing a log line could be confused by. */
const PLAIN_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && PLAIN_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** What Node's HTTP parser refused, as a problem document written on the raw socket (no request exists yet). */
function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request line and headers are larger than the server accepts (16 KiB)']
        : [400, `the request is not valid HTTP (${error.code ?? 'parse error'})`];
  const body = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status], status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** fastify's refusals before routing (a URL that is not valid, a parameter over maxParamLength). */
function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendProblem(reply, request, error);
}

/** The fastify options of the guards. */
export function guardOptions(limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS): FastifyServerOptions {
  return {
    requestIdHeader: false,
    genReqId: requestId,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    // headersTimeout is checked every connectionsCheckingInterval (30 s by default): checked often enough to matter.
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) },
    clientErrorHandler,
    frameworkErrors,
  } as FastifyServerOptions;
}

/** Refuses, before validation, request values that would be stored or read changed. */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problems = [
      ...textProblems(request.query, 'querystring', MAX_REQUEST_DEPTH),
      ...textProblems(request.params, 'params', MAX_REQUEST_DEPTH),
      // GraphQL's arguments reach the store, which checks them the same way and answers as GraphQL errors;
      // a large engine body is checked where it is parsed, in an engine thread (src/worker/requests.ts).
      ...(request.routeOptions.url === '/graphql' || request.body instanceof JsonBytes ? [] : textProblems(request.body, 'body', MAX_REQUEST_DEPTH)),
    ];
    if (problems.length > 0) {
      throw new ValidationError('the request is not valid', problems.map((p) => (requestProblem(p.path, p.message))));
    }
  });
}
