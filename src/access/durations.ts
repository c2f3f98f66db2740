// Token lifetimes as people write them: "30d", "12h", "90m", "2w" (or an ISO date).

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** When a token given `expires` runs out, counted from `now`; throws a message naming what it accepts. */
export function expiryFrom(expires: string, now: Date = new Date()): Date {
  const relative = /^(\d+)\s*([mhdw])$/.exec(expires.trim());
  if (relative && Number(relative[1]) > 0) return new Date(now.getTime() + Number(relative[1]) * UNITS[relative[2]]);
  const absolute = /^\d{4}-\d{2}-\d{2}/.test(expires) ? new Date(expires) : undefined;
  if (absolute && !Number.isNaN(absolute.getTime()) && absolute > now) return absolute;
  throw new Error(`expires "${expires}": expected a positive duration such as 90m, 12h, 30d or 2w, or a future ISO date`);
}
