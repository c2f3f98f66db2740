// Every manifest stream the repository has, for differential tests of the front end: Istio's simulation
// cases and the yardsticks' inputs (../shared), the samples, the test fixtures and the benchmark meshes.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readSample, repoRoot, sampleNames } from './samples.js';
import { syntheticMesh } from '../../bench/mesh.js';
import { endpointWorkload, istiodWorkloads } from '../../bench/istiod-workloads.js';

/** Every string in a JSON tree that looks like a manifest stream. */
function manifestStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('apiVersion') || value.includes('kind:')) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) manifestStrings(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) manifestStrings(v, out);
  }
  return out;
}

export function manifestStreams(): string[] {
  const shared = path.resolve(repoRoot, '../shared');
  const jsonFiles = [
    ...['gateway', 'peer-authentication', 'service-entry', 'sidecar'].map((f) => path.join(shared, 'cases', `${f}.json`)),
    ...['analyze', 'authz', 'configdump', 'routecheck'].map((f) => path.join(shared, 'yardsticks', f, 'cases.json')),
  ].filter((f) => existsSync(f));
  const fixtures = path.join(repoRoot, 'test/support/fixtures');
  return [
    ...jsonFiles.flatMap((f) => manifestStrings(JSON.parse(readFileSync(f, 'utf8')))),
    ...sampleNames().map(readSample),
    ...readdirSync(fixtures).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(path.join(fixtures, f), 'utf8')),
    syntheticMesh(50),
    ...istiodWorkloads().map((w) => w.yaml),
    endpointWorkload(10, 10),
  ];
}
