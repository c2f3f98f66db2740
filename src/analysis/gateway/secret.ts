// gateway.SecretAnalyzer (analyzers/gateway/secret.go): a Gateway's credentialName must name a Secret in the
// namespace of the gateway's pods, holding a certificate and key (kube.ExtractCertInfo) with a certificate
// valid now (xds.ValidateCertificate).

import { X509Certificate } from 'node:crypto';
import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, selectorString, selects, specOf, str } from '../context.js';

/** The Secret's value of a key: `data` (base64) or `stringData`. */
function secretValue(secret: K8sObject, key: string): Buffer | undefined {
  const data = record(secret.data)[key];
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const text = record(secret.stringData)[key];
  return typeof text === 'string' ? Buffer.from(text) : undefined;
}

/** The certificate the Secret serves: `cert`/`key`, else `tls.crt`/`tls.key`, both non-empty. */
function certificateOf(secret: K8sObject): Buffer | undefined {
  for (const [cert, key] of [['cert', 'key'], ['tls.crt', 'tls.key']]) {
    const c = secretValue(secret, cert);
    const k = secretValue(secret, key);
    if (c?.length && k?.length) return c;
  }
  return undefined;
}

/** The first PEM block parses as X.509 and is within its validity period at `now` (when given). */
function validAt(pem: Buffer, now: number | undefined): boolean {
  const block = /-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/.exec(pem.toString('latin1'));
  if (!block) return false;
  try {
    const cert = new X509Certificate(block[0]);
    return now === undefined || (now >= Date.parse(cert.validFrom) && now <= Date.parse(cert.validTo));
  } catch {
    return false;
  }
}

export const secretAnalyzer: Analyzer = {
  name: 'gateway.SecretAnalyzer',
  description: "Checks a gateway's referenced secrets for correctness",
  analyze(c) {
    for (const gw of c.all(KINDS.Gateway)) {
      const selector = record(specOf(gw).selector);
      const pod = c.workloadPods().find((p) => selects(selector, labelsOf(p)));
      if (!pod) {
        c.report(gw, 'ReferencedResourceNotFound', `Referenced selector not found: "${selectorString(selector)}"`, 'spec.selector');
        continue;
      }
      const ns = pod.metadata.namespace;
      list(specOf(gw).servers).forEach((server, i) => {
        const cn = str(record(server?.tls).credentialName);
        if (!cn) return;
        const [secretNs, secretName] = cn.includes('/') ? cn.split('/', 2) : [ns, cn];
        const secret = c.find(KINDS.Secret, secretNs, secretName);
        const path = `spec.servers[${i}].tls.credentialName`;
        if (!secret) return c.report(gw, 'ReferencedResourceNotFound', `Referenced credentialName not found: "${cn}"`, path);
        const cert = certificateOf(secret);
        if (!cert || !validAt(cert, c.now)) {
          c.report(gw, 'InvalidGatewayCredential', `The credential of gateway ${gw.metadata.name} in namespace ${ns} is invalid: no certificate and key, or a certificate that is not valid now`, path);
        }
      });
    }
  },
};
