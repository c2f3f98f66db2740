// Golden files: for each sample mesh (samples/<name>), every proxy's generated xDS per kind, in
// test/golden/<name>/<namespace>.<proxy>.<kind>.json, and its istioctl proxy-config tables in
// <namespace>.<proxy>.proxy-config.txt. A reviewer reads their diff to see what a change does to
// real Envoy config. `npm run golden:update` rewrites them on purpose.

import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { compileScenario } from '../src/engine.js';
import { repoRoot, readSample, sampleNames } from './support/samples.js';

const update = process.env.GOLDEN_UPDATE === '1';
const KINDS = ['listeners', 'routes', 'clusters', 'endpoints'] as const;

for (const sample of sampleNames()) {
  t.test(sample, async (t) => {
    const dir = path.join(repoRoot, 'test/golden', sample);
    const scenario = compileScenario({ resources: readSample(sample) });
    const expected = new Set(existsSync(dir) ? readdirSync(dir) : []);
    if (update) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    }
    t.ok(scenario.index.proxies.length > 0, 'the sample has proxies');
    for (const proxy of scenario.index.proxies) {
      const xds = scenario.xds(proxy);
      const files: [string, string][] = KINDS.map((kind) => [
        `${proxy.namespace}.${proxy.name}.${kind}.json`,
        `${JSON.stringify(xds[kind], null, 2)}\n`,
      ]);
      files.push([`${proxy.namespace}.${proxy.name}.proxy-config.txt`, scenario.proxyConfig({ pod: proxy.pod! }).text]);
      for (const [file, actual] of files) {
        if (update) writeFileSync(path.join(dir, file), actual);
        else {
          t.ok(expected.has(file), `${file} exists (run npm run golden:update for a new proxy)`);
          if (expected.has(file)) t.equal(actual, readFileSync(path.join(dir, file), 'utf8'), `${sample}/${file}`);
          expected.delete(file);
        }
      }
    }
    if (!update) t.same([...expected], [], 'no golden file is left without a proxy');
  });
}
