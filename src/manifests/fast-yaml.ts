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
import { deepFreeze } from '../util/freeze.js';

/** The reason a document or stream is left to js-yaml (never shown: js-yaml then reports any problem). */
class NotFast extends Error {}
const NOT_FAST = new NotFast();
/** The reason a whole stream is left to js-yaml, found while reading one of its documents. */
const NOT_FAST_STREAM = new Error('not a stream the fast reader reads');

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

type Resolver = (plain: string) => unknown;

/**
 * The documents of a stream as js-yaml's loadAll with `options` would give them, each with what is sure
 * of it (see PlainTree), or undefined where the stream is not one this reader is sure of (then the caller
 * runs js-yaml on it, which also reports errors). With `reuse`, documents read before by the same text
 * are given as then (the same values), and every value is deep-frozen: the memo shares it.
 */
export function fastReadAll(text: string, options: LoadOptions & { schema: Schema }, reuse = false): FastDocument[] | undefined {
  if (text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff) return undefined;
  const schema = options.schema;
  const resolve = resolverOf(schema);
  if (!resolve) return undefined;

  const maxDepth = Math.min(MAX_FAST_DEPTH, (options.maxDepth ?? MAX_FAST_DEPTH) - 2);
  // Documents: content before the first `---` is one (if there is any), and each `---` starts one.
  // Found by searching for line starts, without walking every line: only the documents read are (a
  // document end `...` or a directive there sends the stream to js-yaml). js-yaml refuses some
  // characters anywhere (NON_PRINTABLE): looked for in each document read, and in what is not a document.
  /** Where each `---` line starts and ends. */
  const separators: [number, number][] = [];
  for (let at = lineStarting(text, '---', 0); at >= 0; at = lineStarting(text, '---', at + 3)) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    if (line !== '---' && (!/^--- *(#.*)?$/.test(line) || NON_PRINTABLE.test(line))) return undefined;
    separators.push([at, end]);
  }
  let content = false;
  const head = separators.length ? separators[0][0] : text.length;
  for (let at = 0; at < head && !content; ) {
    let end = text.indexOf('\n', at);
    if (end < 0 || end > head) end = head;
    content = !isBlank(text.slice(at, end));
    at = end + 1;
  }
  if (!content && NON_PRINTABLE.test(text.slice(0, head))) return undefined;
  /** Each document's text as [start, end) offsets, without the line ending that closes it. */
  const ranges: [number, number][] = [];
  if (content) ranges.push([0, separators.length ? separators[0][0] - 1 : text.length]);
  separators.forEach(([, end], k) => ranges.push([end + 1, k + 1 < separators.length ? separators[k + 1][0] - 1 : text.length]));

  const out: FastDocument[] = [];
  const memo = memoFor(options, maxDepth);
  const sources: string[] = [];
  for (const [s, e] of ranges) {
    // The document's own text names its value.
    const source = text.slice(s, Math.max(s, e));
    if (reuse) sources.push(source);
    const known = reuse ? memo.get(source, out.length) : undefined;
    if (known !== undefined) {
      out.push(known);
      continue;
    }
    if (NON_PRINTABLE.test(source)) return undefined;
    let document: FastDocument;
    try {
      // Blocks nest at most maxDepth deep, and a flow `[...]` or `{}` adds one level below them.
      document = { value: readDocument(source, resolve, maxDepth, reuse), plain: { depth: maxDepth + 1, longestString: source.length } };
    } catch (err) {
      if (err === NOT_FAST_STREAM) return undefined;
      if (!(err instanceof NotFast)) throw err;
      // js-yaml reads this one document; if it cannot, the whole stream goes to it for its error.
      try {
        const value = load(source, options) ?? null;
        document = { value: reuse ? deepFreeze(value) : value };
      } catch (yamlError) {
        if (yamlError instanceof YAMLException) return undefined;
        throw yamlError;
      }
    }
    if (reuse) memo.set(source, document);
    out.push(document);
  }
  if (reuse) memo.remember(sources, out);
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
  /** The last stream read, by place: a document at the same place is found by comparing texts, not hashing them. */
  private last: { sources: string[]; documents: FastDocument[] } = { sources: [], documents: [] };
  /** The document read from `source` before, looked for first at the same place (`place`) of the last stream. */
  get(source: string, place: number): FastDocument | undefined {
    if (this.last.sources[place] === source) return this.last.documents[place];
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
  remember(sources: string[], documents: FastDocument[]): void {
    this.last = { sources, documents };
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

/** The first place at or after `from` where a line starts with `prefix`, or -1. */
function lineStarting(text: string, prefix: string, from: number): number {
  if (from === 0 && text.startsWith(prefix)) return 0;
  const at = text.indexOf(`\n${prefix}`, Math.max(0, from - 1));
  return at < 0 ? -1 : at + 1;
}

/**
 * How plain scalars read with the schema, each distinct one resolved once per stream. A scalar whose
 * first character no implicit type of the schema can start with (js-yaml's implicitScalarByFirstChar:
 * most keys and names) is of the schema's default type, a string: it needs no lookup.
 */
function resolverOf(schema: Schema): Resolver | undefined {
  const s = schema as Schema & { resolveImplicitScalarTag?: (plain: string) => { value: unknown } };
  if (typeof s.resolveImplicitScalarTag !== 'function') return undefined;
  const resolveTag = s.resolveImplicitScalarTag.bind(s);
  // The first characters the implicit scalar types say they may start with (null: any).
  const implicit = schema.tags.filter((tag) => tag.nodeKind === 'scalar' && tag.implicit);
  const firstChars = implicit.every((tag) => tag.nodeKind === 'scalar' && Array.isArray(tag.implicitFirstChars))
    ? new Set(implicit.flatMap((tag) => (tag.nodeKind === 'scalar' ? tag.implicitFirstChars ?? [] : [])))
    : undefined;
  const plainIsString = firstChars !== undefined && schema.defaultScalarTag.tagName === 'tag:yaml.org,2002:str';
  const resolved = new Map<string, unknown>();
  return (plain) => {
    if (plainIsString && plain !== '' && !firstChars.has(plain[0])) return plain;
    let v = resolved.get(plain);
    if (v === undefined && !resolved.has(plain)) resolved.set(plain, (v = resolveTag(plain).value));
    return v;
  };
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x20) continue;
    return c === 0x23; // '#': a comment line
  }
  return true;
}

/**
 * The document's lines that hold something (not blank, not a comment): where each starts past its
 * indent, its indent, and where it ends. Offsets into the document's text, in tables kept between
 * documents (the reader is not re-entered): cutting and wrapping every line made most of its garbage.
 */
const lines: { start: Int32Array; indent: Int32Array; end: Int32Array; count: number } = {
  start: new Int32Array(1024),
  indent: new Int32Array(1024),
  end: new Int32Array(1024),
  count: 0,
};

function addLine(start: number, indent: number, end: number): void {
  if (lines.count === lines.start.length) {
    const grown = (a: Int32Array): Int32Array => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    lines.start = grown(lines.start);
    lines.indent = grown(lines.indent);
    lines.end = grown(lines.end);
  }
  lines.start[lines.count] = start;
  lines.indent[lines.count] = indent;
  lines.end[lines.count] = end;
  lines.count++;
}

function readDocument(source: string, resolve: Resolver, maxDepth: number, freeze: boolean): unknown {
  lines.count = 0;
  for (let at = 0; at <= source.length; ) {
    let end = source.indexOf('\n', at);
    if (end < 0) end = source.length;
    let first = at;
    while (source.charCodeAt(first) === 0x20) first++;
    if (first < end && source.charCodeAt(first) !== 0x23 /* # */) {
      // A document end or a directive changes where documents are: the whole stream is js-yaml's.
      if (first === at && (source.charCodeAt(at) === 0x25 /* % */ || source.startsWith('...', at))) throw NOT_FAST_STREAM;
      addLine(first, first - at, end);
    }
    at = end + 1;
  }
  if (lines.count === 0) return null;
  if (lines.indent[0] !== 0) throw NOT_FAST;
  const reader = new BlockReader(source, resolve, maxDepth, freeze);
  const value = reader.block(0, 1);
  if (reader.i !== lines.count) throw NOT_FAST;
  return value;
}

/** Characters that start something other than a plain scalar (or may, in a flow sequence), by char code. */
const STARTS_INDICATOR = new Uint8Array(128);
for (const c of INDICATOR) STARTS_INDICATOR[c.charCodeAt(0)] = 1;
const isIndicator = (code: number): boolean => code < 128 && STARTS_INDICATOR[code] === 1;

// Only spaces separate what this reader reads (tabs send the stream to js-yaml): trim() and its kin
// would also drop the Unicode spaces (U+00A0, U+3000, ...) that js-yaml keeps in a plain scalar.
function skipSpaces(text: string, from: number, end: number): number {
  while (from < end && text.charCodeAt(from) === 0x20) from++;
  return from;
}

/** Where the text in [from, end) ends without the spaces it ends with. */
function trimmedEnd(text: string, from: number, end: number): number {
  while (end > from && text.charCodeAt(end - 1) === 0x20) end--;
  return end;
}

/** The rest of a line from `from`, after a value: nothing, or spaces and a comment. */
function onlyComment(text: string, from: number, end: number): boolean {
  const at = skipSpaces(text, from, end);
  return at === end || (text.charCodeAt(at) === 0x23 /* # */ && at > from);
}

/** Whether the text at [from, end) is a sequence item: `-` alone or `- ...`. */
const isSequenceItem = (text: string, from: number, end: number): boolean =>
  text.charCodeAt(from) === 0x2d /* - */ && (from + 1 === end || text.charCodeAt(from + 1) === 0x20);

/** Where a plain mapping key in [from, end) ends (its ':'), or -1 if the text is not `key:` or `key: value`. */
function keyEnd(text: string, from: number, end: number): number {
  if (isIndicator(text.charCodeAt(from))) return -1;
  for (let j = from; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x3a /* : */ && (j + 1 === end || text.charCodeAt(j + 1) === 0x20)) return j;
    if (c === 0x23 /* # */ && text.charCodeAt(j - 1) === 0x20) return -1;
  }
  return -1;
}

class BlockReader {
  /** The line being read (an index into `lines`). */
  i = 0;
  constructor(
    private readonly text: string,
    private readonly resolve: Resolver,
    private readonly maxDepth: number,
    /** Each map and list frozen as it is made: cheaper than a walk over the document afterwards. */
    private readonly freeze: boolean,
  ) {}

  private done<T extends object>(value: T): T {
    return this.freeze ? Object.freeze(value) : value;
  }

  private isItem(i: number): boolean {
    return isSequenceItem(this.text, lines.start[i], lines.end[i]);
  }

  /** The node starting at line i, whose lines are indented by `indent`. */
  block(indent: number, depth: number): unknown {
    if (depth > this.maxDepth) throw NOT_FAST;
    return this.isItem(this.i) ? this.sequence(indent, depth) : this.mapping(indent, depth);
  }

  /** The value after `key:` or `-` with nothing after it on the line: the deeper lines, or null. */
  private nested(indent: number, depth: number, compactSequence: boolean): unknown {
    const next = this.i;
    if (next < lines.count && lines.indent[next] > indent) return this.block(lines.indent[next], depth + 1);
    // A sequence may sit at its key's own indent (`key:\n- a`).
    if (compactSequence && next < lines.count && lines.indent[next] === indent && this.isItem(next)) return this.sequence(indent, depth + 1);
    return null;
  }

  /** After a one-line value: the next line must not be deeper (that would be a continuation or an error). */
  private endOfValue(indent: number): void {
    if (this.i < lines.count && lines.indent[this.i] > indent) throw NOT_FAST;
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const text = this.text;
    while (this.i < lines.count) {
      const i = this.i;
      if (lines.indent[i] < indent) break;
      if (lines.indent[i] > indent || this.isItem(i)) throw NOT_FAST;
      const start = lines.start[i];
      const end = lines.end[i];
      const colon = keyEnd(text, start, end);
      if (colon <= start || text.charCodeAt(colon - 1) === 0x20) throw NOT_FAST;
      const key = String(this.resolve(text.slice(start, colon)));
      if (key === '<<' || key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) throw NOT_FAST;

      this.i++;
      if (onlyComment(text, colon + 1, end)) {
        out[key] = this.nested(indent, depth, true);
      } else {
        out[key] = this.scalar(skipSpaces(text, colon + 1, end), end);
        this.endOfValue(indent);
      }
    }
    return this.done(out);
  }

  private sequence(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    const text = this.text;
    while (this.i < lines.count) {
      const i = this.i;
      const lineIndent = lines.indent[i];
      if (lineIndent < indent || (lineIndent === indent && !this.isItem(i))) break;
      if (lineIndent > indent) throw NOT_FAST;
      const start = lines.start[i];
      const end = lines.end[i];
      const content = skipSpaces(text, start + 1, end);
      if (content === end || text.charCodeAt(content) === 0x23 /* # */) {
        this.i++;
        out.push(this.nested(indent, depth, false));
      } else if (isSequenceItem(text, content, end)) {
        throw NOT_FAST;
      } else if (keyEnd(text, content, end) > content) {
        // `- key: value`: a mapping whose keys line up with this first one.
        const column = indent + (content - start);
        lines.start[i] = content;
        lines.indent[i] = column;
        out.push(this.mapping(column, depth + 1));
      } else {
        this.i++;
        out.push(this.scalar(content, end));
        this.endOfValue(indent);
      }
    }
    return this.done(out);
  }

  /** A one-line scalar value in [from, end) (from is not a space). */
  private scalar(from: number, end: number): unknown {
    const text = this.text;
    const c = text.charCodeAt(from);
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const close = text.indexOf(c === 0x22 ? '"' : "'", from + 1);
      if (close < 0 || close >= end) throw NOT_FAST;
      const value = text.slice(from + 1, close);
      if ((c === 0x22 && value.includes('\\')) || (c === 0x27 && close + 1 < end && text.charCodeAt(close + 1) === 0x27)) throw NOT_FAST;
      if (!onlyComment(text, close + 1, end)) throw NOT_FAST;
      return value;
    }
    if (c === 0x5b /* [ */) return this.done(this.flowSequence(text.slice(from, end)));
    if (c === 0x7b /* { */) {
      if (/^\{ *\}( +#.*)? *$/.test(text.slice(from, end))) return this.done({});
      throw NOT_FAST;
    }
    if (isIndicator(c)) throw NOT_FAST;
    return this.plain(from, end);
  }

  private plain(from: number, end: number): unknown {
    const text = this.text;
    // A comment starts at ` #`.
    let stop = end;
    for (let j = from + 1; j < end; j++) {
      if (text.charCodeAt(j) === 0x23 /* # */ && text.charCodeAt(j - 1) === 0x20) {
        stop = j - 1;
        break;
      }
    }
    stop = trimmedEnd(text, from, stop);
    // `: ` inside, or a `:` at the end, would make it a mapping.
    for (let j = from; j < stop; j++) {
      if (text.charCodeAt(j) === 0x3a /* : */ && (j + 1 === stop || text.charCodeAt(j + 1) === 0x20)) throw NOT_FAST;
    }
    return this.resolve(text.slice(from, stop));
  }

  /** `[]`, or `[a, "b", c]` of one-line scalars. */
  private flowSequence(text: string): unknown[] {
    const close = text.lastIndexOf(']');
    if (close < 0 || !onlyComment(text, close + 1, text.length)) throw NOT_FAST;
    const inner = text.slice(1, close);
    if (skipSpaces(inner, 0, inner.length) === inner.length) return [];
    if (/[[\]{}#'\\]/.test(inner)) throw NOT_FAST;
    return inner.split(',').map((raw) => {
      const item = raw.slice(skipSpaces(raw, 0, raw.length), trimmedEnd(raw, 0, raw.length));
      if (item === '') throw NOT_FAST;
      if (item[0] === '"') {
        if (item.length < 2 || item.indexOf('"', 1) !== item.length - 1) throw NOT_FAST;
        return item.slice(1, -1);
      }
      if (isIndicator(item.charCodeAt(0)) || item.includes('"') || item.includes(':')) throw NOT_FAST;
      return this.resolve(item);
    });
  }
}
