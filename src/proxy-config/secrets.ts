// `istioctl proxy-config secret` (istioctl/pkg/writer/compare/sds: GetEnvoySecrets, secretMetaFromCert,
// printSecretItemsTabular): one row per certificate, warming secrets first, then active ones.

import { X509Certificate } from 'node:crypto';
import type { DumpSecret } from '../dump/types.js';
import { tabwrite, TABLE } from './tabwriter.js';
import { tableLines, type KindOutput, type WriterOptions } from './types.js';

const SPIFFE_VALIDATOR = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig';

interface SecretItem {
  name: string;
  state: string;
  valid: boolean;
  type: string;
  serialNumber: string;
  notAfter: string;
  notBefore: string;
  trustDomain: string;
}

type DataSource = { inline_bytes?: string } | undefined;

/** A DataSource's inline_bytes (base64 in proto3 JSON) as text, as GetInlineBytes gives them. */
const inlineBytes = (source: DataSource): string =>
  typeof source?.inline_bytes === 'string' ? Buffer.from(source.inline_bytes, 'base64').toString('utf8') : '';

/** RFC 3339 in UTC without fractions, as Go's time.RFC3339 prints a certificate's dates. */
const rfc3339 = (date: string): string => new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The first PEM certificate's type, serial (%032x), dates, validity today and SPIFFE trust domain; undefined when it does not parse. */
function certificateMeta(pem: string, trustDomain: string, now: Date) {
  const block = /-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/.exec(pem);
  if (!block) return undefined;
  try {
    const cert = new X509Certificate(block[0]);
    const spiffe = (cert.subjectAltName ?? '')
      .split(', ')
      .filter((n) => n.startsWith('URI:spiffe://'))
      .map((n) => new URL(n.slice(4)).host);
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    return {
      type: cert.ca ? 'CA' : 'Cert Chain',
      serialNumber: BigInt(`0x${cert.serialNumber}`).toString(16).padStart(32, '0'),
      notAfter: rfc3339(cert.validTo),
      notBefore: rfc3339(cert.validFrom),
      valid: now > notBefore && now < notAfter,
      // The last spiffe URI wins, as in the Go loop.
      trustDomain: trustDomain || (spiffe.at(-1) ?? ''),
    };
  } catch {
    return undefined;
  }
}

function item(name: string, state: string, data: string, trustDomain: string, now: Date): SecretItem {
  const meta = data ? certificateMeta(data, trustDomain, now) : undefined;
  return { name, state, valid: false, type: '', serialNumber: '', notAfter: '', notBefore: '', trustDomain: '', ...meta };
}

/** parseDynamicSecret: the certificate chain, else the trusted CA, else one item per SPIFFE trust bundle. */
function secretItems(s: DumpSecret, state: string, now: Date): SecretItem[] {
  const secret = (s.secret ?? {}) as {
    tls_certificate?: { certificate_chain?: DataSource };
    validation_context?: { trusted_ca?: DataSource; custom_validator_config?: { typed_config?: { '@type'?: string; trust_domains?: { name?: string; trust_bundle?: DataSource }[] } } };
  };
  const chain = inlineBytes(secret.tls_certificate?.certificate_chain);
  const ca = inlineBytes(secret.validation_context?.trusted_ca);
  if (chain) return [item(s.name, state, chain, '', now)];
  if (ca) return [item(s.name, state, ca, '', now)];
  const validator = secret.validation_context?.custom_validator_config?.typed_config;
  if (validator?.['@type'] === SPIFFE_VALIDATOR) {
    return (validator.trust_domains ?? []).map((td) => item(s.name, state, inlineBytes(td.trust_bundle), td.name ?? '', now));
  }
  return [item(s.name, state, '', '', now)];
}

export function secretsSummary(
  secrets: { dynamicActive: DumpSecret[]; dynamicWarming: DumpSecret[] },
  { includeConfigType, now }: WriterOptions,
): KindOutput {
  const empty = (text: string): KindOutput => ({ kind: 'secrets', headers: [], rows: [], text: `${text}\n` });
  if (secrets.dynamicActive.length === 0 && secrets.dynamicWarming.length === 0) return empty('No active or warming secrets found.');
  // An active secret of version "uninitialized" is meant to show UNINITIALIZED, but istioctl sets it on a
  // copy of the item, so it prints ACTIVE: so do we.
  const items = [
    ...secrets.dynamicWarming.flatMap((s) => secretItems(s, 'WARMING', now)),
    ...secrets.dynamicActive.flatMap((s) => secretItems(s, 'ACTIVE', now)),
  ];
  if (items.length === 0) return empty('No secret items to show.');
  // A TRUST DOMAIN column only when every item has one (SPIFFE federation).
  const withTrustDomain = items.every((s) => s.trustDomain !== '');
  const headers = ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE', ...(withTrustDomain ? ['TRUST DOMAIN'] : [])];
  const rows = items.map((s) => [
    includeConfigType ? `secret/${s.name}` : s.name,
    s.type,
    s.state,
    String(s.valid),
    s.serialNumber,
    s.notAfter,
    s.notBefore,
    ...(withTrustDomain ? [s.trustDomain] : []),
  ]);
  return { kind: 'secrets', headers, rows, text: tabwrite(tableLines(headers, rows), TABLE) };
}
