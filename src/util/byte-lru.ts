// A least-recently-used cache bounded by bytes rather than entries: a heavy entry (a big mesh)
// pushes out several light ones, so a heavy request cannot leave the next one without memory.
// Sizes are asked of the entries each time, since a compiled scenario grows as it is used.

import { getHeapStatistics } from 'node:v8';

export class ByteLru<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Re-inserted to mark it most recently used (a Map keeps insertion order).
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.trim(key);
  }

  /** Drops the least recently used entries until the total fits; `keep` (the one in use) stays even when alone it does not fit. */
  trim(keep?: string): void {
    let total = this.bytes;
    for (const [key, value] of this.entries) {
      if (total <= this.maxBytes) break;
      if (key === keep) continue;
      total -= this.sizeOf(value);
      this.entries.delete(key);
    }
  }

  get bytes(): number {
    let total = 0;
    for (const value of this.entries.values()) total += this.sizeOf(value);
    return total;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Growth of this thread's heap while `work` runs: an upper estimate of what it keeps (garbage not yet collected counts too). */
export function heapGrowth<T>(work: () => T): { value: T; bytes: number } {
  const before = getHeapStatistics().used_heap_size;
  const value = work();
  return { value, bytes: Math.max(0, getHeapStatistics().used_heap_size - before) };
}
