// Errors of the API as RFC 9457 problem documents (application/problem+json), and the
// mapping from the store's and the engine's refusals to HTTP statuses.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ManifestProblem } from '../manifests/types.js';
import { ConflictError, NotFoundError, StaleRevisionError, ValidationError } from '../store/errors.js';

/** One entry of a problem document's `errors`: where in the input, and why. */
export interface InputProblem {
  document: number | null;
  kind: string | null;
  object: string | null;
  path: string;
  message: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: InputProblem[];
  /** What is not wrong but worth knowing (unknown fields, ignored kinds), beside the errors. */
  warnings?: InputProblem[];
}

/** 428: a write that needs If-Match came without it. */
export class PreconditionRequiredError extends Error {
  override name = 'PreconditionRequiredError';
}

const TITLES: Record<number, string> = {
  400: 'Invalid input',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Content too large',
  415: 'Unsupported media type',
  428: 'Precondition required',
  500: 'Internal server error',
};

export const toInputProblem = (p: ManifestProblem): InputProblem => ({
  document: p.document >= 0 ? p.document : null,
  kind: p.kind ?? null,
  object: p.object ?? null,
  path: p.path,
  message: p.message,
});

/** An engine InputError, recognised by shape so the engine module can load lazily. */
const isEngineInputError = (e: unknown): e is Error & { problems: ManifestProblem[] } =>
  e instanceof Error && e.name === 'InputError' && Array.isArray((e as { problems?: unknown }).problems);

/** The status and problem document for an error thrown while handling a request. */
export function problemFor(error: unknown, instance: string): ProblemDocument {
  const doc = (status: number, detail: string, errors?: InputProblem[], warnings?: InputProblem[]): ProblemDocument => ({
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance,
    ...(errors ? { errors } : {}),
    ...(warnings?.length ? { warnings } : {}),
  });
  if (error instanceof ValidationError || isEngineInputError(error)) {
    const isWarning = (p: ManifestProblem) => p.severity === 'warning';
    return doc(
      400,
      error.message,
      error.problems.filter((p) => !isWarning(p)).map(toInputProblem),
      error.problems.filter(isWarning).map(toInputProblem),
    );
  }
  if (error instanceof NotFoundError) return doc(404, error.message);
  if (error instanceof ConflictError) return doc(409, error.message);
  if (error instanceof StaleRevisionError) return doc(412, error.message);
  if (error instanceof PreconditionRequiredError) return doc(428, error.message);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return doc(
      400,
      `request ${fastifyError.validationContext ?? 'body'} is invalid`,
      fastifyError.validation.map((v) => ({
        document: null,
        kind: null,
        object: null,
        path: [fastifyError.validationContext ?? 'body', ...v.instancePath.split('/').filter(Boolean)].join('.') +
          (v.keyword === 'required' ? `.${(v.params as { missingProperty: string }).missingProperty}` : ''),
        message: v.message ?? v.keyword,
      })),
    );
  }
  const status = typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
  return doc(status, status === 500 ? 'unexpected error; see the service log for this request id' : fastifyError.message);
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown): FastifyReply {
  const problem = problemFor(error, request.url);
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.code(problem.status).type('application/problem+json').send(problem);
}
