// Errors of the API as RFC 9457 problem documents (application/problem+json), and the
// mapping from the store's and the engine's refusals to HTTP statuses.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ManifestProblem } from '../manifests/types.js';
import { isRawManifestBody, QUERY_FIELDS } from './bodies.js';
import { LimitError } from '../limits.js';
import { ApprovalRefusedError, ConflictError, NotFoundError, StaleRevisionError, ValidationError } from '../store/errors.js';

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
  /** A refused approval: the verification that failed. */
  verification?: { passed: number; failed: number; failures: unknown[] };
}

/** 428: a write that needs If-Match came without it. */
export class PreconditionRequiredError extends Error {
  override name = 'PreconditionRequiredError';
}

const TITLES: Record<number, string> = {
  400: 'Invalid input',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Content too large',
  415: 'Unsupported media type',
  422: 'Limit exceeded',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
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
  if (error instanceof LimitError) return doc(422, error.message, [{ ...NO_DOCUMENT, path: error.path, message: error.message }]);
  if (error instanceof NotFoundError) return doc(404, error.message);
  if (error instanceof ApprovalRefusedError) return { ...doc(409, error.message), verification: error.verification };
  if (error instanceof ConflictError) return doc(409, error.message);
  if (error instanceof StaleRevisionError) return doc(412, error.message);
  if (error instanceof PreconditionRequiredError) return doc(428, error.message);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext ?? 'body';
    return doc(400, `request ${context} is invalid`, schemaProblems(context, fastifyError.validation as SchemaError[]));
  }
  const status = typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
  return doc(status, status === 500 ? 'unexpected error; see the service log for this request id' : fastifyError.message);
}

/** One JSON-schema (ajv) error, as fastify reports it. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

const fieldPath = (context: string, e: SchemaError): string =>
  [context, ...e.instancePath.split('/').filter(Boolean)].join('.') +
  (e.keyword === 'required' ? `.${String(e.params.missingProperty)}` : '');

/** What the failed branches of one union ask for, in one phrase; paths are said when below the union's. */
function describeUnion(context: string, union: SchemaError, branches: SchemaError[][]): string {
  const leaves = branches.flat();
  if (leaves.every((e) => e.keyword === 'const')) {
    return `must be one of ${leaves.map((e) => JSON.stringify(e.params.allowedValue)).join(', ')}`;
  }
  const at = fieldPath(context, union);
  const phrase = (branch: SchemaError[]) =>
    schemaProblems(context, branch)
      .map((p) => (p.path === at ? p.message : `${p.path.slice(at.length + 1)}: ${p.message}`))
      .join(', ');
  const phrases = [...new Set(branches.map(phrase))];
  return phrases.length === 1 ? phrases[0] : `must match one of: ${phrases.map((p) => `(${p})`).join(' or ')}`;
}

/**
 * ajv's errors as input problems. A union (anyOf) that fails reports each branch's errors and
 * then its own; they are folded into one problem at the union's path that names what it accepts
 * ("must be one of \"a\", \"b\"") instead of one "must be equal to constant" per branch.
 */
export function schemaProblems(context: string, errors: SchemaError[]): InputProblem[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const outermost = unions.filter((u) => !unions.some((o) => o !== u && u.schemaPath.startsWith(`${o.schemaPath}/`)));
  const unionOf = (e: SchemaError) => outermost.find((u) => e.schemaPath.startsWith(`${u.schemaPath}/`));
  const problems: InputProblem[] = [];
  for (const e of errors) {
    if (outermost.includes(e)) {
      const branchErrors = errors.filter((b) => unionOf(b) === e);
      const byBranch = new Map<string, SchemaError[]>();
      for (const b of branchErrors) {
        const branch = b.schemaPath.slice(e.schemaPath.length + 1).split('/')[0];
        byBranch.set(branch, [...(byBranch.get(branch) ?? []), b]);
      }
      problems.push({ ...NO_DOCUMENT, path: fieldPath(context, e), message: describeUnion(context, e, [...byBranch.values()]) });
    } else if (e.keyword !== 'anyOf' && !unionOf(e)) {
      problems.push({ ...NO_DOCUMENT, path: fieldPath(context, e), message: e.message ?? e.keyword });
    }
  }
  return problems;
}

const NO_DOCUMENT = { document: null, kind: null, object: null };

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown): FastifyReply {
  const problem = problemFor(error, request.url);
  if (problem.status === 413) problem.detail = `request body is larger than ${request.routeOptions.bodyLimit} bytes (BODY_LIMIT)`;
  // A raw manifest as the body leaves the other fields to the query string: say so there.
  if (isRawManifestBody(request.body)) {
    for (const e of problem.errors ?? []) {
      const field = QUERY_FIELDS.find((f) => e.path === `body.${f}`);
      if (field) Object.assign(e, { path: `querystring.${field}`, message: `${e.message}: with a raw manifest as the body, give it in the query string (?${field}=...)` });
    }
  }
  // 429 from the engine pool says when to come back.
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  if (problem.status === 500) request.log.error({ err: error }, 'request failed');
  else if (problem.status >= 500) request.log.warn({ detail: problem.detail }, 'request refused');
  return reply.code(problem.status).type('application/problem+json').send(problem);
}
