// The store's refusals; the APIs map each to its HTTP status.

import type { ManifestProblem } from '../manifests/types.js';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** A name already taken, or a review state change that is not allowed. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** The If-Match ETag is not the latest revision's. */
export class StaleRevisionError extends Error {
  override name = 'StaleRevisionError';
  constructor(readonly latestEtag: string) {
    super(`If-Match does not match the latest revision (its ETag is ${latestEtag})`);
  }
}

/** Invalid input: every problem found. Nothing is stored. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly problems: ManifestProblem[],
  ) {
    super(message);
  }
}

/** An approval the revision's verification refuses: 409 with what failed. */
export class ApprovalRefusedError extends ConflictError {
  override name = 'ApprovalRefusedError';
  constructor(
    message: string,
    readonly verification: { passed: number; failed: number; failures: unknown[] },
  ) {
    super(message);
  }
}
