// Review rules beyond the route's role: approving and rejecting need a reviewer, and a revision's
// author cannot approve it (four eyes) unless an admin forces it, saying why in the comment.
// The audit log records the forced approval with its comment (src/api/access.ts, graphql/access.ts).

import type { ReviewState } from '../generated/prisma/client.js';
import { ValidationError } from '../store/errors.js';
import { authorize } from './authorize.js';
import { ForbiddenError } from './errors.js';
import type { Identity } from './identity.js';
import { REVIEW_RULES } from './policy.js';
import { requestProblem } from '../manifests/types.js';

export interface ReviewRequest {
  state: ReviewState;
  force?: boolean | null;
  comment?: string | null;
}

/** Throws unless `identity` may move revision `number` of `scenario` to the requested state. */
export async function checkReview(
  identity: Identity,
  target: { scenario: string; number: number },
  input: ReviewRequest,
  authorOf: () => Promise<string>,
): Promise<void> {
  if (identity.via === 'open') return; // access control off: no identities to tell apart
  authorize(identity, REVIEW_RULES[input.state], `moving a revision to ${input.state}`);
  if (input.state !== 'approved') return;
  const author = await authorOf();
  if (author !== identity.name) return;
  const what = `${identity.name} wrote revision ${target.number} of "${target.scenario}"`;
  if (identity.role !== 'admin' || input.force !== true) {
    throw new ForbiddenError(`${what}: another reviewer must approve it (four eyes), or an admin with force and a comment saying why`);
  }
  if (!input.comment?.trim()) {
    throw new ValidationError('a forced approval needs a comment', [
      requestProblem('comment', `${what}: force approves it past four eyes only with a comment saying why`),
    ]);
  }
}
