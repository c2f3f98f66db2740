// Telemetry settings istiod would turn into config that meshplan's generated config leaves out (a provider
// kind not modelled, a provider whose service is not in the registry), as messages about the proxy. They
// come from generating the proxy's xDS (src/xds/telemetry), so they are per proxy.

import type { SourceRef } from '../../manifests/types.js';
import type { AnalysisMessage } from '../context.js';
import { meshplanMessageAbout } from '../../fidelity/message.js';

export function telemetryMessages(proxy: { namespace: string; name: string }, problems: readonly { telemetry?: SourceRef; message: string }[]): AnalysisMessage[] {
  return problems.map((p) =>
    meshplanMessageAbout(
      'TelemetryNotModelled',
      p.telemetry ? { kind: 'Telemetry', namespace: p.telemetry.namespace, name: p.telemetry.name } : { kind: 'Pod', namespace: proxy.namespace, name: proxy.name },
      `proxy ${proxy.namespace}/${proxy.name}: ${p.message}`,
    ),
  );
}
