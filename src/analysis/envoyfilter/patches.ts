// EnvoyFilter patches that istiod would apply to a proxy but meshplan leaves out of its config (a value or a
// merge result Envoy's protos refuse, an unmodelled applyTo), as messages naming the EnvoyFilter and the
// patch index. They come from generating the proxy's xDS (src/xds/envoyfilter), so they are per proxy.

import type { PatchProblem } from '../../xds/envoyfilter/patch.js';
import type { AnalysisMessage } from '../context.js';
import { meshplanMessageAbout } from '../../fidelity/message.js';

export function envoyFilterPatchMessages(proxy: { namespace: string; name: string }, problems: readonly PatchProblem[]): AnalysisMessage[] {
  return problems.map((p) =>
    meshplanMessageAbout(
      'EnvoyFilterPatchNotApplied',
      { kind: 'EnvoyFilter', namespace: p.filter.namespace, name: p.filter.name },
      `${p.applyTo} ${p.operation} patch for proxy ${proxy.namespace}/${proxy.name}${p.target ? ` on ${p.target}` : ''}: ${p.message}`,
      { path: `spec.configPatches[${p.index}]` },
    ),
  );
}
