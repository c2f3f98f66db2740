// annotations.K8sAnalyzer (analyzers/annotations/annotations.go): Istio annotations on Namespaces, Services,
// Pods and Deployments that Istio does not know (IST0108), that are deprecated (IST0135), that belong on
// another kind (IST0107), or whose value the injector refuses (IST0125, pkg/kube/inject/validate.go).

import { isIP } from 'node:net';
import { load } from 'js-yaml';
import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, annotationsOf, labelsOf, type AnalysisContext } from '../context.js';
import { isPortNumber } from '../../util/ports.js';
import { ISTIO_ANNOTATIONS } from './table.js';

/** Set by istiod or controllers themselves (maturity.AlwaysIgnoredAnnotations). */
const ALWAYS_IGNORED = new Set(['sidecar.istio.io/status', 'gateway.istio.io/controller-version', 'istio.io/rev']);

const uint32 = (v: string) => (/^\d+$/.test(v) && Number(v) <= 4294967295 ? undefined : `${JSON.stringify(v)} is not a valid uint32`);
const port = (v: string) => (/^\d+$/.test(v) && isPortNumber(Number(v)) ? undefined : `${JSON.stringify(v)} is not a valid port`);
const portList = (v: string) => (v.trim() === '*' || v.trim() === '' ? undefined : v.split(',').map((p) => port(p.trim())).find(Boolean));
function isCidr(text: string): boolean {
  const [ip, bits] = text.split('/');
  const family = isIP(ip);
  return family !== 0 && bits !== undefined && /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
const cidrList = (v: string) =>
  v.trim() === '*' || v.trim() === '' || v.split(',').every((c) => isCidr(c.trim())) ? undefined : `${JSON.stringify(v)} is not a list of CIDRs`;
const interfaces = (v: string) => (v.split(',').every((i) => /^[A-Za-z0-9_.:-]*$/.test(i.trim())) ? undefined : `${JSON.stringify(v)} is not a list of interface names`);

/** The injector's checks of annotation values (inject.AnnotationValidation), each an error text or undefined. */
const VALIDATORS: Record<string, (value: string) => string | undefined> = {
  'sidecar.istio.io/interceptionMode': (v) => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : `interceptionMode ${JSON.stringify(v)} is not REDIRECT, TPROXY or NONE`),
  'status.sidecar.istio.io/port': (v) => (v === '0' ? undefined : port(v)),
  'readiness.status.sidecar.istio.io/initialDelaySeconds': uint32,
  'readiness.status.sidecar.istio.io/periodSeconds': uint32,
  'readiness.status.sidecar.istio.io/failureThreshold': uint32,
  'traffic.sidecar.istio.io/includeOutboundIPRanges': cidrList,
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': cidrList,
  'traffic.sidecar.istio.io/includeInboundPorts': portList,
  'traffic.sidecar.istio.io/excludeInboundPorts': portList,
  'traffic.sidecar.istio.io/excludeOutboundPorts': portList,
  'traffic.sidecar.istio.io/excludeInterfaces': interfaces,
  'traffic.sidecar.istio.io/kubevirtInterfaces': interfaces,
  'istio.io/reroute-virtual-interfaces': interfaces,
  'prometheus.istio.io/merge-metrics': (v) => (['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(v) ? undefined : `${JSON.stringify(v)} is not a boolean`),
  'proxy.istio.io/config': (v) => {
    try {
      const parsed = load(v);
      return parsed === null || parsed === undefined || (typeof parsed === 'object' && !Array.isArray(parsed)) ? undefined : 'proxy config is not an object';
    } catch (e) {
      return `failed to convert to apply proxy config: ${(e as Error).message.split('\n')[0]}`;
    }
  },
  'sidecar.istio.io/proxyCPU': (v) => quantity(v),
  'sidecar.istio.io/proxyMemory': (v) => quantity(v),
  'sidecar.istio.io/proxyCPULimit': (v) => quantity(v),
  'sidecar.istio.io/proxyMemoryLimit': (v) => quantity(v),
};

/** A Kubernetes resource quantity ("100m", "1Gi", "0.5"). */
function quantity(v: string): string | undefined {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/.test(v) ? undefined : `${JSON.stringify(v)} is not a resource quantity`;
}

/** istioAnnotation: kubernetes.io/ingress.class, or a name whose prefix ends in istio.io. */
const isIstioAnnotation = (name: string): boolean => name === 'kubernetes.io/ingress.class' || name.split('/')[0].endsWith('istio.io');

function check(c: AnalysisContext, o: K8sObject, kind: string): void {
  for (const [name, value] of Object.entries(annotationsOf(o))) {
    if (!isIstioAnnotation(name) || ALWAYS_IGNORED.has(name)) continue;
    const path = `metadata.annotations.${name}`;
    const info = ISTIO_ANNOTATIONS.get(name);
    if (!info) {
      c.report(o, 'UnknownAnnotation', `Unknown annotation: ${name}`, path);
      continue;
    }
    if (info.deprecated && !(name === 'sidecar.istio.io/inject' && 'sidecar.istio.io/inject' in labelsOf(o))) {
      const instead = name === 'sidecar.istio.io/inject' ? ' in favor of the "sidecar.istio.io/inject" label' : '';
      c.report(o, 'DeprecatedAnnotation', `Annotation ${JSON.stringify(name)} has been deprecated${instead} and may not work in future Istio versions.`, path);
    }
    if (info.resources.includes('Any')) continue;
    if (!info.resources.includes(kind)) {
      c.report(o, 'MisplacedAnnotation', `Misplaced annotation: ${name} can only be applied to ${info.resources.join(', ')}`, path);
      continue;
    }
    const problem = VALIDATORS[name]?.(String(value));
    if (problem) c.report(o, 'InvalidAnnotation', `Invalid annotation ${name}: ${problem}`, path);
  }
}

export const k8sAnnotationsAnalyzer: Analyzer = {
  name: 'annotations.K8sAnalyzer',
  description: 'Checks for misplaced and invalid Istio annotations in Kubernetes resources',
  analyze(c) {
    for (const ns of c.all(KINDS.Namespace)) check(c, ns, 'Namespace');
    for (const svc of c.all(KINDS.Service)) check(c, svc, 'Service');
    for (const pod of c.all(KINDS.Pod)) check(c, pod, 'Pod');
    for (const d of c.all(KINDS.Deployment)) check(c, d, 'Deployment');
  },
};
