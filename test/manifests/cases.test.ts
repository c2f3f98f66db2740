// Every mesh of the yardstick cases (real inputs from Istio's own tests) must parse without errors.
import t from 'tap';
import { parseManifests } from '../../src/manifests/index.js';
import { CASE_FILES, loadCases } from '../support/cases.js';

for (const file of CASE_FILES) {
  t.test(file, async (t) => {
    const cases = loadCases(file);
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
