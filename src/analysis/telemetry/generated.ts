// Telemetry settings istiod would turn into config that meshplan's generated config leaves out (a provider
// kind not modelled, a provider whose service is not in the registry), as messages about the proxy. They
// come from generating the proxy's xDS (src/xds/telemetry), so they are per proxy.

import type { SourceRef } from '../../manifests/types.js';
import type { AnalysisMessage } from '../context.js';
import { MESHPLAN_MESSAGE_TYPES } from '../messages.js';

export function telemetryMessages(proxy: { namespace: string; name: string }, problems: readonly { telemetry?: SourceRef; message: string }[]): AnalysisMessage[] {
  const type = MESHPLAN_MESSAGE_TYPES.TelemetryNotModelled;
  return problems.map((p) => ({
    code: type.code,
    name: 'TelemetryNotModelled',
    level: type.level,
    resource: p.telemetry ? { kind: 'Telemetry', namespace: p.telemetry.namespace, name: p.telemetry.name } : { kind: 'Pod', namespace: proxy.namespace, name: proxy.name },
    message: `proxy ${proxy.namespace}/${proxy.name}: ${p.message}`,
  }));
}
