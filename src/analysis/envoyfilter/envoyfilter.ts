// envoyfilter.EnvoyPatchAnalyzer (analyzers/envoyfilter/envoyfilter.go): patch operations that do not apply
// to their applyTo (ADD or REMOVE on routes, REPLACE outside filters and virtual hosts), and relative
// operations without a priority, whose outcome depends on the order EnvoyFilters are applied in.

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str, type AnalysisContext } from '../context.js';

const ROUTES = new Set(['ROUTE_CONFIGURATION', 'HTTP_ROUTE']);
const REPLACEABLE = new Set(['NETWORK_FILTER', 'HTTP_FILTER', 'VIRTUAL_HOST']);

function relative(c: AnalysisContext, ef: K8sObject, index: number, earlierVersioned: string[], instanceName: string): void {
  if (Number(specOf(ef).priority ?? 0) !== 0) return;
  const path = `spec.configPatches[${index}]`;
  if (earlierVersioned.includes(instanceName)) {
    c.report(ef, 'EnvoyFilterUsesRelativeOperationWithProxyVersion', 'This EnvoyFilter has no priority and uses a relative patch operation on a filter that a proxyVersion-specific EnvoyFilter also patches: it may stop applying after an upgrade. Set a priority, or use REPLACE or an absolute operation', path);
  } else {
    c.report(ef, 'EnvoyFilterUsesRelativeOperation', 'This EnvoyFilter has no priority and uses a relative patch operation (INSERT_BEFORE, INSERT_AFTER, REPLACE or REMOVE) that depends on the other filters: set a priority, or use an absolute operation', path);
  }
}

export const envoyPatchAnalyzer: Analyzer = {
  name: 'envoyfilter.EnvoyPatchAnalyzer',
  description: 'Checks an envoyFilters ',
  analyze(c) {
    // Names of patched filters of earlier EnvoyFilters that match on a proxyVersion.
    const versioned: string[] = [];
    for (const ef of c.all(KINDS.EnvoyFilter)) {
      const patches = list(specOf(ef).configPatches).map(record);
      for (let index = 0; index < patches.length; index++) {
        const p = patches[index];
        if (!p.patch) break;
        const patch = record(p.patch);
        const match = record(p.match);
        const value = record(patch.value);
        // Istio compares the proto text of value.name with plain filter names, so the two never meet.
        let instanceName = '';
        if ('name' in value) instanceName = `value:${JSON.stringify(value.name)}`;
        else if (Object.keys(value).length > 0 && p.match) instanceName = str(record(record(record(match.listener).filterChain).filter).name);
        const applyTo = str(p.applyTo);
        const operation = str(patch.operation);
        const path = `spec.configPatches[${index}]`;
        if (operation === 'ADD') {
          if (ROUTES.has(applyTo)) c.report(ef, 'EnvoyFilterUsesAddOperationIncorrectly', `The ADD operation does nothing for applyTo ${applyTo}: use MERGE`, path);
        } else if (operation === 'REMOVE') {
          if (ROUTES.has(applyTo)) c.report(ef, 'EnvoyFilterUsesRemoveOperationIncorrectly', `The REMOVE operation does nothing for applyTo ${applyTo}`, path);
          else relative(c, ef, index, versioned, instanceName);
        } else if (operation === 'REPLACE') {
          if (!REPLACEABLE.has(applyTo)) c.report(ef, 'EnvoyFilterUsesReplaceOperationIncorrectly', `The REPLACE operation applies only to NETWORK_FILTER, HTTP_FILTER and VIRTUAL_HOST, not ${applyTo}`, path);
          else relative(c, ef, index, versioned, instanceName);
        } else if (operation === 'INSERT_BEFORE' || operation === 'INSERT_AFTER') {
          relative(c, ef, index, versioned, instanceName);
        }
        if (str(record(match.proxy).proxyVersion) !== '') versioned.push(instanceName);
      }
    }
  },
};
