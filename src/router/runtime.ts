// Runtime fractions as Envoy evaluates them (common/protobuf/utility.cc
// ProtobufPercentHelper::evaluateFractionalPercent): `random_value % denominator < numerator`.

import type { FractionalPercent } from '../xds/envoy.js';

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

export function evaluateFractionalPercent(percent: FractionalPercent, randomValue: number): boolean {
  const denominator = DENOMINATORS[percent.denominator ?? 'HUNDRED'];
  return randomValue % denominator < (percent.numerator ?? 0);
}

/**
 * The runtime snapshot a route's runtime_fraction consults (Runtime::Snapshot::featureEnabled).
 * Envoy with no runtime layer evaluates the default value; router_check_tool replaces it with its own
 * (see src/route-check/runtime.ts).
 */
export type FeatureEnabled = (runtimeKey: string, defaultValue: FractionalPercent, randomValue: number) => boolean;

export const defaultRuntime: FeatureEnabled = (_key, defaultValue, randomValue) => evaluateFractionalPercent(defaultValue, randomValue);
