// Feature flags are read one way, as istiod parses its environment: ParseBool's spellings, numbers,
// istiod's defaults when a flag is absent or does not parse.

import t from 'tap';
import { featureFlag, featureNumber, featureString } from '../../src/mesh/features.js';

t.test('booleans as strconv.ParseBool reads them; the default otherwise', async (t) => {
  for (const v of [true, 'true', 'True', 'TRUE', 't', '1', 1]) t.equal(featureFlag({ PILOT_SCOPE_GATEWAY_TO_NAMESPACE: v }, 'PILOT_SCOPE_GATEWAY_TO_NAMESPACE'), true, String(v));
  for (const v of [false, 'false', 'False', 'f', '0', 0]) t.equal(featureFlag({ PILOT_ENABLE_ROUTE_COLLAPSE_OPTIMIZATION: v }, 'PILOT_ENABLE_ROUTE_COLLAPSE_OPTIMIZATION'), false, String(v));
  t.equal(featureFlag({}, 'PILOT_ENABLE_IP_AUTOALLOCATE'), true, 'istiod default');
  t.equal(featureFlag({ PILOT_SCOPE_GATEWAY_TO_NAMESPACE: 'yes' }, 'PILOT_SCOPE_GATEWAY_TO_NAMESPACE'), false, 'unparseable: the default');
});

t.test('numbers and strings', async (t) => {
  t.equal(featureNumber({ PILOT_TRACE_SAMPLING: '12.5' }, 'PILOT_TRACE_SAMPLING'), 12.5);
  t.equal(featureNumber({ PILOT_TRACE_SAMPLING: 'lots' }, 'PILOT_TRACE_SAMPLING'), 1);
  t.equal(featureString({}, 'K8S_INGRESS_NS'), 'istio-system');
  t.equal(featureString({ K8S_INGRESS_NS: 'ingress' }, 'K8S_INGRESS_NS'), 'ingress');
});
