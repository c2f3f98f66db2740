// The four roles, in order: each may do what the roles before it may (issue 15).
//   reader    reads, translate, trace and the other stateless computations
//   editor    + create scenarios and revisions, submit them for review
//   reviewer  + approve and reject
//   admin     + delete, tokens, the audit log, force an approval past four eyes

export const ROLES = ['reader', 'editor', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** Whether a caller with role `has` may do what needs role `needs`. */
export const roleAllows = (has: Role, needs: Role): boolean => ROLES.indexOf(has) >= ROLES.indexOf(needs);

/** The highest of some roles, or undefined for none. */
export const highestRole = (roles: Iterable<Role>): Role | undefined =>
  [...roles].sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0];
