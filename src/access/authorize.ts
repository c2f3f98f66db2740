// The one check every rule goes through: 401 for no (valid) credentials, 403 for too little role.

import { ForbiddenError, UnauthenticatedError } from './errors.js';
import type { Identity } from './identity.js';
import { roleAllows, type Role } from './roles.js';

/** Throws unless the caller has at least `needs`; `what` names the action in the refusal. */
export function authorize(identity: Identity, needs: Role, what: string): void {
  if (identity.role && roleAllows(identity.role, needs)) return;
  if (identity.via === 'none') {
    throw new UnauthenticatedError(
      identity.refused ? `${identity.refused}; ${what} needs role ${needs}` : `${what} needs a bearer token or a signed-in user with role ${needs}`,
    );
  }
  throw new ForbiddenError(`${what} needs role ${needs}; ${identity.name} has ${identity.role ? `role ${identity.role}` : 'no role'}`);
}
