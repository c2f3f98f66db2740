// `meshplan analyze`: istioctl analyze --use-kube=false on manifest files (istioctl/pkg/analyze/analyze.go),
// with its flags and exit code: 79 when a message reaches --failure-threshold.
//
//   npm run cli -- analyze -f samples/bookinfo [-o log|json|yaml] [--failure-threshold Warning]
//                  [--output-threshold Info] [-S 'IST0102=Namespace *'] [-L]

import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dump } from 'js-yaml';
import { analyzeScenario, formatProblem, InputError } from '../engine.js';
import { ANALYZERS, type AnalysisMessage } from '../analysis/index.js';
import { LEVEL_RANK, type Level } from '../analysis/messages.js';

export const USAGE = `usage: meshplan analyze -f <file or folder>... [options]   (istioctl analyze, offline)
  -f, --file               manifests: a YAML file, or a folder of them (repeatable)
  --mesh                   MeshConfig overrides as JSON
  -o, --output             log (default), json or yaml
  --failure-threshold      Info, Warning or Error (default): exit 79 when a message reaches it
  --output-threshold       Info (default), Warning or Error: the least level printed
  -S, --suppress           <code>=<Kind> <name>.<namespace>, '*' matching anything (repeatable),
                           e.g. -S 'IST0102=Namespace *' -S 'IST0107=Pod *.default'; a resource's
                           galley.istio.io/analyze-suppress annotation (codes, or *) silences it too
  -L, --list-analyzers     list the analyzers and exit`;

/** istioctl's exit code when the analysis finds messages at or above the failure threshold. */
export const FOUND_ISSUES_EXIT_CODE = 79;

const LEVELS = Object.keys(LEVEL_RANK) as Level[];

function level(flag: string, value: string | undefined, fallback: Level): Level {
  if (value === undefined) return fallback;
  const found = LEVELS.find((l) => l.toLowerCase() === value.toLowerCase());
  if (!found) throw new Error(`--${flag} ${value}: expected one of ${LEVELS.join(', ')}`);
  return found;
}

/** Each YAML file named, folders expanded in name order. */
function readFiles(paths: string[]): { file: string; resources: string }[] {
  return paths
    .flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(p, f)) : [p]))
    .map((file) => ({ file, resources: readFileSync(file, 'utf8') }));
}

/** A -S value: <code>=<resource>, the resource a glob ('*') over "Kind name.namespace" (istioctl's FriendlyName). */
function suppression(value: string): (m: AnalysisMessage) => boolean {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new Error(`--suppress ${value}: expected <code>=<Kind> <name>.<namespace>, e.g. 'IST0102=Namespace *'`);
  const code = value.slice(0, eq).trim();
  const pattern = value.slice(eq + 1).trim();
  const resource = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (m) => {
    const { kind, namespace, name } = m.resource;
    return m.code === code && resource.test(`${kind} ${namespace ? `${name}.${namespace}` : name}`);
  };
}

/** istioctl's log line: Level [CODE] (Kind namespace/name file, document N) message. */
function logLine(m: AnalysisMessage): string {
  const { kind, namespace, name } = m.resource;
  const where = [m.file, m.document !== undefined ? `document ${m.document}` : undefined].filter(Boolean).join(', ');
  return `${m.level} [${m.code}] (${kind} ${namespace ? `${namespace}/` : ''}${name}${where ? ` ${where}` : ''}) ${m.message}`;
}

export function runAnalyze(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      mesh: { type: 'string' },
      output: { type: 'string', short: 'o', default: 'log' },
      'failure-threshold': { type: 'string' },
      'output-threshold': { type: 'string' },
      suppress: { type: 'string', short: 'S', multiple: true },
      'list-analyzers': { type: 'boolean', short: 'L' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['list-analyzers']) {
    for (const a of ANALYZERS) console.log(`* ${a.name}:\n    ${a.description}`);
    return 0;
  }
  if (!values.file?.length) {
    console.error(USAGE);
    return 2;
  }
  if (!['log', 'json', 'yaml'].includes(values.output)) throw new Error(`--output ${values.output}: expected log, json or yaml`);
  const failAt = level('failure-threshold', values['failure-threshold'], 'Error');
  const printFrom = level('output-threshold', values['output-threshold'], 'Info');
  const suppressed = (values.suppress ?? []).map(suppression);

  const files = readFiles(values.file);
  let messages: AnalysisMessage[];
  try {
    messages = analyzeScenario({ resources: '', files, mesh: values.mesh ? JSON.parse(values.mesh) : {}, now: Date.now() }).messages;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    for (const p of err.problems as (InputError['problems'][number] & { file?: string })[]) console.error(`error: ${p.file ? `${p.file}: ` : ''}${formatProblem(p)}`);
    return 2;
  }
  messages = messages.filter((m) => !suppressed.some((s) => s(m)));
  const shown = messages.filter((m) => LEVEL_RANK[m.level] >= LEVEL_RANK[printFrom]);
  if (values.output === 'json') console.log(JSON.stringify(shown, null, 2));
  else if (values.output === 'yaml') process.stdout.write(dump(shown, { noRefs: true }));
  else if (shown.length === 0) console.error(`✔ No validation issues found when analyzing ${files.length} file(s).`);
  else for (const m of shown) console.log(logLine(m));
  // As istioctl: the threshold applies to the messages printed.
  return shown.some((m) => LEVEL_RANK[m.level] >= LEVEL_RANK[failAt]) ? FOUND_ISSUES_EXIT_CODE : 0;
}
