// The proxy and trace request checked against the REST schemas, for the callers fastify does
// not validate (GraphQL, the command line): every door refuses the same inputs the same way.

import { Ajv } from 'ajv';
import { schemaProblems, type InputProblem } from './problems.js';
import { Type } from '@sinclair/typebox';
import { AddRevisionBody, CreateScenarioBody, ProxyConfigFilter, ProxySelector, ReviewBody, RouteTests, TraceRequest } from './rest/schemas.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const SCHEMAS = {
  proxy: ajv.compile(ProxySelector),
  request: ajv.compile(TraceRequest),
  filter: ajv.compile(ProxyConfigFilter),
  routeTests: ajv.compile(Type.Object({ tests: RouteTests })),
  // GraphQL's write inputs: the REST bodies' checks (lengths, shapes) before the store sees them.
  createScenario: ajv.compile(CreateScenarioBody),
  addRevision: ajv.compile(AddRevisionBody),
  setReview: ajv.compile(ReviewBody),
};

/** Where a problem's path starts: the GraphQL argument the value came from. */
const ROOTS: Partial<Record<keyof typeof SCHEMAS, string>> = { createScenario: 'input', addRevision: 'input' };

export type InputArgument = keyof typeof SCHEMAS;

/** What is wrong with the argument (paths start with its name); empty when it is valid. */
export function inputProblems(argument: InputArgument, value: unknown): InputProblem[] {
  const check = SCHEMAS[argument];
  return check(value) ? [] : schemaProblems(ROOTS[argument] ?? argument, check.errors ?? []);
}
