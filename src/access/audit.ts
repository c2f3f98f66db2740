// The audit log: one row per write, allowed or refused, with who, what, when and from where.

import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { ValidationError } from '../store/errors.js';
import type { Identity } from './identity.js';
import { requestProblem } from '../manifests/types.js';

export interface AuditInput {
  identity: Identity;
  action: string;
  target: string;
  status: number;
  detail: Record<string, unknown>;
  ip: string;
  requestId: string;
}

/** A stored entry: what was written, with the caller's identity flattened into its columns. */
export type AuditRecord = Omit<AuditInput, 'identity'> & { id: number; at: Date; actor: string; role: string; via: string };

/** Request fields that say what a write changes; manifests and secrets never go into the log. */
const TOLD_FIELDS = ['name', 'state', 'force', 'comment', 'message', 'description', 'role', 'expires', 'revision'];

/** What of a request's parameters and body the log keeps. */
export function auditDetail(...sources: unknown[]): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const source of sources) {
    if (!source || typeof source !== 'object' || Array.isArray(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      if (TOLD_FIELDS.includes(key) && value !== undefined && value !== null && typeof value !== 'object') detail[key] = value;
    }
  }
  return detail;
}

export class AuditLog {
  constructor(private readonly prisma: PrismaClient) {}

  async record(entry: AuditInput): Promise<void> {
    await this.prisma.auditEntry.create({
      data: {
        actor: entry.identity.name,
        role: entry.identity.role ?? '',
        via: entry.identity.via,
        action: entry.action,
        target: entry.target,
        status: entry.status,
        detail: entry.detail as Prisma.InputJsonValue,
        ip: entry.ip,
        requestId: entry.requestId,
      },
    });
  }

  /** Newest first, a page at a time; the cursor is the id of the last entry of the page before. */
  async list(options: { limit: number; cursor?: string; actor?: string }): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    if (options.cursor !== undefined && !/^[1-9]\d{0,9}$/.test(options.cursor)) {
      throw new ValidationError('invalid cursor', [requestProblem('cursor', 'not a cursor returned by this API')]);
    }
    const rows = await this.prisma.auditEntry.findMany({
      where: {
        ...(options.cursor ? { id: { lt: Number(options.cursor) } } : {}),
        ...(options.actor ? { actor: options.actor } : {}),
      },
      orderBy: { id: 'desc' },
      take: options.limit + 1,
    });
    const items = rows.slice(0, options.limit).map((r) => ({ ...r, detail: r.detail as Record<string, unknown> }));
    return { items, nextCursor: rows.length > options.limit ? String(items[items.length - 1].id) : null };
  }
}
