// Istio's legacy auto-allocation of ServiceEntry VIPs (serviceentry/auto_allocation.go), used when
// PILOT_ENABLE_IP_AUTOALLOCATE is off: a service without an address gets 240.240.x.y chosen by an
// FNV-1a hash of "namespace/hostname" with double hashing on collision, so every istiod agrees.

import type { Service } from './types.js';

const PRIME = 65011;
const MAX_IPS = 256 * 254;

const fnv1a32 = (text: string): number => {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
};

/** Sets autoAllocatedAddress on the services that qualify (no address, not wildcard, not passthrough). */
export function autoAllocateAddresses(services: Service[]): void {
  const slots: (Service | undefined)[] = new Array(MAX_IPS);
  for (const service of services) {
    if (service.address !== '0.0.0.0' || service.hostname.startsWith('*') || service.resolution === 'Passthrough') continue;
    const hash = fnv1a32(`${service.namespace}/${service.hostname}`);
    let slot = hash % MAX_IPS;
    if (slots[slot]) {
      const step = PRIME - (hash % PRIME);
      for (let i = 1; ; i++) {
        slot = ((hash + Math.imul(i, step)) >>> 0) % (MAX_IPS - 1); // uint32 arithmetic, as in Go
        if (!slots[slot]) break;
      }
    }
    slots[slot] = service;
  }
  // Slot order gives the octets; a key seen again reuses its pair, and x.y.z.255-style gaps are skipped.
  const byKey = new Map<string, string>();
  let x = 0;
  for (const service of slots) {
    x++;
    if (!service) continue;
    if (x % 255 === 0) x++;
    const key = `${service.namespace}/${service.hostname}`;
    let address = byKey.get(key);
    if (!address) {
      address = `240.240.${Math.floor(x / 255)}.${x % 255}`;
      byKey.set(key, address);
    }
    service.autoAllocatedAddress = address;
  }
}
