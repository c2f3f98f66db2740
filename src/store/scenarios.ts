// Scenarios, their immutable revisions and the review history of each revision.
// Nothing here rewrites a revision: a change is a new revision, numbered 1..n per scenario.

import { Prisma, type PrismaClient, type ReviewState } from '../generated/prisma/client.js';
import { requestProblem, type K8sObject, type ManifestProblem } from '../manifests/types.js';
import { diffObjects, type ManifestDiff } from '../diff/manifests.js';
import { ConflictError, NotFoundError, StaleRevisionError, ValidationError } from './errors.js';
import { checkManifests, contentHash, type ManifestCheck } from './manifests.js';
import { validateMeshConfig } from '../validation/meshconfig.js';
import { readExpectations } from '../verify/document.js';
import type { ExpectationsDocument } from '../verify/types.js';
import { diffExpectations, type ExpectationsDiff } from './expectations-diff.js';
import { MAX_REQUEST_DEPTH, textProblems } from '../util/text.js';

export { ReviewState } from '../generated/prisma/client.js';

export interface ScenarioRecord {
  id: number;
  name: string;
  description: string;
  labels: Record<string, string>;
  latestRevision: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RevisionRecord {
  id: number;
  scenarioId: number;
  scenario: string;
  number: number;
  manifests: string;
  objects: K8sObject[];
  mesh: Record<string, unknown>;
  options: Record<string, unknown>;
  /** The expectations document stored with the revision, null when none. */
  expectations: ExpectationsDocument | null;
  contentHash: string;
  message: string;
  author: string;
  createdAt: Date;
  etag: string;
}

/** A revision without its content: what a listing shows. */
export type RevisionSummaryRecord = Omit<RevisionRecord, 'manifests' | 'objects' | 'mesh' | 'options' | 'expectations'>;

const SUMMARY_FIELDS = {
  id: true,
  scenarioId: true,
  number: true,
  contentHash: true,
  message: true,
  author: true,
  createdAt: true,
} as const;

export interface ReviewRecord {
  revisionId: number;
  state: ReviewState;
  reviewer: string;
  comment: string;
  createdAt: Date;
  /** Approvals: the verification summary the gate saw. */
  verification?: Prisma.JsonValue | null;
  /** Approvals: the Envoy diff summary against the last approved revision. */
  envoyDiff?: Prisma.JsonValue | null;
  /** Approved over failed verification. */
  forced?: boolean;
}

/** What an approval records beside the state: the gate's findings. */
export interface ApprovalRecord {
  /** JSON: {passed, failed, failures}. */
  verification: object;
  /** JSON: {from, to, summary, text}, or null for a first approval. */
  envoyDiff: object | null;
  forced: boolean;
}

export interface RevisionInput {
  resources: unknown;
  mesh?: Record<string, unknown>;
  options?: Record<string, unknown>;
  /** An expectations document: YAML / JSON text or the object. */
  expectations?: unknown;
  message?: string;
  author?: string;
}

export interface ScenarioInput extends RevisionInput {
  name: string;
  description?: string;
  labels?: Record<string, string>;
}

export interface Written {
  scenario: ScenarioRecord;
  revision: RevisionRecord;
  review: ReviewRecord;
  warnings: ManifestProblem[];
  /** False when the input equalled the latest revision, which is returned instead of a new one. */
  created: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Which review states may follow which. */
export const NEXT_STATES: Record<ReviewState, ReviewState[]> = {
  draft: ['in_review'],
  in_review: ['approved', 'rejected', 'draft'],
  approved: ['in_review'],
  rejected: ['draft', 'in_review'],
};


export function validateName(name: unknown): ManifestProblem[] {
  if (typeof name !== 'string' || name.length === 0) return [requestProblem('name', 'name is required')];
  if (name.length > 63 || !DNS1123_LABEL.test(name)) {
    return [requestProblem('name', `"${name}" is not a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters, starting and ending with a letter or digit)`)];
  }
  return [];
}

function validateLabels(labels: unknown): ManifestProblem[] {
  if (labels === undefined) return [];
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return [requestProblem('labels', 'labels must be a map of strings')];
  return Object.entries(labels).flatMap(([k, v]) => [
    ...(LABEL_KEY.test(k) && k.length <= 317 ? [] : [requestProblem(`labels.${k}`, `"${k}" is not a valid label key`)]),
    ...(typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v) ? [] : [requestProblem(`labels.${k}`, `value of label "${k}" must be a label value string`)]),
  ]);
}

function validateObjectField(value: unknown, path: string): ManifestProblem[] {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))
    ? []
    : [requestProblem(path, `${path} must be an object`)];
}

/** Every problem of a revision's input, manifests included; throws when there is any. */
function checkRevisionInput(input: RevisionInput, extra: ManifestProblem[], apart: ManifestCheck | undefined) {
  // Before anything walks the input recursively (hashing, JSON columns): strings PostgreSQL cannot keep, deep nesting.
  const text = textProblems(input, '', MAX_REQUEST_DEPTH).map((p) => requestProblem(p.path, p.message));
  if (text.length > 0) throw new ValidationError(`${text.length} requestProblem(s) in the request`, [...extra, ...text]);
  const meshProblems = validateObjectField(input.mesh, 'mesh');
  const problems = [...extra, ...meshProblems, ...validateObjectField(input.options, 'options')];
  // MeshConfig enum values istiod refuses (unknown fields only warn when the revision is translated).
  if (meshProblems.length === 0 && input.mesh) {
    problems.push(...validateMeshConfig(input.mesh as Record<string, unknown>).filter((i) => i.severity === 'error').map((i) => requestProblem(i.path, i.message)));
  }
  let checked: { text: string; objects?: unknown; objectsJson?: string; warnings: ManifestProblem[] } | undefined;
  if (apart) {
    if (apart.ok) checked = apart;
    else problems.push(...apart.problems);
  } else {
    try {
      checked = checkManifests(input.resources);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.push(...e.problems);
    }
  }
  const expectations = input.expectations === undefined || input.expectations === null ? undefined : readExpectations(input.expectations);
  if (expectations) problems.push(...expectations.problems);
  const errorCount = problems.filter((p) => p.severity === 'error').length;
  if (errorCount > 0 || !checked) throw new ValidationError(`${errorCount} requestProblem(s) in the request`, problems);
  const mesh = input.mesh ?? {};
  const options = input.options ?? {};
  return {
    checked,
    objectsJson: checked.objectsJson,
    data: {
      manifests: checked.text,
      // Objects checked apart come as JSON text, written by insertRevision.
      objects: (checked.objects ?? []) as Prisma.InputJsonValue,
      mesh: mesh as Prisma.InputJsonValue,
      options: options as Prisma.InputJsonValue,
      expectations: (expectations?.document ?? Prisma.DbNull) as Prisma.InputJsonValue | typeof Prisma.DbNull,
      contentHash: contentHash(checked.text, mesh, options, expectations?.document),
      message: input.message ?? '',
      author: input.author ?? '',
    },
  };
}

export const etagOf = (r: { scenarioId: number; number: number; contentHash: string }): string =>
  `"${r.scenarioId}.${r.number}.${r.contentHash.slice(0, 16)}"`;

type RevisionRow = Prisma.RevisionGetPayload<{ include: { scenario: { select: { name: true } } } }>;
type ScenarioRow = Prisma.ScenarioGetPayload<object>;

const toScenario = (s: ScenarioRow): ScenarioRecord => ({ ...s, labels: s.labels as Record<string, string> });

const toRevision = (r: RevisionRow): RevisionRecord => ({
  id: r.id,
  scenarioId: r.scenarioId,
  scenario: r.scenario.name,
  number: r.number,
  manifests: r.manifests,
  objects: r.objects as unknown as K8sObject[],
  mesh: r.mesh as Record<string, unknown>,
  options: r.options as Record<string, unknown>,
  expectations: (r.expectations ?? null) as ExpectationsDocument | null,
  contentHash: r.contentHash,
  message: r.message,
  author: r.author,
  createdAt: r.createdAt,
  etag: etagOf(r),
});

const withName = { scenario: { select: { name: true } } } as const;

const isUniqueViolation = (e: unknown): boolean =>
  e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';

const encodeCursor = (name: string): string => Buffer.from(name, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (validateName(name).length > 0) throw new ValidationError('invalid cursor', [requestProblem('cursor', 'not a cursor returned by this API')]);
  return name;
}

const encodeRevisionCursor = (n: number): string => Buffer.from(`before:${n}`, 'utf8').toString('base64url');
function decodeRevisionCursor(cursor: string): number {
  const m = /^before:([1-9][0-9]{0,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m || Number(m[1]) > 2147483647) throw new ValidationError('invalid cursor', [requestProblem('cursor', 'not a cursor returned by this API')]);
  return Number(m[1]);
}

/** Checks a revision's manifests somewhere else (the service: in an engine thread, so a big mesh does not hold the event loop). */
export type ManifestChecker = (resources: unknown) => Promise<ManifestCheck>;

type Tx = Prisma.TransactionClient;

export class ScenarioStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly checkApart?: ManifestChecker,
  ) {}

  private async checked(input: RevisionInput, extra: ManifestProblem[] = []) {
    return checkRevisionInput(input, extra, this.checkApart && (await this.checkApart(input.resources)));
  }

  /**
   * A new revision row. Objects given as JSON text are written by PostgreSQL from that text: Prisma's JSON
   * input walks every value on the event loop (about 70 ms for the 1000-service mesh).
   */
  private async insertRevision(tx: Tx, data: Prisma.RevisionUncheckedCreateInput, objectsJson: string | undefined) {
    const revision = await tx.revision.create({ data, include: withName });
    if (objectsJson === undefined) return revision;
    const [{ objects }] = await tx.$queryRaw<{ objects: Prisma.JsonValue }[]>`UPDATE revisions SET objects = ${objectsJson}::jsonb WHERE id = ${revision.id} RETURNING objects`;
    return { ...revision, objects };
  }

  async create(input: ScenarioInput): Promise<Written> {
    const { checked, data, objectsJson } = await this.checked(input, [...validateName(input.name), ...validateLabels(input.labels)]);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const scenario = await tx.scenario.create({
          data: {
            name: input.name,
            description: input.description ?? '',
            labels: (input.labels ?? {}) as Prisma.InputJsonValue,
            latestRevision: 1,
          },
        });
        const revision = await this.insertRevision(tx, { ...data, scenarioId: scenario.id, number: 1 }, objectsJson);
        const review = await tx.review.create({ data: { revisionId: revision.id, state: 'draft', reviewer: data.author } });
        return { scenario: toScenario(scenario), revision: toRevision(revision), review, warnings: checked.warnings, created: true };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`scenario "${input.name}" already exists`);
      throw e;
    }
  }

  /** Adds revision latest+1 when ifMatch is the latest revision's ETag; of two writers with the same ETag one wins. */
  async addRevision(name: string, ifMatch: string, input: RevisionInput): Promise<Written> {
    const { checked, data, objectsJson } = await this.checked(input);
    try {
      return await this.prisma.$transaction(async (tx) => {
        // Writers of one scenario take turns: each reads the latest revision only once the one before has committed,
        // so `If-Match: *` never fails on a race, and a stale ETag is always found stale.
        await tx.$queryRaw`SELECT id FROM scenarios WHERE name = ${name} FOR UPDATE`;
        const scenario = await tx.scenario.findUnique({ where: { name } });
        if (!scenario) throw new NotFoundError(`scenario "${name}" not found`);
        const latest = await tx.revision.findUniqueOrThrow({
          where: { scenarioId_number: { scenarioId: scenario.id, number: scenario.latestRevision } },
        });
        if (!etagMatches(ifMatch, etagOf(latest))) throw new StaleRevisionError(etagOf(latest));
        // The same manifests, MeshConfig and options as the latest: that revision, not a copy of it.
        if (latest.contentHash === data.contentHash) {
          const review = await tx.review.findFirstOrThrow({ where: { revisionId: latest.id }, orderBy: { id: 'desc' } });
          const revision = toRevision({ ...latest, scenario: { name: scenario.name } });
          return { scenario: toScenario(scenario), revision, review, warnings: checked.warnings, created: false };
        }
        const number = scenario.latestRevision + 1;
        // The conditional update is the lock: a concurrent writer finds latestRevision moved and updates nothing.
        const moved = await tx.scenario.updateMany({
          where: { id: scenario.id, latestRevision: scenario.latestRevision },
          data: { latestRevision: number },
        });
        if (moved.count === 0) throw new StaleRevisionError(etagOf(latest));
        const revision = await this.insertRevision(tx, { ...data, scenarioId: scenario.id, number }, objectsJson);
        const review = await tx.review.create({ data: { revisionId: revision.id, state: 'draft', reviewer: data.author } });
        const updated = await tx.scenario.findUniqueOrThrow({ where: { id: scenario.id } });
        return { scenario: toScenario(updated), revision: toRevision(revision), review, warnings: checked.warnings, created: true };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new StaleRevisionError('(changed concurrently)');
      throw e;
    }
  }

  async list(options: { limit: number; cursor?: string; labels?: Record<string, string> }): Promise<Page<ScenarioRecord>> {
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const rows = await this.prisma.scenario.findMany({
      where: {
        ...(after ? { name: { gt: after } } : {}),
        AND: Object.entries(options.labels ?? {}).map(([k, v]) => ({ labels: { path: [k], equals: v } })),
      },
      orderBy: { name: 'asc' },
      take: options.limit + 1,
    });
    const items = rows.slice(0, options.limit).map(toScenario);
    return { items, nextCursor: rows.length > options.limit ? encodeCursor(items[items.length - 1].name) : null };
  }

  async scenario(name: string): Promise<ScenarioRecord> {
    const s = await this.prisma.scenario.findUnique({ where: { name } });
    if (!s) throw new NotFoundError(`scenario "${name}" not found`);
    return toScenario(s);
  }

  /** A revision of a scenario, the latest when number is not given. */
  async revision(name: string, number?: number): Promise<RevisionRecord> {
    const scenario = await this.scenario(name);
    const n = number ?? scenario.latestRevision;
    const r = await this.prisma.revision.findUnique({
      where: { scenarioId_number: { scenarioId: scenario.id, number: n } },
      include: withName,
    });
    if (!r) throw new NotFoundError(`scenario "${name}" has no revision ${n}`);
    return toRevision(r);
  }

  /** A page of a scenario's revisions, newest first, without their manifests (a listing never reads them). */
  async revisionPage(name: string, options: { limit: number; cursor?: string }): Promise<Page<RevisionSummaryRecord>> {
    const scenario = await this.scenario(name);
    const before = options.cursor ? decodeRevisionCursor(options.cursor) : undefined;
    const rows = await this.prisma.revision.findMany({
      where: { scenarioId: scenario.id, ...(before ? { number: { lt: before } } : {}) },
      orderBy: { number: 'desc' },
      take: options.limit + 1,
      select: SUMMARY_FIELDS,
    });
    const items = rows.slice(0, options.limit).map((r) => ({ ...r, scenario: scenario.name, etag: etagOf(r) }));
    return { items, nextCursor: rows.length > options.limit ? encodeRevisionCursor(items[items.length - 1].number) : null };
  }

  /** A page of revisions (newest first, numbers below `before`) of each of many scenarios, in one query per page size. */
  async revisionsOf(scenarioIds: readonly number[], page: { first: number; before?: number } = { first: 50 }): Promise<Map<number, RevisionRecord[]>> {
    const numbers = await this.prisma.revision.findMany({
      where: { scenarioId: { in: [...scenarioIds] }, ...(page.before ? { number: { lt: page.before } } : {}) },
      orderBy: [{ scenarioId: 'asc' }, { number: 'desc' }],
      select: { id: true, scenarioId: true },
    });
    const wanted = new Map<number, number[]>();
    for (const r of numbers) {
      const ids = wanted.get(r.scenarioId) ?? [];
      if (ids.length < page.first) wanted.set(r.scenarioId, [...ids, r.id]);
    }
    const rows = await this.prisma.revision.findMany({
      where: { id: { in: [...wanted.values()].flat() } },
      orderBy: [{ scenarioId: 'asc' }, { number: 'desc' }],
      include: withName,
    });
    const out = new Map<number, RevisionRecord[]>();
    for (const r of rows) out.set(r.scenarioId, [...(out.get(r.scenarioId) ?? []), toRevision(r)]);
    return out;
  }

  /** The given revisions (scenario id, number) in one query. */
  async revisionsByNumber(keys: readonly { scenarioId: number; number: number }[]): Promise<RevisionRecord[]> {
    if (keys.length === 0) return [];
    const rows = await this.prisma.revision.findMany({
      where: { OR: keys.map((k) => ({ scenarioId: k.scenarioId, number: k.number })) },
      include: withName,
    });
    return rows.map(toRevision);
  }

  /** The current review of each revision in one query. */
  async currentReviews(revisionIds: readonly number[]): Promise<Map<number, ReviewRecord>> {
    const rows = await this.prisma.review.findMany({
      where: { revisionId: { in: [...revisionIds] } },
      orderBy: [{ revisionId: 'asc' }, { id: 'desc' }],
      distinct: ['revisionId'],
    });
    return new Map(rows.map((r) => [r.revisionId, r]));
  }

  async reviewHistory(revisionId: number): Promise<ReviewRecord[]> {
    return (await this.reviewHistories([revisionId])).get(revisionId) ?? [];
  }

  /** The review history of many revisions in one query, oldest first. */
  async reviewHistories(revisionIds: readonly number[]): Promise<Map<number, ReviewRecord[]>> {
    const rows = await this.prisma.review.findMany({ where: { revisionId: { in: [...revisionIds] } }, orderBy: { id: 'asc' } });
    const out = new Map<number, ReviewRecord[]>();
    for (const r of rows) out.set(r.revisionId, [...(out.get(r.revisionId) ?? []), r]);
    return out;
  }

  /** Refuses (409) a review state change the current state does not allow; the check setReview repeats under its lock. */
  async checkReviewMove(name: string, number: number, state: ReviewState): Promise<void> {
    const revision = await this.revision(name, number);
    const current = await this.prisma.review.findFirstOrThrow({ where: { revisionId: revision.id }, orderBy: { id: 'desc' } });
    checkMove(name, number, current.state, state);
  }

  async setReview(
    name: string,
    number: number,
    input: { state: ReviewState; reviewer?: string; comment?: string },
    approval?: ApprovalRecord,
  ): Promise<ReviewRecord> {
    const text = textProblems({ reviewer: input.reviewer, comment: input.comment }, '', 2).map((p) => requestProblem(p.path, p.message));
    if (text.length > 0) throw new ValidationError('review is invalid', text);
    const revision = await this.revision(name, number);
    return this.prisma.$transaction(async (tx) => {
      // Locks the revision's review history so two state changes cannot both pass the check.
      await tx.$queryRaw`SELECT id FROM revisions WHERE id = ${revision.id} FOR UPDATE`;
      const current = await tx.review.findFirstOrThrow({ where: { revisionId: revision.id }, orderBy: { id: 'desc' } });
      checkMove(name, number, current.state, input.state);
      return tx.review.create({
        data: {
          revisionId: revision.id,
          state: input.state,
          reviewer: input.reviewer ?? '',
          comment: input.comment ?? '',
          ...(approval
            ? {
                verification: approval.verification as Prisma.InputJsonValue,
                envoyDiff: (approval.envoyDiff as Prisma.InputJsonValue | null) ?? Prisma.DbNull,
                forced: approval.forced,
              }
            : {}),
        },
      });
    });
  }

  /** The newest revision before `number` whose current review state is approved, if any. */
  async lastApprovedBefore(name: string, number: number): Promise<number | undefined> {
    const scenario = await this.scenario(name);
    const earlier = await this.prisma.revision.findMany({
      where: { scenarioId: scenario.id, number: { lt: number } },
      select: { id: true, number: true },
      orderBy: { number: 'desc' },
    });
    const reviews = await this.currentReviews(earlier.map((r) => r.id));
    return earlier.find((r) => reviews.get(r.id)?.state === 'approved')?.number;
  }

  /** The manifests' difference, and the expectations' when either revision has some. */
  async diff(name: string, from: number, to: number): Promise<ManifestDiff & { expectations?: ExpectationsDiff }> {
    const [a, b] = await Promise.all([this.revision(name, from), this.revision(name, to)]);
    const expectations = a.expectations || b.expectations ? { expectations: diffExpectations(a.expectations, b.expectations) } : {};
    return { ...diffObjects(a.objects, b.objects), ...expectations };
  }

  /** Deletes a scenario with all its revisions and reviews. */
  async delete(name: string): Promise<void> {
    const deleted = await this.prisma.scenario.deleteMany({ where: { name } });
    if (deleted.count === 0) throw new NotFoundError(`scenario "${name}" not found`);
  }

  async count(): Promise<number> {
    return this.prisma.scenario.count();
  }
}

function checkMove(name: string, number: number, from: ReviewState, to: ReviewState): void {
  if (!NEXT_STATES[from].includes(to)) {
    throw new ConflictError(`revision ${number} of "${name}" is ${from}; it can move to ${NEXT_STATES[from].join(' or ')}, not ${to}`);
  }
}

/** If-Match: a list of ETags or "*" (RFC 9110 13.1.1); weak ETags never match. */
export function etagMatches(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t === etag);
}
