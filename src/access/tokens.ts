// API tokens: random bearer secrets of which only a SHA-256 is stored, so a stolen database
// gives no usable token; a token is shown once, when created, and can be revoked or expire.
// A slow password hash is not needed: the secret has 256 random bits, nothing to guess.

import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.js';
import { NotFoundError, ValidationError } from '../store/errors.js';
import { expiryFrom } from './durations.js';
import { isRole, ROLES, type Role } from './roles.js';
import { requestProblem } from '../manifests/types.js';

/** Every token starts so, which tells it apart from a JWT and lets secret scanners find it. */
export const TOKEN_PREFIX = 'mpt_';

export interface TokenRecord {
  id: number;
  name: string;
  role: Role;
  /** The token's first characters. */
  prefix: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface CreatedToken extends TokenRecord {
  /** The bearer secret: returned here only, never again. */
  token: string;
}

export interface TokenInput {
  name: string;
  role: string;
  /** A lifetime ("30d") or an ISO date; none: the token does not expire. */
  expires?: string;
  createdBy?: string;
}

export type TokenCheck = { ok: true; token: TokenRecord } | { ok: false; reason: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
/** How stale last_used_at may get before a use writes it again (a write per request would be waste). */
const LAST_USED_PRECISION_MS = 60_000;

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');


const select = {
  id: true, name: true, role: true, prefix: true, createdBy: true, createdAt: true, expiresAt: true, revokedAt: true, lastUsedAt: true,
} as const;

export class TokenStore {
  constructor(private readonly prisma: PrismaClient) {}

  async create(input: TokenInput, now: Date = new Date()): Promise<CreatedToken> {
    const problems = [];
    if (typeof input.name !== 'string' || !NAME.test(input.name)) {
      problems.push(requestProblem('name', 'name must be 1-128 letters, digits, ".", "_", "@" or "-", starting with a letter or digit'));
    }
    if (!isRole(input.role)) problems.push(requestProblem('role', `role must be one of ${ROLES.join(', ')}`));
    let expiresAt: Date | null = null;
    if (input.expires !== undefined) {
      try {
        expiresAt = expiryFrom(input.expires, now);
      } catch (e) {
        problems.push(requestProblem('expires', (e as Error).message));
      }
    }
    if (problems.length > 0) throw new ValidationError(`${problems.length} requestProblem(s) in the token request`, problems);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.prisma.apiToken.create({
      data: {
        name: input.name,
        role: input.role as Role,
        hash: hashOf(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        createdBy: input.createdBy ?? '',
        createdAt: now,
        expiresAt,
      },
      select,
    });
    return { ...row, token };
  }

  /** Every token, newest first (revoked and expired ones too: the audit log names them). */
  async list(): Promise<TokenRecord[]> {
    return this.prisma.apiToken.findMany({ orderBy: { id: 'desc' }, select });
  }

  /** Revokes a token for good; revoking it again keeps the first time. */
  async revoke(id: number, now: Date = new Date()): Promise<TokenRecord> {
    const found = await this.prisma.apiToken.findUnique({ where: { id }, select });
    if (!found) throw new NotFoundError(`token ${id} not found`);
    if (found.revokedAt) return found;
    return this.prisma.apiToken.update({ where: { id }, data: { revokedAt: now }, select });
  }

  /** Whether a bearer secret is a live token, and whose. */
  async check(token: string, now: Date = new Date()): Promise<TokenCheck> {
    const found = await this.prisma.apiToken.findUnique({ where: { hash: hashOf(token) }, select });
    if (!found) return { ok: false, reason: 'unknown token' };
    if (found.revokedAt) return { ok: false, reason: `token ${found.id} (${found.name}) was revoked` };
    if (found.expiresAt && found.expiresAt <= now) {
      return { ok: false, reason: `token ${found.id} (${found.name}) expired at ${found.expiresAt.toISOString()}` };
    }
    if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
      await this.prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: now } });
    }
    return { ok: true, token: found };
  }

  /** Tokens that can still be used. */
  async activeCount(now: Date = new Date()): Promise<number> {
    return this.prisma.apiToken.count({ where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } });
  }
}
