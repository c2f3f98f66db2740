// `istioctl proxy-config bootstrap -o short` (istioctl/pkg/writer/envoy/configdump/configdump.go
// PrintBootstrapSummary): the Istio version, the proxy's SHA and Envoy's build version from the node.

import type { Json } from '../dump/types.js';
import { tabwrite, NARROW } from './tabwriter.js';
import type { KindOutput } from './types.js';

const stringValue = (v: unknown): string => (typeof v === 'string' ? v : '');

/** getUserAgentVersionInfo: major.minor.patch, then -label, /status, /type, /ssl from the build metadata. */
function envoyVersion(node: Json): string {
  const build = (node.user_agent_build_version ?? {}) as { version?: { major_number?: number; minor_number?: number; patch?: number }; metadata?: Json };
  const v = build.version ?? {};
  const md = build.metadata ?? {};
  let s = `${v.major_number ?? 0}.${v.minor_number ?? 0}.${v.patch ?? 0}`;
  if ('build.label' in md) s += `-${stringValue(md['build.label'])}`;
  if ('revision.status' in md) s += `/${stringValue(md['revision.status'])}`;
  if ('build.type' in md) s += `/${stringValue(md['build.type'])}`;
  if ('ssl.version' in md) s += `/${stringValue(md['ssl.version'])}`;
  return s;
}

export function bootstrapSummary(bootstrap: Json): KindOutput {
  const node = (bootstrap.node ?? {}) as Json;
  const md = (node.metadata ?? {}) as Json;
  const version = stringValue(md.ISTIO_VERSION);
  let sha = stringValue(md.ISTIO_PROXY_SHA);
  const shaParts = sha.split(':');
  if (shaParts.length > 1) sha = shaParts[1];
  const rows = [
    ['Istio Version:', version],
    ['Istio Proxy Version:', sha],
    ['Envoy Version:', envoyVersion(node)],
  ].filter(([, value]) => value !== '');
  return { kind: 'bootstrap', headers: ['FIELD', 'VALUE'], rows, text: tabwrite(rows.map((r) => `${r.join('\t')}\n`).join(''), NARROW) };
}
