// The example loaded into a new store, so the first request has something to show.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioStore } from './scenarios.js';

const BOOKINFO_DIR = fileURLToPath(new URL('../../samples/bookinfo/', import.meta.url));
/** What the example promises (expected traces and route tests), so the first verify shows something. */
const BOOKINFO_EXPECTATIONS = fileURLToPath(new URL('../../samples/bookinfo.expectations.yaml', import.meta.url));

/** The bookinfo sample's files, in file-name order, as one multi-document YAML. */
export async function bookinfoManifests(): Promise<string> {
  const files = (await readdir(BOOKINFO_DIR)).filter((f) => f.endsWith('.yaml')).sort();
  const texts = await Promise.all(files.map((f) => readFile(join(BOOKINFO_DIR, f), 'utf8')));
  return texts.map((t) => t.trimEnd()).join('\n---\n') + '\n';
}

export async function seedExample(store: ScenarioStore): Promise<void> {
  await store.create({
    name: 'bookinfo',
    description: "Istio's bookinfo behind an ingress gateway, with subsets per version and a canary for reviews",
    labels: { example: 'true', app: 'bookinfo' },
    resources: await bookinfoManifests(),
    expectations: await readFile(BOOKINFO_EXPECTATIONS, 'utf8'),
    message: 'example scenario loaded on first start',
    author: 'meshplan',
  });
}
