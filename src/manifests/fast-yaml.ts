// A fast reader for the block-style YAML that manifests are written in (kubectl, Helm and kustomize
// output): block mappings and sequences, one-line plain and quoted scalars, `[]`/`{}` and one-line flow
// sequences of scalars, comments. js-yaml, the fastest YAML parser on npm, reads about 6 MB/s; this reads
// that subset several times faster, because it works line by line and resolves each distinct plain
// scalar once. Plain scalars are resolved by js-yaml's own schema (the same YAML 1.1 booleans, octals
// and nulls), so a document it reads has the value js-yaml gives it. Anything else (block scalars,
// anchors and aliases, tags, multi-line scalars, escapes, quoted keys, directives, tabs, CR) it does not
// guess at: the document goes to js-yaml, and on any doubt about the whole stream, the stream does.
// test/manifests/fast-yaml.test.ts compares the two on every manifest of the repository.

import { load, YAMLException, type LoadOptions, type Schema } from 'js-yaml';

/** The reason a document or stream is left to js-yaml (never shown: js-yaml then reports any problem). */
class NotFast extends Error {}
const NOT_FAST = new NotFast();

/** js-yaml's test for input it refuses outright (non-printable characters, lone surrogates). */
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
/** Characters that start something other than a plain scalar (or may, in a flow sequence). */
const INDICATOR = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);
/** Deeper than this (or near the caller's maxDepth), js-yaml's own depth limit decides. */
const MAX_FAST_DEPTH = 64;

/**
 * What is sure of a document this reader built: it is a tree (no object in two places) of strings cut
 * from its text, which has no NUL or lone surrogate (NON_PRINTABLE), and no key is `__proto__`. Checks
 * that look for those, or for deeper nesting or longer strings than these bounds, need not walk it.
 */
export interface PlainTree {
  /** Nesting of maps and lists, the document itself level 1, is at most this. */
  depth: number;
  /** No string (key or value) is longer than this: the document's text. */
  longestString: number;
}

/** One document of a stream, and what is sure of it when this reader built it (js-yaml read the others). */
export interface FastDocument {
  value: unknown;
  plain?: PlainTree;
}

interface Line {
  indent: number;
  text: string;
}

type Resolver = (plain: string) => unknown;

/**
 * The documents of a stream as js-yaml's loadAll with `options` would give them, each with what is sure
 * of it (see PlainTree), or undefined where the stream is not one this reader is sure of (then the caller
 * runs js-yaml on it, which also reports errors). With `reuse`, documents read before by the same text
 * are given as then (the same values).
 */
export function fastReadAll(text: string, options: LoadOptions & { schema: Schema }, reuse = false): FastDocument[] | undefined {
  if (text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff || NON_PRINTABLE.test(text)) return undefined;
  const schema = options.schema as Schema & { resolveImplicitScalarTag?: (s: string) => { value: unknown } };
  if (typeof schema.resolveImplicitScalarTag !== 'function') return undefined;
  const resolved = new Map<string, unknown>();
  const resolve: Resolver = (plain) => {
    let v = resolved.get(plain);
    if (v === undefined && !resolved.has(plain)) resolved.set(plain, (v = schema.resolveImplicitScalarTag!(plain).value));
    return v;
  };

  const maxDepth = Math.min(MAX_FAST_DEPTH, (options.maxDepth ?? MAX_FAST_DEPTH) - 2);
  // Documents: content before the first `---` is one (if there is any), and each `---` starts one.
  // Found by walking line starts, without splitting the text: only the documents read are split into lines.
  /** Where each `---` line starts and ends. */
  const separators: [number, number][] = [];
  let content = false;
  for (let at = 0; at <= text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(at);
    if (c === 0x2d /* - */ && text.startsWith('---', at)) {
      const line = text.slice(at, end);
      if (line !== '---' && !/^--- *(#.*)?$/.test(line)) return undefined;
      separators.push([at, end]);
    } else if ((c === 0x2e /* . */ && text.startsWith('...', at)) || c === 0x25 /* % */) {
      return undefined;
    } else if (separators.length === 0 && !content && !isBlank(text.slice(at, end))) {
      content = true;
    }
    at = end + 1;
  }
  /** Each document's text as [start, end) offsets, without the line ending that closes it. */
  const ranges: [number, number][] = [];
  if (content) ranges.push([0, separators.length ? separators[0][0] - 1 : text.length]);
  separators.forEach(([, end], k) => ranges.push([end + 1, k + 1 < separators.length ? separators[k + 1][0] - 1 : text.length]));

  const out: FastDocument[] = [];
  const memo = memoFor(options, maxDepth);
  for (const [s, e] of ranges) {
    // The document's own text names its value.
    const source = text.slice(s, Math.max(s, e));
    const known = reuse ? memo.get(source) : undefined;
    if (known !== undefined) {
      out.push(known);
      continue;
    }
    let document: FastDocument;
    try {
      // Blocks nest at most maxDepth deep, and a flow `[...]` or `{}` adds one level below them.
      document = { value: readDocument(source, resolve, maxDepth), plain: { depth: maxDepth + 1, longestString: source.length } };
    } catch (err) {
      if (!(err instanceof NotFast)) throw err;
      // js-yaml reads this one document; if it cannot, the whole stream goes to it for its error.
      try {
        document = { value: load(source, options) ?? null };
      } catch (yamlError) {
        if (yamlError instanceof YAMLException) return undefined;
        throw yamlError;
      }
    }
    if (reuse) memo.set(source, document);
    out.push(document);
  }
  return out;
}

/**
 * Documents read before, by their text: a new revision of a scenario that changes one object reads only
 * that object's document again. Every revision that has the document shares its value, so the caller
 * must not change it (parseManifests freezes it once it has checked it). Bounded by the text it holds,
 * per thread; the oldest go first.
 */
// A document's value takes some 20-30 times its text on the heap: 4 MiB of text keeps the last two
// revisions of a 1000-service mesh (1.6 MiB each) in about 100 MiB.
const MEMO_BYTES = 4 * 1024 * 1024;
const memos = new WeakMap<Schema, Map<string, DocumentMemo>>();

class DocumentMemo {
  private readonly values = new Map<string, FastDocument>();
  private bytes = 0;
  get(source: string): FastDocument | undefined {
    return this.values.get(source);
  }
  set(source: string, entry: FastDocument): void {
    if (source.length > MEMO_BYTES / 4) return;
    this.values.set(source, entry);
    this.bytes += source.length;
    if (this.bytes <= MEMO_BYTES) return;
    // Down to three quarters in one pass: evicting one at a time would walk the deleted entries each time.
    for (const oldest of this.values.keys()) {
      if (this.bytes <= (MEMO_BYTES * 3) / 4) break;
      this.values.delete(oldest);
      this.bytes -= oldest.length;
    }
  }
}

/** One memo per reading: the schema and limits decide what a text reads as, and what js-yaml refuses. */
function memoFor(options: LoadOptions & { schema: Schema }, fastDepth: number): DocumentMemo {
  let bySchema = memos.get(options.schema);
  if (!bySchema) memos.set(options.schema, (bySchema = new Map()));
  const key = `${fastDepth}/${options.maxDepth}/${options.maxAliases}`;
  let memo = bySchema.get(key);
  if (!memo) bySchema.set(key, (memo = new DocumentMemo()));
  return memo;
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x20) continue;
    return c === 0x23; // '#': a comment line
  }
  return true;
}

function readDocument(source: string, resolve: Resolver, maxDepth: number): unknown {
  // Each line cut once, past its indent (not split, then cut again): the reader allocates for every line.
  const lines: Line[] = [];
  for (let at = 0; at <= source.length; ) {
    let end = source.indexOf('\n', at);
    if (end < 0) end = source.length;
    let first = at;
    while (source.charCodeAt(first) === 0x20) first++;
    // Blank lines and comment lines hold nothing.
    if (first < end && source.charCodeAt(first) !== 0x23 /* # */) lines.push({ indent: first - at, text: source.slice(first, end) });
    at = end + 1;
  }
  if (lines.length === 0) return null;
  if (lines[0].indent !== 0) throw NOT_FAST;
  const reader = new BlockReader(lines, resolve, maxDepth);
  const value = reader.block(0, 1);
  if (reader.i !== lines.length) throw NOT_FAST;
  return value;
}

const isSequenceItem = (text: string): boolean => text === '-' || text.startsWith('- ');

/** Where a plain mapping key ends (its ':'), or -1 if the text is not `key:` or `key: value`. */
function keyEnd(text: string): number {
  if (INDICATOR.has(text[0])) return -1;
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x3a /* : */ && (j + 1 === text.length || text.charCodeAt(j + 1) === 0x20)) return j;
    if (c === 0x23 /* # */ && text.charCodeAt(j - 1) === 0x20) return -1;
  }
  return -1;
}

// Only spaces separate what this reader reads (tabs send the stream to js-yaml): trim() and its kin
// would also drop the Unicode spaces (U+00A0, U+3000, ...) that js-yaml keeps in a plain scalar.
const skipSpaces = (text: string, from: number): number => {
  while (text.charCodeAt(from) === 0x20) from++;
  return from;
};

/** The text without the spaces it ends with. */
function trimSpacesEnd(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** The rest of a line from `from`, after a value: nothing, or spaces and a comment. */
function onlyComment(text: string, from: number): boolean {
  const at = skipSpaces(text, from);
  return at === text.length || (text.charCodeAt(at) === 0x23 /* # */ && at > from);
}

class BlockReader {
  i = 0;
  constructor(
    private readonly lines: Line[],
    private readonly resolve: Resolver,
    private readonly maxDepth: number,
  ) {}

  /** The node starting at line i, whose lines are indented by `indent`. */
  block(indent: number, depth: number): unknown {
    if (depth > this.maxDepth) throw NOT_FAST;
    return isSequenceItem(this.lines[this.i].text) ? this.sequence(indent, depth) : this.mapping(indent, depth);
  }

  /** The value after `key:` or `-` with nothing after it on the line: the deeper lines, or null. */
  private nested(indent: number, depth: number, compactSequence: boolean): unknown {
    const next = this.lines[this.i];
    if (next && next.indent > indent) return this.block(next.indent, depth + 1);
    // A sequence may sit at its key's own indent (`key:\n- a`).
    if (compactSequence && next && next.indent === indent && isSequenceItem(next.text)) return this.sequence(indent, depth + 1);
    return null;
  }

  /** After a one-line value: the next line must not be deeper (that would be a continuation or an error). */
  private endOfValue(indent: number): void {
    const next = this.lines[this.i];
    if (next && next.indent > indent) throw NOT_FAST;
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.indent < indent) break;
      if (line.indent > indent || isSequenceItem(line.text)) throw NOT_FAST;
      const text = line.text;
      const end = keyEnd(text);
      if (end <= 0 || text.charCodeAt(end - 1) === 0x20) throw NOT_FAST;
      const key = String(this.resolve(text.slice(0, end)));
      if (key === '<<' || key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) throw NOT_FAST;

      this.i++;
      if (onlyComment(text, end + 1)) {
        out[key] = this.nested(indent, depth, true);
      } else {
        out[key] = this.scalar(text.slice(skipSpaces(text, end + 1)));
        this.endOfValue(indent);
      }
    }
    return out;
  }

  private sequence(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.indent < indent || (line.indent === indent && !isSequenceItem(line.text))) break;
      if (line.indent > indent) throw NOT_FAST;
      const lead = skipSpaces(line.text, 1) - 1;
      const content = line.text.slice(1 + lead);
      if (content === '' || content[0] === '#') {
        this.i++;
        out.push(this.nested(indent, depth, false));
      } else if (isSequenceItem(content)) {
        throw NOT_FAST;
      } else if (keyEnd(content) > 0) {
        // `- key: value`: a mapping whose keys line up with this first one.
        const column = indent + 1 + lead;
        this.lines[this.i] = { indent: column, text: content };
        out.push(this.mapping(column, depth + 1));
      } else {
        this.i++;
        out.push(this.scalar(content));
        this.endOfValue(indent);
      }
    }
    return out;
  }

  /** A one-line scalar value (text starts with a non-space). */
  private scalar(text: string): unknown {
    const c = text[0];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, 1);
      if (close < 0) throw NOT_FAST;
      const value = text.slice(1, close);
      if ((c === '"' && value.includes('\\')) || (c === "'" && text[close + 1] === "'")) throw NOT_FAST;
      if (!onlyComment(text, close + 1)) throw NOT_FAST;
      return value;
    }
    if (c === '[') return this.flowSequence(text);
    if (c === '{') {
      if (/^\{ *\}( +#.*)? *$/.test(text)) return {};
      throw NOT_FAST;
    }
    if (INDICATOR.has(c)) throw NOT_FAST;
    return this.plain(text);
  }

  private plain(text: string): unknown {
    const comment = text.indexOf(' #');
    const value = trimSpacesEnd(comment >= 0 ? text.slice(0, comment) : text);
    if (value.includes(': ') || value.endsWith(':')) throw NOT_FAST;
    return this.resolve(value);
  }

  /** `[]`, or `[a, "b", c]` of one-line scalars. */
  private flowSequence(text: string): unknown[] {
    const close = text.lastIndexOf(']');
    if (close < 0 || !onlyComment(text, close + 1)) throw NOT_FAST;
    const inner = text.slice(1, close);
    if (skipSpaces(inner, 0) === inner.length) return [];
    if (/[[\]{}#'\\]/.test(inner)) throw NOT_FAST;
    return inner.split(',').map((raw) => {
      const item = trimSpacesEnd(raw.slice(skipSpaces(raw, 0)));
      if (item === '') throw NOT_FAST;
      if (item[0] === '"') {
        if (item.length < 2 || item.indexOf('"', 1) !== item.length - 1) throw NOT_FAST;
        return item.slice(1, -1);
      }
      if (INDICATOR.has(item[0]) || item.includes('"') || item.includes(':')) throw NOT_FAST;
      return this.resolve(item);
    });
  }
}
