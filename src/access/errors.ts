// Access refusals; their statusCode makes the REST error handler answer 401 or 403 problems,
// and the GraphQL guard turns them into UNAUTHENTICATED or FORBIDDEN errors.

/** No credentials, or credentials that do not hold (unknown, revoked, expired, forged). */
export class UnauthenticatedError extends Error {
  override name = 'UnauthenticatedError';
  readonly statusCode = 401;
  readonly code = 'UNAUTHENTICATED';
}

/** Known caller, not allowed to do this. */
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
  readonly statusCode = 403;
  readonly code = 'FORBIDDEN';
}
