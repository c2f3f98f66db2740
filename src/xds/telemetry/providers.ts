// MeshConfig extensionProviders as istiod looks them up for Telemetry (pilot/pkg/model/telemetry.go
// fetchProvider: by name, ignoring case), with the built-in "envoy" file access log provider
// (pkg/config/mesh: an envoyFileAccessLog to /dev/stdout istiod adds unless one of that name exists).

import type { MeshIndex } from '../../mesh/types.js';

export type Provider = { name: string } & Record<string, any>;

const BUILTIN_ENVOY: Provider = { name: 'envoy', envoyFileAccessLog: { path: '/dev/stdout' } };

export function meshProviders(index: MeshIndex): Provider[] {
  const listed = Array.isArray(index.mesh.extensionProviders) ? (index.mesh.extensionProviders as Provider[]) : [];
  return listed.some((p) => p?.name === 'envoy') ? listed : [...listed, BUILTIN_ENVOY];
}

export function fetchProvider(index: MeshIndex, name: string): Provider | undefined {
  return meshProviders(index).find((p) => typeof p?.name === 'string' && p.name.toLowerCase() === name.toLowerCase());
}

/** defaultProviders.<kind> of MeshConfig. */
export const defaultProviders = (index: MeshIndex, kind: 'accessLogging' | 'tracing' | 'metrics'): string[] => {
  const list = (index.mesh.defaultProviders as Record<string, unknown> | undefined)?.[kind];
  return Array.isArray(list) ? (list as string[]) : [];
};

export const providerNames = (refs: unknown): string[] => (Array.isArray(refs) ? refs.map((r) => String(r?.name ?? '')) : []);

export type WorkloadMode = 'CLIENT' | 'SERVER';
/** Telemetry match.mode: CLIENT_AND_SERVER (the default) matches both. */
export const modeMatches = (match: { mode?: string } | undefined, mode: WorkloadMode): boolean =>
  !match?.mode || match.mode === 'CLIENT_AND_SERVER' || match.mode === mode;
