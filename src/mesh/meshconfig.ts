// MeshConfig as istiod holds it: the user's overrides merged over istiod's defaults
// (pkg/config/mesh/mesh.go DefaultMeshConfig).

import type { EngineOptions, MeshConfigInput } from '../contract.js';
import type { MeshConfig } from './types.js';

const DEFAULT_MESH: MeshConfig = {
  rootNamespace: 'istio-system',
  trustDomain: 'cluster.local',
  enableAutoMtls: true,
  outboundTrafficPolicy: { mode: 'ALLOW_ANY' },
  connectTimeout: '10s',
  enableTracing: true,
  ingressClass: 'istio',
  ingressService: 'istio-ingressgateway',
  ingressControllerMode: 'STRICT',
  accessLogFile: '',
  protocolDetectionTimeout: '0s',
  dnsRefreshRate: '60s',
  localityLbSetting: { enabled: true },
  inboundTrafficPolicy: { mode: 'PASSTHROUGH' },
  h2UpgradePolicy: 'DO_NOT_UPGRADE',
  defaultConfig: { proxyMetadata: {} },
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of objects (like proto merge of MeshConfig YAML over defaults); arrays and scalars replace. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

export function resolveMeshConfig(input: MeshConfigInput): MeshConfig {
  return merge(DEFAULT_MESH, input ?? {}) as MeshConfig;
}

export function resolveOptions(options: EngineOptions): Required<EngineOptions> {
  return { configDomain: options.configDomain ?? 'cluster.local', features: options.features ?? {} };
}
