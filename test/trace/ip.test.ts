// Address and CIDR parsing for filter chain prefix ranges.

import t from 'tap';
import { cidrContains, parseCidr, parseIp } from '../../src/trace/ip.js';

t.test('parses IPv4 and IPv6 forms, rejects garbage', async (t) => {
  t.equal(parseIp('10.0.0.1')?.value, 0x0a000001n);
  t.equal(parseIp('::1')?.value, 1n);
  t.equal(parseIp('2001:db8::')?.value, 0x20010db8n << 96n);
  t.equal(parseIp('::ffff:1.2.3.4')?.value, (0xffffn << 32n) | 0x01020304n);
  t.equal(parseIp('fe80::1%eth0')?.family, 6);
  for (const bad of ['', '1.2.3', '256.0.0.1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'reviews', '1:2:3:4:5:6:7']) t.equal(parseIp(bad), undefined, bad);
});

t.test('CIDR containment masks host bits and keeps families apart', async (t) => {
  const v6 = parseCidr('1234:1f1:123:123:f816:3eff:feb8:2287', 16)!;
  t.ok(cidrContains(v6, parseIp('1234::1')!));
  t.notOk(cidrContains(v6, parseIp('1235::1')!));
  const v4 = parseCidr('10.96.1.7', 24)!;
  t.ok(cidrContains(v4, parseIp('10.96.1.200')!));
  t.notOk(cidrContains(v4, parseIp('10.96.2.1')!));
  t.notOk(cidrContains(v4, parseIp('::ffff:10.96.1.1')!));
  t.ok(cidrContains(parseCidr('0.0.0.0', 0)!, parseIp('255.255.255.255')!));
  t.ok(cidrContains(parseCidr('255.255.255.255', 32)!, parseIp('255.255.255.255')!));
  t.equal(parseCidr('10.0.0.0', 33), undefined);
});
