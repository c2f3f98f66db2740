// The JSON shapes of stored scenarios, shared by REST and GraphQL.

import type { ManifestProblem } from '../manifests/types.js';
import type { AnalysisMessage } from '../contract.js';
import type { ReviewRecord, RevisionRecord, RevisionSummaryRecord, ScenarioRecord } from '../store/scenarios.js';

export const reviewView = (r: ReviewRecord) => ({
  state: r.state,
  reviewer: r.reviewer,
  comment: r.comment,
  createdAt: r.createdAt.toISOString(),
  // What an approval approved (the gate's record); absent on other moves.
  ...(r.verification ? { verification: r.verification, envoyDiff: r.envoyDiff ?? null, forced: r.forced ?? false } : {}),
});

export const scenarioView = (s: ScenarioRecord) => ({
  name: s.name,
  description: s.description,
  labels: s.labels,
  latestRevision: s.latestRevision,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

export const revisionSummaryView = (r: RevisionSummaryRecord, review: ReviewRecord) => ({
  revision: r.number,
  contentHash: r.contentHash,
  etag: r.etag,
  message: r.message,
  author: r.author,
  createdAt: r.createdAt.toISOString(),
  review: reviewView(review),
});

export const scenarioRevisionView = (
  s: ScenarioRecord,
  r: RevisionRecord,
  review: ReviewRecord,
  warnings?: ManifestProblem[],
  analysis?: AnalysisMessage[],
) => ({
  ...scenarioView(s),
  ...revisionSummaryView(r, review),
  resources: r.manifests,
  objects: r.objects,
  mesh: r.mesh,
  options: r.options,
  expectations: r.expectations,
  ...(warnings ? { warnings } : {}),
  ...(analysis ? { analysis } : {}),
});
