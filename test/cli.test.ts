// The command line over the samples: proxies, proxy-config, trace, and bad input, as a user runs them.

import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from './support/samples.js';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

t.test('proxies and proxy-config of a sample folder', async (t) => {
  const proxies = cli('proxies', '-f', 'samples/bookinfo');
  t.equal(proxies.status, 0, proxies.stderr);
  t.match(proxies.stdout, /^router +istio-system\/istio-ingressgateway-\S+ +10\.1\.0\.\d+$/m);
  const routes = cli('proxy-config', '-f', 'samples/bookinfo', '--proxy', 'default/reviews-v1', '--kind', 'routes');
  t.equal(routes.status, 0, routes.stderr);
  t.match(routes.stdout, /^# istioctl proxy-config routes\nNAME +VHOST NAME/);
  t.match(routes.stdout, /^9080 +reviews\.default\.svc\.cluster\.local:9080 +reviews, 10\.96\.\d+\.\d+ +\/\* +reviews\.default$/m);
});

t.test('trace: hop by hop, exit status 0; a request Envoy refuses exits 1', async (t) => {
  const ok = cli('trace', '-f', 'samples/bookinfo', '--proxy', 'istio-system/istio-ingressgateway', '--port', '8080', '--host', 'bookinfo.example', '--path', '/productpage');
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /^flow: ingress\n/);
  t.match(ok.stdout, /hop 1: sidecar default\/productpage-v1-\S+ \(inbound\)/);
  const refused = cli('trace', '-f', 'samples/bookinfo', '--proxy', 'istio-system/istio-ingressgateway', '--port', '8080', '--host', 'bookinfo.example', '--path', '/admin', '--json');
  t.equal(refused.status, 1);
  t.match(JSON.parse(refused.stdout), { flow: 'ingress', error: { code: 'NO_ROUTE', hop: 0 } });
});

t.test('bad manifests: every problem with where and why, exit status 2', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshplan-cli-'));
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(file, 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: 42\n  trafficPolicy: {loadBalancer: {simple: FASTEST}}\n');
  const bad = cli('translate', '-f', file);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /error: document 0 DestinationRule default\/r at spec\.host: /);
  t.match(bad.stderr, /error: document 0 DestinationRule default\/r at spec\.trafficPolicy\.loadBalancer/);
});

t.test('bad flags: each names the flag and what it accepts, exit status 2', async (t) => {
  const trace = (...flags: string[]) => cli('trace', '-f', 'samples/bookinfo', '--proxy', 'default/productpage-v1', ...flags);
  const badValues = trace('--port', '70000', '--mode', 'sideways', '--tls', 'maybe');
  t.equal(badValues.status, 2);
  t.equal(
    badValues.stderr,
    'meshplan: --mode must be one of "outbound", "inbound", "gateway"\n' +
      'meshplan: --port must be <= 65535\n' +
      'meshplan: --tls must be one of "plaintext", "tls", "mtls"\n',
  );
  const notANumber = trace('--port', 'http');
  t.equal(notANumber.status, 2);
  t.equal(notANumber.stderr, 'meshplan: --port http: expected a port number\n');
  const badHeader = trace('--port', '9080', '--header', 'x-canary');
  t.equal(badHeader.stderr, 'meshplan: --header x-canary: expected name=value\n');

  const unknownPod = cli('proxy-config', '-f', 'samples/bookinfo', '--proxy', 'default/nope');
  t.equal(unknownPod.status, 2);
  t.match(unknownPod.stderr, /^error: --proxy: no sidecar-injected or gateway pod or Deployment default\/nope\n/);
  t.notMatch(unknownPod.stderr, /document -1/);
  t.match(unknownPod.stderr, /meshplan proxies -f/);
});
