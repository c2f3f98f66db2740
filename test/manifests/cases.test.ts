// Every mesh of the yardstick cases (real inputs from Istio's own tests) must parse without errors.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifests } from '../../src/manifests/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const casesDir = path.resolve(repoRoot, '../shared/cases');
const files = fs.readdirSync(casesDir).filter((f) => f.endsWith('.json'));

t.ok(files.length > 0, `case files in ${casesDir}`);
for (const file of files) {
  t.test(file, async (t) => {
    const { cases } = JSON.parse(fs.readFileSync(path.join(casesDir, file), 'utf8')) as {
      cases: { id: string; resources: string }[];
    };
    let objects = 0;
    for (const c of cases) {
      const parsed = parseManifests(c.resources);
      const errors = parsed.problems.filter((p) => p.severity === 'error');
      t.same(errors, [], c.id);
      objects += parsed.objects.length;
    }
    t.ok(objects >= cases.length, `${cases.length} cases, ${objects} objects`);
  });
}
