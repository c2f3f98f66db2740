// EnvoyFilter patches that istiod would apply to a proxy but meshplan leaves out of its config (a value or a
// merge result Envoy's protos refuse, an unmodelled applyTo), as messages naming the EnvoyFilter and the
// patch index. They come from generating the proxy's xDS (src/xds/envoyfilter), so they are per proxy.

import type { PatchProblem } from '../../xds/envoyfilter/patch.js';
import type { AnalysisMessage } from '../context.js';
import { MESHPLAN_MESSAGE_TYPES } from '../messages.js';

export function envoyFilterPatchMessages(proxy: { namespace: string; name: string }, problems: readonly PatchProblem[]): AnalysisMessage[] {
  const type = MESHPLAN_MESSAGE_TYPES.EnvoyFilterPatchNotApplied;
  return problems.map((p) => ({
    code: type.code,
    name: 'EnvoyFilterPatchNotApplied',
    level: type.level,
    resource: { kind: 'EnvoyFilter', namespace: p.filter.namespace, name: p.filter.name },
    path: `spec.configPatches[${p.index}]`,
    message: `${p.applyTo} ${p.operation} patch for proxy ${proxy.namespace}/${proxy.name}${p.target ? ` on ${p.target}` : ''}: ${p.message}`,
  }));
}
