// meshplan describe on the command line, as a user runs it: istioctl's pod[.namespace] or namespace/pod,
// text by default, --json for the structure, and a pod that is not there.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import { repoRoot } from '../support/samples.js';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

t.test('describe a pod of a sample folder', async (t) => {
  const text = cli('describe', '-f', 'samples/bookinfo', 'productpage-v1.default');
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, /^Pod: productpage-v1-\S+\n   Pod Revision: default\n/);
  t.match(text.stdout, /\nExposed on Ingress Gateway http:\/\/10\.96\.100\.1\nGateway: bookinfo-gateway/);
  const json = cli('describe', '-f', 'samples/bookinfo', 'default/reviews-v1', '--json');
  t.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  t.match(parsed.description.services, [{ name: 'reviews', ports: [{ destinationRule: { matchingSubsets: ['v1'] } }] }]);
  const missing = cli('describe', '-f', 'samples/bookinfo', 'default/nothing');
  t.equal(missing.status, 2);
  t.match(missing.stderr, /default\/nothing/);
});
