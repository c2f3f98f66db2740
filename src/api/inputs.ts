// The proxy and trace request checked against the REST schemas, for the callers fastify does
// not validate (GraphQL, the command line): every door refuses the same inputs the same way.

import { Ajv } from 'ajv';
import { schemaProblems, type InputProblem } from './problems.js';
import { Type } from '@sinclair/typebox';
import { ProxyConfigFilter, ProxySelector, RouteTests, TraceRequest } from './rest/schemas.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const SCHEMAS = {
  proxy: ajv.compile(ProxySelector),
  request: ajv.compile(TraceRequest),
  filter: ajv.compile(ProxyConfigFilter),
  routeTests: ajv.compile(Type.Object({ tests: RouteTests })),
};

export type InputArgument = keyof typeof SCHEMAS;

/** What is wrong with the argument (paths start with its name); empty when it is valid. */
export function inputProblems(argument: InputArgument, value: unknown): InputProblem[] {
  const check = SCHEMAS[argument];
  return check(value) ? [] : schemaProblems(argument, check.errors ?? []);
}
