// router_check_tool's runtime (router.cc RouterCheckTool::runtimeMock): a runtime_fraction is enabled
// only for the test's `input.runtime` key, evaluated with the test's random value; the tool raises a
// 0% default to 1 first, so a disabled route can still be reached with random_value 0.

import { evaluateFractionalPercent, type FeatureEnabled } from '../router/runtime.js';

export const toolRuntime =
  (activeRuntime: string | undefined): FeatureEnabled =>
  (key, defaultValue, randomValue) =>
    !!activeRuntime &&
    key === activeRuntime &&
    evaluateFractionalPercent({ ...defaultValue, numerator: Math.max(defaultValue.numerator ?? 0, 1) }, randomValue);
