// What istiod would log (and skip) about security config that a review should see: extension providers
// that cannot be used, so the CUSTOM policies naming them deny what they match (builder.go getExtAuthz).

import type { MeshIndex } from '../mesh/types.js';
import { extensionProviders } from './ext-authz.js';

export function securityWarnings(index: MeshIndex): string[] {
  return [...extensionProviders(index)]
    .filter(([, p]) => p.errors.length > 0)
    .map(([name, p]) => `MeshConfig extensionProviders ${name || '(unnamed)'}: ${p.errors.join('; ')}; CUSTOM policies naming it deny the requests they match`);
}
