// The command line's verify (exit 0 / 1 / 2, JUnit XML) and route-check (router_check_tool's files and
// flags), and trace's exit status for a request that is dropped, as a user runs them.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { readRouteCheckCases } from './support/routecheck.js';
import { repoRoot } from './support/samples.js';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const dir = mkdtempSync(path.join(tmpdir(), 'meshplan-verify-'));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

t.test('verify: the example passes (exit 0) and writes JUnit XML', async (t) => {
  const junit = path.join(dir, 'ok.xml');
  const run = cli('verify', '-f', 'samples/bookinfo', '-e', 'samples/bookinfo.expectations.yaml', '--junit', junit);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /^PASS {2}jason reaches reviews v2$/m);
  t.match(run.stdout, /^9 passed, 0 failed$/m);
  t.match(run.stdout, /^route coverage \d+\.\d%$/m);
  const xml = readFileSync(junit, 'utf8');
  t.match(xml, /<testsuites name="meshplan verify" tests="9" failures="0"/);
  t.equal(xml.match(/<testcase /g)?.length, 9);
});

t.test('verify: a failed expectation exits 1, and the JUnit failure says expected and actual', async (t) => {
  const file = write(
    'wrong.yaml',
    'expectations:\n  - name: "jason & v3"\n    proxy: {pod: default/productpage-v1}\n    request: {port: 9080, host: reviews, headers: {end-user: jason}}\n    expect: {cluster: "outbound|9080|v3|reviews.default.svc.cluster.local"}\n',
  );
  const junit = path.join(dir, 'wrong.xml');
  const run = cli('verify', '-f', 'samples/bookinfo', '-e', file, '--junit', junit, '--json');
  t.equal(run.status, 1, run.stderr);
  t.match(JSON.parse(run.stdout), { passed: 0, failed: 1, results: [{ name: 'jason & v3', passed: false }] });
  const xml = readFileSync(junit, 'utf8');
  t.match(xml, /<testcase classname="meshplan.verify" name="jason &amp; v3">/);
  t.match(xml, /<failure message="1 field\(s\) differ: cluster" type="expectation">cluster: expected outbound\|9080\|v3\|reviews.default.svc.cluster.local, actual outbound\|9080\|v2\|reviews.default.svc.cluster.local<\/failure>/);
});

t.test('verify: bad expectations exit 2 naming the field and the reason', async (t) => {
  const file = write('bad.yaml', 'expectations:\n  - name: x\n    proxy: {pod: default/productpage-v1}\n    request: {host: reviews}\n    expect: {}\n');
  const run = cli('verify', '-f', 'samples/bookinfo', '-e', file);
  t.equal(run.status, 2);
  t.match(run.stderr, /error: document 0 Expectations at expectations\[0\]\.request\.port: must have required property 'port'/);
  t.equal(cli('verify', '-f', 'samples/bookinfo').status, 2, 'no -e');
});

t.test("route-check: router_check_tool's files and flags", async (t) => {
  const c = readRouteCheckCases().find((x) => x.id === 'failures/TestRoutes-vs-Weighted-details')!;
  const config = write('routes.json', JSON.stringify(c.routeConfig));
  const tests = write('tests.yaml', `tests: ${JSON.stringify(c.tests)}\n`);
  const failing = cli('route-check', '-c', config, '-t', tests, '--details');
  t.equal(failing.status, 1);
  t.match(failing.stdout, /^Test_2\nexpected: \[cluster1\], actual: \[instant-server\], test type: cluster_name$/m);
  const ok = readRouteCheckCases().find((x) => x.id === 'coverage/Redirect-fail-under-100')!;
  const okConfig = write('redirect.json', JSON.stringify(ok.routeConfig));
  const okTests = write('redirect-tests.json', JSON.stringify({ tests: ok.tests }));
  const under = cli('route-check', '-c', okConfig, '-t', okTests, '--details', '-f', '100');
  t.equal(under.status, 1, 'coverage below -f');
  t.match(under.stdout, /^Current route coverage: 66\.6667%$/m);
  t.match(under.stdout, /^Failed to meet coverage requirement: 100%$/m);
  t.equal(cli('route-check', '-c', okConfig, '-t', okTests, '-f', '50').status, 0);
  const covall = cli('route-check', '-c', okConfig, '-t', okTests, '--covall');
  t.match(covall.stdout, /^Missing test for host: www2, route: 0$/m);
  const generated = cli('route-check', '--manifests', 'samples/bookinfo', '--proxy', 'istio-system/istio-ingressgateway', '--route-config', 'http.8080', '-t',
    write('gw.yaml', 'tests:\n  - test_name: productpage\n    input: {authority: bookinfo.example, path: /productpage, method: GET}\n    validate: {cluster_name: "outbound|9080||productpage.default.svc.cluster.local"}\n'), '--json');
  t.equal(generated.status, 0, generated.stderr);
  t.match(JSON.parse(generated.stdout), { passed: 1, failed: 0 });
  const badConfig = cli('route-check', '-c', okTests, '-t', okTests);
  t.equal(badConfig.status, 2);
  t.match(badConfig.stderr, /--routeConfig: unknown field "tests"|routeConfig\.tests/);
});

t.test('trace exits 1 for a request REGISTRY_ONLY blocks (block_all), with its outcome', async (t) => {
  const run = cli('trace', '-f', 'samples/bookinfo', '--mesh', '{"outboundTrafficPolicy":{"mode":"REGISTRY_ONLY"}}', '--proxy', 'default/productpage-v1', '--port', '80', '--host', 'example.com');
  t.equal(run.status, 1);
  t.match(run.stdout, /^flow: egress\noutcome: direct_response 502 \(block_all/);
  const picked = cli('trace', '-f', 'samples/bookinfo', '--proxy', 'default/productpage-v1', '--port', '9080', '--host', 'reviews', '--pick', '95', '--json');
  t.equal(picked.status, 0);
  t.equal(JSON.parse(picked.stdout).hops[0].cluster, 'outbound|9080|v2|reviews.default.svc.cluster.local');
});
