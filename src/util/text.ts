// Values that would be stored or read differently from what was sent: NUL characters (PostgreSQL
// text cannot hold them), lone UTF-16 surrogates (not UTF-8: stored as U+FFFD), `__proto__` keys
// (dropped or turned into a prototype by JavaScript object handling), and nesting deep enough to
// overflow a recursive walk (hashing, JSON). Walked without recursion.

export interface TextProblem {
  path: string;
  message: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate, which is not valid UTF-8';
  return undefined;
}

/** What is wrong with the strings, keys and nesting of a value; paths start at `root`. At most `max` problems. */
/** Nesting a request may have: a manifest's 100 levels (ManifestLimits.maxDepth) inside the request's own. */
export const MAX_REQUEST_DEPTH = 128;

/** Whether textProblems would find anything: the same walk without building paths (most values are clean). */
function hasTextProblem(value: unknown, maxDepth: number): boolean {
  const stack: unknown[] = [value];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const v = stack.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      if (stringProblem(v)) return true;
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return true;
    if (Array.isArray(v)) {
      for (const child of v) {
        stack.push(child);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      if (k === '__proto__' || stringProblem(k)) return true;
      stack.push((v as Record<string, unknown>)[k]);
      depths.push(depth + 1);
    }
  }
  return false;
}

export function textProblems(value: unknown, root: string, maxDepth: number, max = 20): TextProblem[] {
  if (!hasTextProblem(value, maxDepth)) return [];
  const out: TextProblem[] = [];
  const stack: [unknown, string, number][] = [[value, root, 0]];
  while (stack.length > 0 && out.length < max) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const message = stringProblem(v);
      if (message) out.push({ path, message });
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) {
      out.push({ path, message: `nested more than ${maxDepth} levels deep` });
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i];
      const at = Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      if (!Array.isArray(v)) {
        const keyProblem = stringProblem(k);
        const keyMessage = k === '__proto__' ? 'the key __proto__ is not allowed (JavaScript would drop it)' : keyProblem && `the key ${keyProblem}`;
        if (keyMessage) {
          out.push({ path: at, message: keyMessage });
          continue;
        }
      }
      stack.push([child, at, depth + 1]);
    }
  }
  return out;
}
