// Who is calling: a bearer token of ours (mpt_...), a JWT of the configured OIDC issuer, or
// nobody; and whether access control is on at all (the two-command start leaves it open).

import type { OidcVerifier } from './oidc.js';
import type { Role } from './roles.js';
import { TOKEN_PREFIX, type TokenStore } from './tokens.js';

export interface Identity {
  /** Recorded as author, reviewer and in the audit log; "anonymous" without credentials. */
  name: string;
  /** null: no credentials, or a signed-in user whose claims map to no role. */
  role: Role | null;
  /** open: access control is off and everyone is admin; none: no (valid) credentials. */
  via: 'token' | 'oidc' | 'open' | 'none';
  tokenId?: number;
  /** Why the credentials sent were refused. */
  refused?: string;
}

export const OPEN_IDENTITY: Identity = Object.freeze({ name: 'anonymous', role: 'admin', via: 'open' });
export const anonymous = (refused?: string): Identity => ({ name: 'anonymous', role: null, via: 'none', ...(refused ? { refused } : {}) });

export interface AccessControlOptions {
  mode: 'auto' | 'on' | 'off';
  tokens: TokenStore;
  oidc?: OidcVerifier;
  /** Whether access control is on from the start (see ./startup.ts). */
  enforced: boolean;
  /** Told once, when auto mode turns access control on. */
  onEnforced?: (why: string) => void;
}

export class AccessControl {
  private on: boolean;

  constructor(private readonly options: AccessControlOptions) {
    this.on = options.mode === 'on' || (options.mode === 'auto' && (options.enforced || options.oidc !== undefined));
  }

  /**
   * Auto mode turns on when a token is created over the API or first used (one created with the
   * command line while the service runs open). Once on, it stays on for the life of the process:
   * revoking every token does not open the service again.
   */
  turnOn(why: string): void {
    if (this.on || this.options.mode !== 'auto') return;
    this.on = true;
    this.options.onEnforced?.(why);
  }

  /** The caller of a request with this Authorization header. */
  async identify(authorization: string | undefined): Promise<Identity> {
    if (this.options.mode === 'off') return OPEN_IDENTITY;
    if (!authorization) return this.on ? anonymous() : OPEN_IDENTITY;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    const identity = bearer ? await this.verify(bearer) : anonymous('the Authorization header must be "Bearer <token>"');
    if (identity.via === 'token') this.turnOn(`token ${identity.tokenId} (${identity.name}) was used`);
    if (!this.on && identity.via === 'none') return OPEN_IDENTITY;
    return identity;
  }

  private async verify(bearer: string): Promise<Identity> {
    if (bearer.startsWith(TOKEN_PREFIX)) {
      const check = await this.options.tokens.check(bearer);
      return check.ok ? { name: check.token.name, role: check.token.role, via: 'token', tokenId: check.token.id } : anonymous(check.reason);
    }
    if (!this.options.oidc) return anonymous(`not a meshplan token (${TOKEN_PREFIX}...), and no OIDC issuer is configured`);
    const check = await this.options.oidc.check(bearer);
    return check.ok ? { name: check.name, role: check.role, via: 'oidc' } : anonymous(check.reason);
  }
}
