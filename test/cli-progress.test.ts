// The command line's progress bar: drawn on stderr for a terminal (MESHPLAN_PROGRESS=1 here), absent
// from a pipe, and never mixed into the JSON on stdout.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import { repoRoot } from './support/samples.js';

const translate = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'translate', '-f', 'samples/bookinfo'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env },
  });

t.test('translate every proxy: a progress bar on stderr', async (t) => {
  const shown = translate({ MESHPLAN_PROGRESS: '1' });
  t.equal(shown.status, 0, shown.stderr);
  const frames = shown.stderr.split('\r').filter((f) => f.startsWith('translating proxies'));
  t.ok(frames.length >= 2, 'redrawn as proxies are done');
  t.match(frames.at(-1), /\[#{30}\] 7\/7\n$/, 'ends full, at 7 of 7 proxies');
  t.equal(JSON.parse(shown.stdout).proxies.length, 7, 'stdout is the JSON alone');

  const piped = translate({ MESHPLAN_PROGRESS: '0' });
  t.notMatch(piped.stderr, /translating proxies/, 'no bar when stderr is not a terminal');
});

t.test('diff of every proxy: a progress bar on stderr, the impact text alone on stdout', async (t) => {
  const diff = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'diff', '-f', 'samples/bookinfo', '--to', 'samples/bookinfo'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, MESHPLAN_PROGRESS: '1' },
  });
  t.equal(diff.status, 0, `no change: exit 0 (${diff.stderr})`);
  const frames = diff.stderr.split('\r').filter((f) => f.startsWith('comparing proxies'));
  t.match(frames.at(-1), /\[#{30}\] 7\/7\n$/, 'ends full, at 7 of 7 proxies');
  t.notMatch(diff.stdout, /comparing proxies/, 'stdout has no bar');
});
