// A large JSON request body read where the engine runs: parsed, checked against its route's schema with
// fastify's own validator settings, and turned into the same engine call as on the event loop
// (src/api/rest/engine-requests.ts). On the event loop, parsing a 23 MB config dump took 300 ms and a
// structured clone of it to a thread 900 ms; its bytes are moved to the thread, not copied, and decoded there.
// This is the REST layer's reading of a body, run in the thread: the one module of the pool that uses the
// REST contract (its body schemas, its calls, its raw-manifest bodies).

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { InputError } from '../engine.js';
import { manifestBody, isKubernetesObject } from '../api/bodies.js';
import { readJsonArgs, readJsonBytes, type JsonBytes } from './json-bytes.js';
import { engineCallOf, engineRequests, type EngineCall, type EngineRequestName, type RequestContext } from '../api/rest/engine-requests.js';
import { execute, type Outcome, type ScenarioCache } from './scenarios.js';
import type { OperationContext, OperationName } from './operations.js';
import type { Task } from './worker.js';

/** A large body, as the event loop hands it over: its UTF-8 bytes, the route's name, the query string (a raw manifest's fields). */
export interface RequestTask {
  name: EngineRequestName;
  /** The operation named in metrics and in the time budget's problem (the route's label). */
  label: OperationName;
  body: JsonBytes;
  query: Record<string, unknown>;
  context: RequestContext;
}

/** The body failed its schema: fastify's validation error, rebuilt on the event loop (same problem document). */
export class BodyValidationError extends Error {
  override name = 'BodyValidationError';
  constructor(readonly validation: ErrorObject[]) {
    super('request body is invalid');
  }
}

// fastify's validator: @fastify/ajv-compiler's defaults with app.ts's customOptions, and ajv-formats.
const ajv = new Ajv({ coerceTypes: true, useDefaults: true, removeAdditional: false, addUsedSchema: false, allErrors: true });
addFormats.default(ajv);
const validators = new Map<EngineRequestName, ValidateFunction>();

const validator = (name: EngineRequestName): ValidateFunction => {
  let found = validators.get(name);
  if (!found) validators.set(name, (found = ajv.compile(engineRequests[name].body)));
  return found;
};

/** The engine call a large body asks for; an InputError (JSON syntax, a refusal) or a BodyValidationError otherwise. */
export function readRequest(task: RequestTask): EngineCall {
  const value = readJsonBytes(task.body, 'body');
  // A Kubernetes object as the body stands for { resources: [it] }, as the event loop's parser reads it.
  const body = isKubernetesObject(value) ? manifestBody(task.query, [value]) : value;
  const validate = validator(task.name);
  if (!validate(body)) throw new BodyValidationError(validate.errors ?? []);
  return engineCallOf(task.name, body, task.context);
}

/** Runs a task: its operation, or the call its large body asks for (refusals come back as data, as execute's do). */
export function executeTask(cache: ScenarioCache, task: Task, progress: OperationContext['progress']): Outcome {
  let call: EngineCall;
  try {
    call = 'request' in task ? readRequest(task.request) : { operation: task.operation, source: task.source, args: readJsonArgs(task.args) as never };
  } catch (e) {
    if (e instanceof BodyValidationError) return { ok: false, error: { name: e.name, message: e.message, validation: e.validation } };
    if (e instanceof InputError) return { ok: false, error: { name: e.name, message: e.message, problems: e.problems } };
    throw e;
  }
  return execute(cache, call.operation, call.source, call.args, progress);
}
