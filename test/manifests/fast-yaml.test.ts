// The fast block-YAML reader against js-yaml: on every manifest stream the repository has (Istio's
// simulation cases, the yardsticks' inputs, the samples, the benchmark meshes) and on YAML's corner
// cases, it either declines or gives exactly js-yaml's documents.

import t from 'tap';
import { loadAll, binaryTag, omapTag, pairsTag, Schema, setTag, timestampTag, YAML11_SCHEMA } from 'js-yaml';
import { fastReadAll } from '../../src/manifests/fast-yaml.js';
import { manifestStreams } from '../support/streams.js';

/** The values the fast reader gives, as js-yaml's loadAll would (undefined where it steps aside). */
const fastLoadAll = (...args: Parameters<typeof fastReadAll>): unknown[] | undefined => fastReadAll(...args)?.map((d) => d.value);

// The schema of src/manifests/index.ts: YAML 1.1 without the tags JSON cannot carry.
const NOT_JSON = [timestampTag, setTag, omapTag, pairsTag, binaryTag];
const schema = new Schema(YAML11_SCHEMA.tags.filter((tag) => !NOT_JSON.includes(tag)));
const options = { schema, maxAliases: 0, maxDepth: 100 };

/** js-yaml's documents, or its error message. */
function reference(text: string): unknown {
  try {
    return loadAll(text, options);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

t.test('the repository\'s manifest streams: the fast reader gives js-yaml\'s documents, or declines', async (t) => {
  const streams = manifestStreams();
  t.ok(streams.length > 100, `${streams.length} streams`);
  let read = 0;
  let mismatches = 0;
  for (const text of streams) {
    const fast = fastLoadAll(text, options);
    if (fast === undefined) continue;
    read++;
    const expected = reference(text);
    if (JSON.stringify(fast) !== JSON.stringify(expected)) {
      mismatches++;
      t.same(fast, expected, `stream starting ${JSON.stringify(text.slice(0, 80))}`);
    }
  }
  t.equal(mismatches, 0, 'no stream read differently');
  t.ok(read > streams.length / 2, `the fast reader read ${read} of ${streams.length} streams itself`);
});

t.test('corner cases: documents, scalars, comments and what it leaves to js-yaml', async (t) => {
  const cases = [
    '',
    '# only a comment\n',
    '---\n',
    'a: 1\n---\n',
    '---\n---\na: 1\n',
    '# head\n---\na: 1\n--- # c\nb: 2\n...\n',
    'a: 1\n---\n\n---\nb: [x, "y", 3]\n',
    'on: yes\noff: no\nn: ~\ne: \nnull: null\noct: 0777\nhex: 0x1F\nf: 1.5e3\ninf: .inf\nnan: .NaN\nbig: 12345678901234567890\nu: 1_000\nsexa: 1:30\n',
    'k: "quoted # not comment"\nj: \'single\' # comment\nh: a#b\ng: a #b\n',
    'k: "has \\"escape\\""\n',
    "k: 'it''s'\n",
    'k: |\n  block\n',
    'k: >-\n  folded\n',
    'a: &x 1\nb: *x\n',
    'k: !!str 1\n',
    'k: multi\n  line\n',
    'a: 1\na: 2\n',
    '"quoted key": 1\n',
    'list:\n- a\n- b:\n    c: 1\n  d: 2\n-\n- - nested\n',
    'list:\n  - name: x\n    value: 1\n  -   name: y\n      value: 2\n',
    'm:\n  n:\n    o: []\n    p: {}\n    q: [ ]\n',
    'k: [a, [b]]\n',
    'k: [a,\n  b]\n',
    'k: {a: 1}\n',
    'a:\tb\n',
    'a: 1\r\nb: 2\r\n',
    '%YAML 1.1\n---\na: 1\n',
    '---a\n',
    ' a: 1\n',
    'a: b: c\n',
    'a:b\n',
    '- 1\n- -2\n- -x\n',
    'scalar\n',
    'a:\n  - 1\n b: 2\n',
    '__proto__: 1\n',
    '<<: {a: 1}\n',
    'a: 1 # c\n  # indented comment\nb: 2\n',
    'k: "a\u00e9\u4e2d"\nemoji: \ud83d\ude00\n',
    'k: "unterminated\n',
    'a:\n- x\nb:\n  - y\n',
    'ports: [{name: http, port: 80}]\nselector: {app: x}\n',
    'k: [ "a", b , c ]  # trailing\n',
    'k: ["a,b"]\n',
    'k: ["a" , ]\n',
    'k: -\n',
    'k: ? x\n',
    'true: 1\n1: 2\n1.0: 3\n',
    // What js-yaml refuses outside a document: in a comment before the first one, or after a `---`.
    '# \u0001\n---\na: 1\n',
    '--- # \u0001\na: 1\n',
    'a: 1\n--- # \ud800\nb: 2\n',
    'a: 1\n...\n---\nb: 2\n',
    'a: 1\n---\n%TAG ! tag:x,2000:\n---\nb: 2\n',
  ];
  for (const text of cases) {
    const fast = fastLoadAll(text, options);
    if (fast === undefined) continue;
    t.same(fast, reference(text), JSON.stringify(text));
  }
  // The cases it must read itself, or it would be of no use.
  for (const text of ['a: 1\n---\nb: [x, "y", 3]\n', 'list:\n- a\n- b:\n    c: 1\n  d: 2\n']) t.ok(fastLoadAll(text, options), `reads ${JSON.stringify(text)}`);
});

t.test('Unicode spaces next to a scalar are part of it, as js-yaml reads them (only spaces separate)', async (t) => {
  const cases = ['a: \u00a0x\n', 'a: x\u00a0\n', 'a: \u3000x # c\n', 'a: \u2028\n', '- \u00a0x\n', 'a: [\u00a0x, y\u00a0]\n', "a: 'x'\u00a0\n", 'a: [\u00a0]\n'];
  for (const text of cases) {
    const fast = fastLoadAll(text, options);
    if (fast === undefined) continue;
    // Named with \u escapes: a raw U+2028 would break the TAP line.
    t.same(fast, reference(text), JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  t.ok(fastLoadAll('a: \u00a0x\n', options), 'reads a scalar that starts with U+00A0');
});

t.test('depth: near the caller\'s limit the document is left to js-yaml', async (t) => {
  const deep = (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n') + ' 1\n';
  for (const maxDepth of [3, 5, 10]) {
    for (const n of [2, 3, 4, 5, 6, 11]) {
      const text = deep(n);
      const o = { ...options, maxDepth };
      const fast = fastLoadAll(text, o);
      let expected: unknown;
      try {
        expected = loadAll(text, o);
      } catch (e) {
        expected = undefined;
      }
      t.same(fast, expected, `depth ${n}, maxDepth ${maxDepth}`);
    }
  }
});

// Block YAML as people and tools write it, with the scalars, keys, comments and spacing that change
// what a line means: whatever the fast reader reads of it must be what js-yaml reads.
t.test('generated block YAML: the fast reader gives js-yaml\'s documents, or declines', async (t) => {
  const { default: fc } = await import('fast-check');
  const words = ['a', 'name', 'on', 'y', 'No', 'null', '~', '1', '0777', '0x1F', '1:30', '1_000', '.inf', '-1.5e3', '<<', 'true', 'x y', 'é', '\u00a0x'];
  const scalar = fc.oneof(
    fc.constantFrom(...words, '', '-', '--', '- x', 'a: b', 'a:b', 'a #b', 'a#b', '#c', '[x]', '[x, "y", 3]', '[]', '{}', '[ ]', '"q"', "'s'", '"a: b"', "'it''s'", '"e\\"x"', 'x:', '? x', '!x', '&a', '*a', '|', '>'),
    fc.string({ maxLength: 6 }),
  );
  const key = fc.oneof(fc.constantFrom(...words, 'k', 'k2', 'a b', '"q"', '-k', 'k:'), fc.string({ minLength: 1, maxLength: 4 }));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('list')),
    map: fc.array(fc.tuple(key, tie('tree')), { minLength: 1, maxLength: 4 }),
    list: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((items) => ({ items })),
  }));
  type Tree = string | [string, Tree][] | { items: Tree[] };
  const style = fc.record({ indent: fc.constantFrom(2, 4), compact: fc.boolean(), comment: fc.constantFrom('', ' # c', '  #c', ' #'), trailing: fc.constantFrom('', ' ', '  ') });
  const render = (node: Tree, s: { indent: number; compact: boolean; comment: string; trailing: string }, depth: number, lines: string[], lead: string): void => {
    const pad = ' '.repeat(depth * s.indent);
    if (typeof node === 'string') {
      lines.push(`${lead}${node}${s.trailing}${s.comment}`);
    } else if (Array.isArray(node)) {
      node.forEach(([k, v], i) => {
        const at = i === 0 && lead ? lead : pad;
        if (typeof v === 'string') lines.push(`${at}${k}: ${v}${s.trailing}${s.comment}`);
        else {
          lines.push(`${at}${k}:${s.comment}`);
          render(v, s, Array.isArray(v) || !s.compact ? depth + 1 : depth, lines, '');
        }
      });
    } else {
      for (const item of node.items) {
        if (typeof item === 'string') lines.push(`${pad}- ${item}${s.trailing}${s.comment}`);
        else if (Array.isArray(item)) render(item, s, depth + 1, lines, `${pad}- `.padEnd(pad.length + s.indent));
        else {
          lines.push(`${pad}-${s.comment}`);
          render(item, s, depth + 1, lines, '');
        }
      }
    }
  };
  let read = 0;
  fc.assert(
    fc.property(fc.array(fc.tuple(tree, style), { minLength: 1, maxLength: 3 }), (docs) => {
      const text = docs.map(([node, s]) => { const lines: string[] = []; render(node as Tree, s, 0, lines, ''); return lines.join('\n'); }).join('\n---\n') + '\n';
      const fast = fastLoadAll(text, options);
      if (fast === undefined) return true;
      read++;
      const expected = reference(text);
      if (JSON.stringify(fast) !== JSON.stringify(expected)) throw new Error(`read differently: ${JSON.stringify(text)}\nfast: ${JSON.stringify(fast)}\njs-yaml: ${JSON.stringify(expected)}`);
      return true;
    }),
    { numRuns: 3000, seed: 20261204 },
  );
  t.ok(read > 300, `the fast reader read ${read} of 3000 generated streams itself`);
});
