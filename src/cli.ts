// meshplan on the command line, offline, like `egctl x translate` or `istioctl proxy-config`:
// the engine on manifest files, with no service or database.
//
//   npm run cli -- proxies     -f samples/bookinfo
//   npm run cli -- proxy-config -f samples/bookinfo --proxy default/productpage-v1 [--kind routes]
//   npm run cli -- translate   -f samples/bookinfo --proxy default/productpage-v1 > config_dump.json
//   npm run cli -- trace       -f samples/bookinfo --proxy istio-system/istio-ingressgateway \
//                              --port 8080 --host bookinfo.example --path /productpage

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { progressBar } from './cli-progress.js';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ProxySelector, TraceRequestInput, TraceResult } from './contract.js';
import { inputProblems } from './api/inputs.js';
import { compileScenario, formatProblem, InputError } from './engine.js';
import { SUMMARY_KINDS, type SummaryKind } from './xds/summaries.js';

const USAGE = `usage: meshplan <proxies|translate|proxy-config|trace> -f <file or folder>... [options]
  -f, --file       manifests: a YAML file, or a folder of them (repeatable)
  --mesh           MeshConfig overrides as JSON, e.g. '{"outboundTrafficPolicy":{"mode":"REGISTRY_ONLY"}}'
  --proxy          namespace/pod (or namespace/deployment) to look from
  --kind           proxy-config: listeners, routes, clusters or endpoints (repeatable; default all)
  trace:           --port N [--address IP] [--host H] [--path P] [--method M] [--mode outbound|inbound|gateway]
                   [--protocol http|http2|tcp] [--tls plaintext|tls|mtls] [--sni S] [--header k=v]... [--json]`;

/** Every YAML file named, folders expanded in name order, as one multi-document stream. */
function readManifests(paths: string[]): string {
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(p, f))
      : [p],
  );
  return files.map((f) => readFileSync(f, 'utf8').replace(/\n*$/, '\n')).join('---\n');
}

const proxySelector = (value: string | undefined): ProxySelector => {
  if (!value) throw new Error('--proxy namespace/name is required');
  return { pod: value };
};

/** One line per hop, then each step: what a reviewer reads first. */
function printTrace(result: TraceResult): void {
  console.log(`flow: ${result.flow}${result.error ? `  error at hop ${result.error.hop}: ${result.error.code}: ${result.error.message}` : ''}`);
  result.hops.forEach((hop, i) => {
    const fields = [
      ['listener', hop.listener], ['chain', hop.filterChain], ['route config', hop.routeConfig], ['vhost', hop.virtualHost],
      ['route', hop.route], ['cluster', hop.cluster],
      ['endpoint', hop.endpoint && `${hop.endpoint.address}:${hop.endpoint.port}${hop.endpoint.pod ? ` (${hop.endpoint.pod})` : ''}`],
      ['upstream', hop.tls],
    ].filter(([, v]) => v);
    console.log(`\nhop ${i}: ${hop.proxy.type} ${hop.proxy.namespace}/${hop.proxy.name} (${hop.mode})`);
    for (const [k, v] of fields) console.log(`  ${String(k).padEnd(13)}${v}`);
    for (const s of hop.steps) {
      console.log(`  - ${s.stage}: ${s.chosen ?? '(none)'}: ${s.why}`);
      for (const r of s.rejected) console.log(`      passed over ${r.name}: ${r.why}`);
    }
  });
}

function main(argv: string[]): number {
  const { positionals, values } = parseArgs({
    args: argv,
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
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !values.file?.length) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const scenario = compileScenario({
    resources: readManifests(values.file),
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
    case 'proxy-config': {
      const kinds = (values.kind ?? [...SUMMARY_KINDS]) as SummaryKind[];
      const unknown = kinds.filter((k) => !SUMMARY_KINDS.includes(k));
      if (unknown.length) throw new Error(`--kind ${unknown.join(', ')}: not one of ${SUMMARY_KINDS.join(', ')}`);
      process.stdout.write(scenario.proxyConfig(proxySelector(values.proxy), kinds).text);
      return 0;
    }
    case 'trace': {
      if (!values.port) throw new Error('--port is required');
      if (!/^\d+$/.test(values.port)) throw new Error(`--port ${values.port}: expected a port number`);
      const badHeader = values.header?.find((h) => !h.includes('='));
      if (badHeader) throw new Error(`--header ${badHeader}: expected name=value`);
      const request: TraceRequestInput = {
        port: Number(values.port),
        ...(values.address ? { address: values.address } : {}),
        ...(values.host ? { host: values.host } : {}),
        ...(values.path ? { path: values.path } : {}),
        ...(values.method ? { method: values.method } : {}),
        ...(values.mode ? { mode: values.mode as TraceRequestInput['mode'] } : {}),
        ...(values.protocol ? { protocol: values.protocol as TraceRequestInput['protocol'] } : {}),
        ...(values.tls ? { tls: values.tls as TraceRequestInput['tls'] } : {}),
        ...(values.sni ? { sni: values.sni } : {}),
        headers: Object.fromEntries((values.header ?? []).map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)])),
      };
      // The service's own check, its paths (request.mode) named as the flags (--mode).
      const problems = inputProblems('request', request);
      if (problems.length) throw new Error(problems.map((p) => `--${p.path.split('.')[1]} ${p.message}`).join('\nmeshplan: '));
      const result = scenario.trace(proxySelector(values.proxy), request);
      if (values.json) console.log(JSON.stringify(result, null, 2));
      else printTrace(result);
      return result.error ? 1 : 0;
    }
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      return 2;
  }
}

// Piped into head or less: a closed stdout ends the program quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  if (err instanceof InputError) {
    // Problems of the proxy or request (no document) are about flags; the rest about manifest files.
    for (const p of err.problems) console.error(`${p.severity}: ${p.document >= 0 ? formatProblem(p) : `--${p.path.split('.')[0]}: ${p.message}`}`);
    if (err.problems.some((p) => p.path.startsWith('proxy'))) console.error('hint: `meshplan proxies -f <the same files>` lists the pods --proxy can name');
  } else console.error(`meshplan: ${(err as Error).message}`);
  process.exitCode = 2;
}
