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
  // One kind: istioctl's text and nothing else; DOMAINS as istioctl shortens istiod's list (the FQDN with a trailing dot stays).
  t.match(routes.stdout, /^NAME +VHOST NAME/);
  t.match(routes.stdout, /^9080 +reviews\.default\.svc\.cluster\.local:9080 +reviews\.default\.svc\.cluster\.local\., reviews \+ 2 more\.\.\. +\/\* +reviews\.default$/m);
  const two = cli('proxy-config', '-f', 'samples/bookinfo', '--proxy', 'default/reviews-v1', '--kind', 'routes', '--kind', 'clusters', '--fqdn', 'ratings', '--verbose=false');
  t.equal(two.status, 0, two.stderr);
  t.match(two.stdout, /^# istioctl proxy-config routes\nNAME +VIRTUAL HOSTS\n/);
  t.match(two.stdout, /\n# istioctl proxy-config clusters\nSERVICE FQDN .*\n(ratings\.default\.svc\.cluster\.local .*\n){2}$/);
});

t.test('--dump: proxy-config and trace of a live proxy, from its config dump', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshplan-cli-'));
  const translated = cli('translate', '-f', 'samples/bookinfo', '--proxy', 'default/productpage-v1');
  t.equal(translated.status, 0, translated.stderr);
  const dump = path.join(dir, 'config_dump.json');
  writeFileSync(dump, JSON.stringify(JSON.parse(translated.stdout).proxies[0].configDump));
  const fromDump = cli('proxy-config', '--dump', dump, '--kind', 'clusters', '--direction', 'inbound');
  t.equal(fromDump.status, 0, fromDump.stderr);
  t.equal(fromDump.stdout.split('\n').filter(Boolean).length, 2, 'the header and the one inbound cluster');
  const eds = cli('proxy-config', '--dump', dump, '--kind', 'endpoints', '--cluster', 'outbound|9080|v1|reviews.default.svc.cluster.local');
  t.match(eds.stdout, /^NAME +STATUS +LOCALITY +CLUSTER\n10\.1\.0\.\d+:9080 +HEALTHY +outbound\|9080\|v1\|reviews/, 'a dump\'s endpoints are the EDS table');
  const trace = cli('trace', '--dump', dump, '--port', '9080', '--host', 'reviews', '--json');
  t.equal(trace.status, 0, trace.stderr);
  const result = JSON.parse(trace.stdout);
  t.equal(result.hops.length, 1, 'one hop: the next proxy is not in the dump');
  t.match(result.hops[0], { listener: '0.0.0.0_9080', routeConfig: '9080', cluster: /^outbound\|9080\|v\d\|reviews/ });
  const notADump = path.join(dir, 'not-a-dump.json');
  writeFileSync(notADump, JSON.stringify({ proxies: [] }));
  const bad = cli('proxy-config', '--dump', notADump);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^error: --dump\.configs: expected an Envoy config dump: .*; got an object with "proxies"\n$/);
  t.match(cli('proxy-config', '--dump', dump, '--proxy', 'default/x').stderr, /--dump is one live proxy/);
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
