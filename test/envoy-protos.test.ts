// Every generated resource must be valid Envoy v3: decoded strictly against Envoy's published protos.
// Part (a) proves the checker rejects what Envoy would reject; part (b) runs it over generated config.

import fs from 'node:fs';
import { CASE_FILES, loadCases } from './support/cases.js';
import { loadAuthzCases } from './support/authz-cases.js';
import { readSample, sampleNames } from './support/samples.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import protobuf from 'protobufjs';
import protojson from 'protobufjs/ext/protojson.js';
import { checkConfigDump, checkEnvoyResource, envoyProtos, type EnvoyCheckResult } from '../src/envoy/protos.js';
import type { ProxySelector } from '../src/contract.js';
import type { ScenarioInput } from '../src/engine.js';
import { NEWER_THAN_SHIPPED_PROTOS, RELAXED_VALIDATE_RULES, uncheckableReason } from '../src/envoy/proto-exceptions.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'support/fixtures/envoy');
const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));

interface ValidFixture {
  typeUrl: string;
  resource: unknown;
}
interface InvalidFixture extends ValidFixture {
  name: string;
  /** proto3-json: a plain proto3 JSON parser must reject it too; beyond-protojson: validate rules, TypedStruct contents. */
  kind: 'proto3-json' | 'beyond-protojson';
  error: string;
  unchecked?: string[];
}

const typeOf = (typeUrl: string): protobuf.Type => envoyProtos().root.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
/** protobufjs' own proto3 JSON parser: an independent second opinion on the plain JSON rules. */
const protojsonError = (f: ValidFixture): string | undefined => {
  try {
    protojson.fromJson(typeOf(f.typeUrl), f.resource);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

t.test('the checker', async (t) => {
  const { skipped } = envoyProtos();
  t.ok(skipped.length < 10, `only a few protos skipped for unshipped imports: ${skipped.map((s) => s.file).join(', ')}`);

  const valid: Record<string, ValidFixture> = readJson(path.join(fixtures, 'valid.json'));
  for (const [name, fixture] of Object.entries(valid)) {
    const result = checkEnvoyResource(fixture.typeUrl, fixture.resource);
    t.same(result.errors, [], `valid ${name}: no errors`);
    if (name === 'istio-extensions') {
      t.same(
        result.unchecked,
        ['envoy.tcp.metadataexchange.config.MetadataExchange', 'io.istio.http.peer_metadata.Config', 'istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig', 'stats.PluginConfig'],
        'Istio-only types are named, not passed silently',
      );
      t.ok(result.checked['envoy.extensions.filters.http.router.v3.Router'], 'filters beside Istio-only ones are still decoded');
    } else if (name === 'cluster-newer-fields') {
      t.match(protojsonError(fixture), /unknown field: "dns_jitter"/, 'the allow-listed field is really unknown to the shipped protos');
    } else {
      t.same(result.unchecked, [], `valid ${name}: nothing unchecked`);
      t.equal(protojsonError(fixture), undefined, `valid ${name}: protobufjs protojson accepts it too`);
    }
  }

  const invalid: InvalidFixture[] = readJson(path.join(fixtures, 'invalid.json'));
  for (const fixture of invalid) {
    const result = checkEnvoyResource(fixture.typeUrl, fixture.resource);
    t.equal(result.errors.length, 1, `${fixture.name}: exactly one error (${result.errors.join(' | ')})`);
    t.ok(result.errors[0]?.startsWith(fixture.error), `${fixture.name}: ${fixture.error}`);
    t.same(result.unchecked, fixture.unchecked ?? [], `${fixture.name}: unchecked types`);
    if (fixture.kind === 'proto3-json') t.not(protojsonError(fixture), undefined, `${fixture.name}: protobufjs protojson rejects it too`);
  }

  t.match(checkEnvoyResource('type.googleapis.com/envoy.config.listener.v3.Nope', {}).errors, [/no Envoy message type/], 'unknown top type');
});

t.test('the exception lists stay honest', async (t) => {
  for (const newer of NEWER_THAN_SHIPPED_PROTOS) {
    t.notOk(typeOf(`/${newer.message}`).fields[newer.field], `${newer.message}.${newer.field} (Envoy ${newer.envoy}) is really absent from the shipped protos`);
  }
  for (const relaxed of RELAXED_VALIDATE_RULES) {
    const field = typeOf(`/${relaxed.message}`).fields[relaxed.field];
    const options = (field?.parsedOptions ?? []).map((o: Record<string, unknown>) => JSON.stringify(o['(validate.rules)'] ?? {})).join();
    const [kind, rule] = relaxed.rule.split('.');
    t.ok(options.includes(`"${kind}":{`) && options.includes(`"${rule}"`), `${relaxed.message}.${relaxed.field} really has ${relaxed.rule} in the shipped protos (dropped in Envoy ${relaxed.envoy})`);
  }
  for (const name of ['io.istio.http.peer_metadata.Config', 'stats.PluginConfig', 'envoy.tcp.metadataexchange.config.MetadataExchange']) {
    t.ok(uncheckableReason(name), `${name} is a known Istio-only type`);
  }
  t.notOk(uncheckableReason('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'), 'Envoy types are never uncheckable');
});

// ---- part (b): generated config ------------------------------------------------------------

interface Target {
  id: string;
  input: ScenarioInput;
  /** A case's proxy; a sample is checked for every proxy of its mesh. */
  proxy?: ProxySelector;
}

function sampleTargets(): Target[] {
  return sampleNames().map((name) => ({ id: `samples/${name}`, input: { resources: readSample(name) } }));
}

function caseTargets(): Target[] {
  return CASE_FILES.flatMap((file) =>
    loadCases(file).map((c) => ({
      id: c.id,
      input: { resources: c.resources, mesh: c.mesh, options: { ...c.options, ...(c.features ? { features: c.features } : {}) } },
      proxy: c.proxy,
    })),
  );
}

/** The authz yardstick's meshes and bookinfo with its security fixture: RBAC, ext_authz and jwt_authn filters. */
function securityTargets(): Target[] {
  const bookinfoSecurity = fs.readFileSync(path.join(here, 'support/fixtures/bookinfo-security.yaml'), 'utf8');
  return [
    { id: 'samples/bookinfo + bookinfo-security.yaml', input: { resources: `${readSample('bookinfo')}\n---\n${bookinfoSecurity}` } },
    ...loadAuthzCases()
      .filter((c) => !c.alsoAccept)
      .map((c) => ({ id: c.id, input: { resources: c.resources, mesh: c.mesh ?? {}, options: c.options ?? {} }, proxy: c.proxy })),
  ];
}

const resourceTypes = {
  listeners: 'envoy.config.listener.v3.Listener',
  'route configurations': 'envoy.config.route.v3.RouteConfiguration',
  clusters: 'envoy.config.cluster.v3.Cluster',
  'endpoint assignments': 'envoy.config.endpoint.v3.ClusterLoadAssignment',
};

t.test('generated config is valid Envoy v3', async (t) => {
  let engine: typeof import('../src/engine.js');
  try {
    engine = await import('../src/engine.js');
  } catch (err) {
    t.fail(`src/engine.ts does not load: ${(err as Error).message}`);
    return;
  }
  const totals = new Map<string, number>();
  const unchecked = new Set<string>();
  const errorsByMessage = new Map<string, number>();
  const targets = [...sampleTargets(), ...caseTargets(), ...securityTargets()];
  let engineFailures = 0;

  for (const target of targets) {
    let results: { proxy: string; result: EnvoyCheckResult }[];
    try {
      const scenario = engine.compileScenario(target.input);
      const translated = target.proxy ? scenario.translate(target.proxy) : scenario.translate();
      results = translated.proxies.map((p) => ({ proxy: p.id, result: checkConfigDump(p.configDump) }));
    } catch (err) {
      engineFailures++;
      t.fail(`${target.id}: the engine threw: ${(err as Error).message}`);
      continue;
    }
    const errors: string[] = [];
    for (const { proxy, result } of results) {
      for (const [type, count] of Object.entries(result.checked)) totals.set(type, (totals.get(type) ?? 0) + count);
      for (const type of result.unchecked) unchecked.add(type);
      for (const error of result.errors) {
        errors.push(`${proxy} ${error}`);
        const message = error.slice(error.indexOf(': ') + 2);
        errorsByMessage.set(message, (errorsByMessage.get(message) ?? 0) + 1);
      }
    }
    t.equal(errors.length, 0, `${target.id}: ${results.length} proxies, ${errors.length} errors${errors.length ? `\n  ${errors.slice(0, 5).join('\n  ')}` : ''}`);
  }

  const counts = Object.entries(resourceTypes).map(([label, type]) => `${totals.get(type) ?? 0} ${label}`);
  t.comment(`checked over ${targets.length} inputs (${engineFailures} failed in the engine): ${counts.join(', ')}`);
  t.comment(`Istio-only types left unchecked: ${[...unchecked].sort().join(', ') || 'none'}`);
  if (errorsByMessage.size > 0) {
    const top = [...errorsByMessage].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 30);
    t.comment(`errors by message:\n${top.map(([m, n]) => `  ${n} x ${m}`).join('\n')}`);
  }
  if (engineFailures < targets.length) {
    for (const [label, type] of Object.entries(resourceTypes)) t.ok((totals.get(type) ?? 0) > 0, `some ${label} were checked`);
  }
});
