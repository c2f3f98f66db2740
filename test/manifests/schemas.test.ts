// The schema checks' shortcut (plain validator, unknown fields from the places learnt once per kind)
// against the tracked run it replaces: on every object of every manifest stream the repository has,
// and on those objects mutated with unknown fields at every depth, in arrays and open maps, and with
// wrong and int-or-string values, both give exactly the same problems.

import t from 'tap';
import { checkObject, checkObjectTracked, isSupportedKind } from '../../src/manifests/schemas.js';
import { readDocuments } from '../../src/manifests/index.js';
import { manifestStreams } from '../support/streams.js';

const streams = manifestStreams();

type Obj = Record<string, unknown>;
const objects: Obj[] = streams.flatMap((text) =>
  readDocuments(text, { reuse: false })
    .map((d) => d.value)
    .filter((v): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Obj).apiVersion === 'string' && typeof (v as Obj).kind === 'string')
    .filter((v) => isSupportedKind(v.apiVersion as string, v.kind as string)),
);

let compared = 0;
let reported = 0;
const differing: string[] = [];
function compare(obj: Obj, what: string): void {
  const expected = checkObjectTracked(structuredClone(obj));
  // Twice: the first call may learn a place, the second takes the shortcut wherever it can.
  for (const run of ['first', 'second']) {
    const got = checkObject(structuredClone(obj));
    compared++;
    if (JSON.stringify(got) !== JSON.stringify(expected)) differing.push(`${what} (${run} call): ${JSON.stringify(got)} != ${JSON.stringify(expected)}`);
  }
  if (expected.length > 0) reported++;
}

/** Every map and array inside an object, with the path to it. */
function places(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value && typeof value === 'object') {
    out.push(at);
    for (const [k, v] of Object.entries(value)) places(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  }
  return out;
}
const leaves = (value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] => {
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  else out.push(at);
  return out;
};
const nodeAt = (root: unknown, at: (string | number)[]): any => at.reduce((n: any, k) => n[k], root);

t.test('the repository\'s objects: the shortcut reports what the tracked run reports', async (t) => {
  t.ok(objects.length > 1000, `${objects.length} objects of ${streams.length} streams`);
  for (const [i, obj] of objects.entries()) compare(obj, `object ${i} (${obj.kind})`);
  t.same(differing, [], `${compared} checks`);
});

t.test('mutated objects: unknown fields at every depth, in arrays and open maps, wrong and int-or-string values', async (t) => {
  differing.length = 0;
  reported = 0;
  // One object per kind and shape of spec, to keep the mutations to a few thousand.
  const bySchema = new Map<string, Obj>();
  for (const obj of objects) {
    const key = `${obj.apiVersion}/${obj.kind}/${Object.keys((obj.spec as Obj) ?? {}).sort()}`;
    if (!bySchema.has(key)) bySchema.set(key, obj);
  }
  let mutations = 0;
  for (const [key, obj] of bySchema) {
    for (const at of places(obj)) {
      for (const extra of [1, 'x', { nested: { deeper: true } }, [{ a: 1 }]]) {
        const copy = structuredClone(obj);
        const node = nodeAt(copy, at);
        if (Array.isArray(node)) node.push(extra);
        else node.zzUnknown = extra;
        compare(copy, `${key} with ${JSON.stringify(extra)} at ${at.join('.')}`);
        mutations++;
      }
    }
    for (const at of leaves(obj)) {
      if (at.length === 1 && (at[0] === 'apiVersion' || at[0] === 'kind')) continue; // another kind's schema
      const old = nodeAt(obj, at);
      for (const value of [typeof old === 'number' ? String(old) : 7, typeof old === 'string' && /^\d+$/.test(old) ? Number(old) : null, { a: 1 }, ['x']]) {
        const copy = structuredClone(obj);
        nodeAt(copy, at.slice(0, -1))[at[at.length - 1]] = value;
        compare(copy, `${key} with ${JSON.stringify(value)} for ${at.join('.')}`);
        mutations++;
      }
    }
  }
  t.ok(mutations > 2000, `${mutations} mutations of ${bySchema.size} objects`);
  t.ok(reported > mutations / 4, `${reported} of them have problems`);
  t.same(differing.slice(0, 20), [], `${differing.length} of ${compared} checks differ`);
});
