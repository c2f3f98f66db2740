// `meshplan analyze` as a user runs it: istioctl's output forms, thresholds, suppressions and exit code 79.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from '../support/samples.js';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'analyze', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const dir = mkdtempSync(path.join(tmpdir(), 'meshplan-analyze-'));
const broken = path.join(dir, 'broken.yaml');
writeFileSync(
  broken,
  `apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-canary}
spec:
  hosts: [reviews]
  gateways: [bookinfo-gatewy]
  http:
  - route:
    - destination: {host: reviews, subset: v9}
`,
);

t.test('the samples analyze clean: exit 0', async (t) => {
  const r = cli('-f', 'samples/bookinfo');
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stderr, /No validation issues found/);
});

t.test('a broken file: messages name the file and the document in it; errors exit 79', async (t) => {
  const r = cli('-f', 'samples/bookinfo', '-f', broken);
  t.equal(r.status, 79, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.ok(lines.includes(`Error [IST0101] (VirtualService default/reviews-canary ${broken}, document 1) Referenced gateway not found: "bookinfo-gatewy"`), r.stdout);
  t.ok(lines.includes(`Error [IST0101] (VirtualService default/reviews-canary ${broken}, document 1) Referenced host+subset in destinationrule not found: "reviews+v9"`), r.stdout);
});

t.test('-o json and yaml; thresholds and suppressions', async (t) => {
  const json = JSON.parse(cli('-f', broken, '-o', 'json').stdout);
  t.match(json, [{ code: 'IST0101', name: 'ReferencedResourceNotFound', level: 'Error', resource: { kind: 'VirtualService', namespace: 'default', name: 'reviews-canary' }, file: broken, document: 1 }]);
  t.match(cli('-f', broken, '-o', 'yaml').stdout, /^- code: IST0101\n {2}name: ReferencedResourceNotFound\n/);
  const suppressed = cli('-f', broken, '-S', 'IST0101=VirtualService *.default');
  t.equal(suppressed.status, 0, 'what is left is below the Error threshold');
  t.match(suppressed.stdout, /^Warning \[IST0132\]/);
  t.equal(cli('-f', broken, '-S', 'IST0101=VirtualService *.default', '--failure-threshold', 'warning').status, 79);
  t.equal(cli('-f', broken, '--output-threshold', 'Error', '-S', 'IST0101=* *').stdout, '');
  const bad = cli('-f', broken, '--failure-threshold', 'Fatal');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--failure-threshold Fatal: expected one of Info, Warning, Error/);
});

t.test('-L lists the analyzers', async (t) => {
  const r = cli('-L');
  t.equal(r.status, 0);
  t.match(r.stdout, /^\* virtualservice\.DestinationHostAnalyzer:\n {4}Checks the destination hosts associated with each virtual service$/m);
});
