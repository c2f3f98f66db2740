// EXTENSION_CONFIG patches: the ECDS resources istiod serves (extension_config_builder.go,
// envoyfilter/extension_configuration_patch.go InsertedExtensionConfigurations): an ADD whose name a
// filter of the proxy asks for through config_discovery.

import type { Listener } from '../envoy.js';
import type { PatchRun } from './patch.js';

/** envoy.config.core.v3.TypedExtensionConfig. */
export interface ExtensionConfig {
  name: string;
  typed_config?: { '@type'?: string; [field: string]: unknown };
}

/** Names of the filters (listener, network, HTTP) configured through ECDS. */
function discoveredNames(listeners: Listener[]): Set<string> {
  const names = new Set<string>();
  const visit = (f: { name?: string; config_discovery?: unknown }) => {
    if (f.config_discovery && f.name) names.add(f.name);
  };
  for (const l of listeners) {
    for (const lf of l.listener_filters ?? []) visit(lf as never);
    for (const fc of [...l.filter_chains, ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
      for (const f of fc.filters) {
        visit(f as never);
        for (const hf of ((f.typed_config as { http_filters?: unknown[] } | undefined)?.http_filters ?? []) as never[]) visit(hf);
      }
    }
  }
  return names;
}

export function extensionConfigs(run: PatchRun, listeners: Listener[]): ExtensionConfig[] {
  const patches = run.of('EXTENSION_CONFIG').filter((p) => p.operation === 'ADD');
  if (patches.length === 0) return [];
  const wanted = discoveredNames(listeners);
  const out: ExtensionConfig[] = [];
  for (const p of patches) {
    // Only the names the proxy asks for are sent.
    if (!wanted.has((p.value as { name?: string } | undefined)?.name ?? '')) continue;
    const v = run.value(p) as ExtensionConfig | undefined;
    if (v) out.push(v);
  }
  return out;
}
