// The Envoy config diff of stored revisions, shared by REST and GraphQL: which revisions to compare
// (`from` defaults to the last approved revision before `to`, else the one before it), then the
// engine's diff in the pool, where both revisions' compiled scenarios are kept.

import type { ProxySelector } from '../contract.js';
import type { DiffDetail } from '../diff/index.js';
import { ValidationError } from '../store/errors.js';
import type { ScenarioStore } from '../store/scenarios.js';
import type { EnginePool, RunOptions } from '../worker/pool.js';
import { revisionSource } from './sources.js';
import { requestProblem } from '../manifests/types.js';

export interface RevisionDiffRequest {
  from?: number;
  to?: number;
  proxy?: ProxySelector;
  detail?: DiffDetail;
}

/** The revision `from` defaults to: the last approved one before `to`, else the one before it. */
export async function defaultFrom(store: ScenarioStore, name: string, to: number): Promise<number | undefined> {
  return (await store.lastApprovedBefore(name, to)) ?? (to > 1 ? to - 1 : undefined);
}

export async function revisionEnvoyDiff(store: ScenarioStore, engine: EnginePool, name: string, request: RevisionDiffRequest, options?: RunOptions) {
  const to = request.to ?? (await store.scenario(name)).latestRevision;
  const after = await store.revision(name, to);
  const from = request.from ?? (await defaultFrom(store, name, to));
  if (from === undefined) {
    throw new ValidationError('nothing to compare with', [
      requestProblem('from', `revision ${to} is the first of "${name}": there is no revision before it to compare with`),
    ]);
  }
  const before = await store.revision(name, from);
  const args = { before: { scenario: revisionSource(before) }, after: { scenario: revisionSource(after) }, proxy: request.proxy, detail: request.detail };
  return { from, to, ...(await engine.run('envoyDiff', revisionSource(before), args, options)).value() };
}
