// router_check_tool's test format (envoyproxy/envoy test/tools/router_check/validation.proto, as its
// JSON and YAML test files hold it) and the answer of a route check.

import type { HeaderMatcher } from '../xds/envoy.js';

export interface HeaderValue {
  key: string;
  value?: string;
}

export interface RouteTestInput {
  authority: string;
  path: string;
  method?: string;
  ssl?: boolean;
  internal?: boolean;
  random_value?: number;
  runtime?: string;
  additional_request_headers?: HeaderValue[];
  additional_response_headers?: HeaderValue[];
}

export interface RouteTestValidate {
  cluster_name?: string;
  virtual_cluster_name?: string;
  virtual_host_name?: string;
  host_rewrite?: string;
  path_rewrite?: string;
  path_redirect?: string;
  code_redirect?: number;
  request_header_matches?: HeaderMatcher[];
  response_header_matches?: HeaderMatcher[];
}

export interface RouteTest {
  test_name: string;
  input: RouteTestInput;
  validate: RouteTestValidate;
}

export type CoverageMode = 'basic' | 'detailed';

export interface RouteCheckFailure {
  field: string;
  expected: string | number;
  actual: string | number;
}

export interface RouteTestResult {
  test_name: string;
  passed: boolean;
  failures: RouteCheckFailure[];
}

export interface UncoveredRoute {
  virtual_host: string;
  /** The route's name, or its 0-based index in the virtual host when unnamed. */
  route: string | number;
}

export interface RouteCoverageReport {
  percent: number;
  uncovered: UncoveredRoute[];
}

export interface RouteCheckResult {
  results: RouteTestResult[];
  passed: number;
  failed: number;
  coverage: RouteCoverageReport;
}
