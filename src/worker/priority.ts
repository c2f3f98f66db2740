// The engine's threads yield the CPU to the event loop. On Linux a thread has its own nice value
// (setpriority on its thread id), so with the threads at a lower priority the main thread answers
// /healthz and small requests first while translations run, and the threads still get every cycle
// it leaves idle.

import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Lowers the calling thread's CPU priority by `nice` (0: unchanged); false where the platform has no per-thread priority. */
export function lowerThreadPriority(nice: number): boolean {
  if (nice <= 0) return false;
  try {
    // /proc/thread-self links to <pid>/task/<tid>.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
