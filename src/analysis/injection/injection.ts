// injection.Analyzer (analyzers/injection/injection.go): namespaces without an injection label (IST0102) or
// with several (IST0123), and pods of injected namespaces that lack the istio-proxy container (IST0103).

import type { Analyzer } from '../analyzer.js';
import { KINDS, annotationsOf, labelsOf, list, record, specOf, str } from '../context.js';

const INJECTION = 'istio-injection';
const REVISION = 'istio.io/rev';
const DATAPLANE_MODE = 'istio.io/dataplane-mode';

/** The injector ConfigMap's values.sidecarInjectorWebhook.enableNamespacesByDefault. */
function enableNamespacesByDefault(values: unknown): boolean {
  try {
    return record(record(JSON.parse(str(values))).sidecarInjectorWebhook).enableNamespacesByDefault === true;
  } catch {
    return false;
  }
}

export const injectionAnalyzer: Analyzer = {
  name: 'injection.Analyzer',
  description: 'Checks conditions related to Istio sidecar injection',
  analyze(c) {
    let byDefault = false;
    const injected = new Set<string>();
    for (const ns of c.all(KINDS.Namespace)) {
      const name = ns.metadata.name;
      if (name === 'istio-system') continue;
      const labels = labelsOf(ns);
      const hasInjection = INJECTION in labels;
      const injection = labels[INJECTION] ?? '';
      const istioLabels = hasInjection ? [`${INJECTION}=${injection}`] : [];
      for (const l of [REVISION, DATAPLANE_MODE]) {
        if (l in labels && (!hasInjection || injection === 'enabled')) istioLabels.push(`${l}=${labels[l]}`);
      }
      if (istioLabels.length > 1) {
        c.report(ns, 'NamespaceMultipleInjectionLabels', `The namespace has more than one kind of injection label: ${istioLabels.join(' ')}; keep one`, 'metadata.labels');
      }
      if (labels[DATAPLANE_MODE] === 'ambient') continue;
      const revision = labels[REVISION];
      const configMap = !revision || revision === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${revision}`;
      const cm = c.all(KINDS.ConfigMap).find((m) => m.metadata.name === configMap);
      if (cm) byDefault = enableNamespacesByDefault(record(cm.data).values);
      if (injection === '' && !(REVISION in labels)) {
        if (byDefault) c.report(ns, 'NamespaceInjectionEnabledByDefault', 'The namespace has no injection label, and the injector injects every namespace by default');
        else c.report(ns, 'NamespaceNotInjected', `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${name} istio-injection=enabled' to enable it, or 'kubectl label namespace ${name} istio-injection=disabled' to explicitly mark it as not needing injection.`, 'metadata.name');
        continue;
      }
      if (injection === 'enabled') injected.add(name);
    }
    for (const pod of c.all(KINDS.Pod)) {
      if (!injected.has(pod.metadata.namespace)) continue;
      const inject = labelsOf(pod)['sidecar.istio.io/inject'] ?? annotationsOf(pod)['sidecar.istio.io/inject'] ?? '';
      if (inject.toLowerCase() === 'false' || specOf(pod).hostNetwork === true) continue;
      const containers = [...list(specOf(pod).containers), ...list(specOf(pod).initContainers)].map(record);
      if (str(containers.find((ct) => ct.name === 'istio-proxy')?.image) !== '') continue;
      c.report(pod, 'PodMissingProxy', `The pod ${pod.metadata.namespace}/${pod.metadata.name} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.`);
    }
  },
};
