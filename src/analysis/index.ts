// The analysis stage: `istioctl analyze --use-kube=false` over manifests (istioctl/pkg/analyze and
// pkg/config/analysis/local). Every kind is read; schema errors are messages (IST0106), never a refusal.

import { parseManifests } from '../manifests/index.js';
import type { K8sObject, ManifestProblem, ParsedManifests } from '../manifests/types.js';
import { resolveMeshConfig } from '../mesh/meshconfig.js';
import type { EngineOptions, MeshConfigInput } from '../contract.js';
import { AnalysisContext, type AnalysisMessage, type Origin } from './context.js';
import { ANALYZERS } from './all.js';
import { defaultIngressResources } from './default-ingress.js';
import { schemaMessages } from './schema/validation.js';

export type { AnalysisMessage } from './context.js';
export { ANALYZERS } from './all.js';

export interface AnalysisInput {
  /**
   * The manifests, each input with the file it came from (command line) or without (API); `parsed` when the
   * caller has read them already (the engine's reading, whose ignored kinds analyze reads too).
   */
  inputs: { file?: string; resources: string | unknown[]; parsed?: ParsedManifests }[];
  mesh?: MeshConfigInput;
  options?: EngineOptions;
  /** When certificates are checked (ms since the epoch); without it, validity periods are not checked. */
  now?: number;
}

export interface AnalysisResult {
  messages: AnalysisMessage[];
  /** Input that could not be read at all (YAML syntax, size limits): nothing of it was analyzed. */
  unreadable: (ManifestProblem & { file?: string })[];
}

/** Namespaces istioctl analyze leaves out (analysis/local.go's default exclusions). */
const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

export function analyze(input: AnalysisInput): AnalysisResult {
  const mesh = resolveMeshConfig(input.mesh ?? {});
  const objects: K8sObject[] = [];
  const origins = new Map<K8sObject, Origin>();
  const problems: { object?: K8sObject; problem: ManifestProblem; file?: string }[] = [];
  const unreadable: AnalysisResult['unreadable'] = [];
  for (const { file, resources, parsed: read } of input.inputs) {
    const parsed = read ? withIgnored(read) : parseManifests(resources, { tolerant: true });
    parsed.objects.forEach((o, i) => {
      if (IGNORED_NAMESPACES.has(o.metadata.namespace)) return;
      objects.push(o);
      origins.set(o, { document: parsed.documents[i], ...(file !== undefined ? { file } : {}) });
    });
    for (const p of parsed.problems) {
      if (p.severity !== 'error') continue;
      const object = parsed.objects.find((o, i) => parsed.documents[i] === p.document && objectKey(o) === `${p.kind}/${p.object}`);
      if (object || p.kind) problems.push({ object, problem: p, file });
      else unreadable.push({ ...p, ...(file !== undefined ? { file } : {}) });
    }
  }
  objects.push(...defaultIngressResources(objects, mesh));
  const c = new AnalysisContext(objects, origins, mesh, input.options?.features ?? {}, input.now);
  schemaMessages(c, problems);
  for (const analyzer of ANALYZERS) analyzer.analyze(c);
  return { messages: sortedDeduped(c.messages), unreadable };
}

/** A reading with its ignored kinds back among the objects, in document order (as the tolerant reading has them). */
function withIgnored(parsed: ParsedManifests): ParsedManifests {
  const all = [...parsed.objects.map((object, i) => ({ object, document: parsed.documents[i] })), ...parsed.ignored];
  all.sort((a, b) => a.document - b.document);
  return { objects: all.map((e) => e.object), documents: all.map((e) => e.document), ignored: [], problems: parsed.problems };
}

const objectKey = (o: K8sObject): string =>
  `${o.kind}/${o.metadata.namespace === '' ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`}`;

/** diag.Messages.SortedDedupedCopy: identical messages once, ordered by resource, then code, then text. */
function sortedDeduped(messages: AnalysisMessage[]): AnalysisMessage[] {
  const seen = new Map<string, { message: AnalysisMessage; resource: string }>();
  for (const m of messages) {
    const key = JSON.stringify([m.level, m.code, m.resource, m.file, m.document, m.message]);
    if (!seen.has(key)) seen.set(key, { message: m, resource: `${m.resource.kind} ${m.resource.namespace}/${m.resource.name}` });
  }
  return [...seen.values()]
    .sort((a, b) => cmp(a.resource, b.resource) || cmp(a.message.code, b.message.code) || cmp(a.message.message, b.message.message))
    .map((e) => e.message);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
