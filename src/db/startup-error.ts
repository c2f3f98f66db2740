// A start-up failure the user can act on: its message is the one log line the service prints
// before it exits 1, saying the cause and what to do.

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** A file-system error as a sentence with what to do, for the errors a laptop's disk gives. */
export function describeFsError(e: unknown, what: string): string {
  const err = e as NodeJS.ErrnoException;
  const where = err.path ? ` (${err.path})` : '';
  switch (err.code) {
    case 'ENOSPC':
      return `${what}: the disk is full${where}: free some space, or set DATA_DIR to another disk`;
    case 'EACCES':
    case 'EPERM':
      return `${what}: permission denied${where}: give this user write access, or set DATA_DIR elsewhere`;
    case 'EROFS':
      return `${what}: the file system is read-only${where}: set DATA_DIR to a writable folder`;
    case 'ENOTDIR':
      return `${what}: a file stands where a folder should${where}: set DATA_DIR to a folder`;
    default:
      return `${what}: ${err.message ?? String(e)}`;
  }
}

/** The one line for any start-up failure: a StartupError's own sentence, else the error's name and message (no stack). */
export function startupFailure(e: unknown): string {
  if (e instanceof StartupError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND' || err?.code === 'ETIMEDOUT') {
    return `cannot reach the database (${err.code}${err.message ? `: ${err.message}` : ''}): check DATABASE_URL, or unset it for the embedded PostgreSQL`;
  }
  if (err?.code === 'EADDRINUSE') return `the service's port is taken (${err.message}): set PORT to a free port, or stop what uses it`;
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(e);
  return text.replace(/\s*\n\s*/g, ' ');
}
