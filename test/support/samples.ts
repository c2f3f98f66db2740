// The sample meshes under samples/<name>/: every YAML file of the folder, in name order, as one stream.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samplesDir = path.join(repoRoot, 'samples');

export const sampleNames = (): string[] =>
  readdirSync(samplesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

export function readSample(name: string): string {
  const dir = path.join(samplesDir, name);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/\n*$/, '\n'))
    .join('---\n');
}
