// `meshplan diff` on sample folders, as a user runs it: the text for people, --json, exit 1 on changes.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { readSample, repoRoot } from './support/samples.js';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

t.test('diff of a canary weight change: one line per changed route, exit 1; no change exits 0', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshplan-diff-'));
  const after = path.join(dir, 'after.yaml');
  writeFileSync(after, readSample('bookinfo').replace(/weight: 90(\s+- destination:\s+host: reviews\s+subset: v2\s+)weight: 10/, 'weight: 50$1weight: 50'));
  const changed = cli('diff', '-f', 'samples/bookinfo', '--to', after);
  t.equal(changed.status, 1, changed.stderr);
  t.match(changed.stdout, /^\d+ of 7 proxies changed, \d+ unchanged; resource changes over all proxies: routes \d+ changed\n/);
  t.match(changed.stdout, /^the same change on \d+ proxies of namespace default: route 9080: virtual host reviews\.default\.svc\.cluster\.local:9080, route matching prefix \/: weights v1 90 → 50, v2 10 → 50/m);
  const json = cli('diff', '-f', 'samples/bookinfo', '--to', after, '--proxy', 'default/productpage-v1', '--json');
  t.equal(json.status, 1, json.stderr);
  t.match(JSON.parse(json.stdout), { summary: { proxies: 1, changed: 1 }, proxies: [{ status: 'changed', changes: [{ kind: 'routes' }] }] });
  const same = cli('diff', '-f', 'samples/bookinfo', '--to', 'samples/bookinfo');
  t.equal(same.status, 0, same.stderr);
  t.match(same.stdout, /no Envoy config changes/);
  const missing = cli('diff', '-f', 'samples/bookinfo');
  t.equal(missing.status, 2);
  t.match(missing.stderr, /--to/);
});
