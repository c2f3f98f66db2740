// IP addresses and CIDR ranges as Envoy compares them in filter chain matches (IPv4 and IPv6).

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
  /** The IPv4 address as an unsigned 32-bit number: the fast path for the common case. */
  v4?: number;
}

export interface Cidr extends IpAddress {
  bits: number;
  mask: bigint;
  mask4?: number;
  text: string;
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(s: string): bigint | undefined {
  const zoneless = s.split('%')[0];
  const halves = zoneless.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === '') return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  let value = 0n;
  for (const g of [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]) {
    value = (value << 16n) | BigInt(g);
  }
  return value;
}

export function parseIp(s: string): IpAddress | undefined {
  if (s.includes(':')) {
    const value = parseIpv6(s);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(s);
  return value === undefined ? undefined : { family: 4, value, v4: Number(value) };
}

const width = (family: 4 | 6): number => (family === 4 ? 32 : 128);

function mask(family: 4 | 6, bits: number): bigint {
  const w = BigInt(width(family));
  return ((1n << w) - 1n) ^ ((1n << (w - BigInt(bits))) - 1n);
}

/** A CidrRange (address_prefix, prefix_len; Envoy's default length is 0). Host bits are masked off. */
export function parseCidr(prefix: string, len = 0): Cidr | undefined {
  const ip = parseIp(prefix);
  if (!ip || len < 0 || len > width(ip.family)) return undefined;
  const m = mask(ip.family, len);
  const value = ip.value & m;
  const v4 = ip.family === 4 ? { v4: Number(value), mask4: Number(m) } : {};
  return { family: ip.family, value, bits: len, mask: m, text: `${prefix}/${len}`, ...v4 };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  if (ip.v4 !== undefined && cidr.mask4 !== undefined) return (ip.v4 & cidr.mask4) >>> 0 === cidr.v4;
  return (ip.value & cidr.mask) === cidr.value;
}

export function isLoopback(ip: IpAddress): boolean {
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}
