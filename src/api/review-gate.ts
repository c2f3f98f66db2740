// The approval gate: moving a revision to `approved` runs its verification and refuses (409, with the
// failures) when any check fails, unless the request says `force` with a comment. The review row keeps
// what was approved: the verification summary and the Envoy diff summary against the last approved
// revision. Other moves go straight to the store.
//
// Verification is the revision's saved expectations, run by the engine (its verify); a revision
// without expectations has nothing to verify.

import type { ReviewState } from '../generated/prisma/client.js';
import { ApprovalRefusedError, ValidationError } from '../store/errors.js';
import type { ReviewRecord, RevisionRecord, ScenarioStore } from '../store/scenarios.js';
import type { EnginePool } from '../worker/pool.js';
import { revisionSource } from './sources.js';
import { revisionEnvoyDiff } from './envoy-diff.js';
import { requestProblem } from '../manifests/types.js';

/** The verify contract's answer, as much of it as the gate reads. */
export interface VerificationResult {
  passed: number;
  failed: number;
  results: { name: string; passed: boolean; failures?: unknown[] }[];
}


export interface ReviewRequest {
  state: ReviewState;
  reviewer?: string;
  comment?: string;
  /** Approve although verification fails; needs a comment. */
  force?: boolean;
}

export class ReviewGate {
  constructor(
    private readonly store: ScenarioStore,
    private readonly engine: EnginePool,
  ) {}

  /** The revision's saved expectations against its own translation. */
  private async verify(revision: RevisionRecord): Promise<VerificationResult> {
    if (!revision.expectations) return { passed: 0, failed: 0, results: [] };
    // The gate is part of a review, not one heavy request too many: never refused with a 429.
    return (await this.engine.run('verify', revisionSource(revision), { expectations: revision.expectations }, { bypassLimit: true })).value();
  }

  async setReview(name: string, number: number, request: ReviewRequest): Promise<ReviewRecord> {
    const { force, ...input } = request;
    if (request.state !== 'approved') return this.store.setReview(name, number, input);
    if (force && !request.comment?.trim()) {
      throw new ValidationError('a forced approval needs a comment', [
        requestProblem('comment', 'force: true needs a comment saying why the failed checks are accepted'),
      ]);
    }
    await this.store.checkReviewMove(name, number, 'approved');
    const result = await this.verify(await this.store.revision(name, number));
    const verification = {
      passed: result.passed,
      failed: result.failed,
      failures: result.results.filter((r) => !r.passed).map((r) => ({ name: r.name, failures: r.failures ?? [] })),
    };
    if (result.failed > 0 && !force) {
      throw new ApprovalRefusedError(
        `revision ${number} of "${name}" fails ${result.failed} of ${result.passed + result.failed} checks; fix them, or approve with force and a comment`,
        verification,
      );
    }
    const from = await this.store.lastApprovedBefore(name, number);
    const diff = from === undefined ? undefined : await revisionEnvoyDiff(this.store, this.engine, name, { from, to: number, detail: 'summary' }, { bypassLimit: true });
    return this.store.setReview(name, number, input, {
      verification,
      envoyDiff: diff ? { from: diff.from, to: diff.to, summary: { ...diff.summary }, text: diff.text } : null,
      forced: Boolean(force),
    });
  }
}
