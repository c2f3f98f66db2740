// The configdump yardstick (../shared/yardsticks/configdump, FORMAT.md beside it): istioctl's own
// proxy-config tables of real Envoy config dumps, asked of POST /api/v1/proxy-config with the dump and
// Accept: text/plain, compared line by line after FORMAT.md's normalisation. Cases that do not match yet
// are listed with a reason in configdump.known-failures.json; a listed case that passes fails the run.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from './support/samples.js';
import { call, startTestServer } from './support/server.js';

const yardsticks = process.env.MESHPLAN_YARDSTICKS_DIR ?? path.resolve(repoRoot, '../shared/yardsticks');
const file = path.join(yardsticks, 'configdump/cases.json');

interface Case {
  id: string;
  kind: string;
  filter: Record<string, unknown>;
  verbose?: boolean;
  dump: string;
  expectText: string;
}

const yardstick: { dumps: Record<string, unknown>; cases: Case[] } = JSON.parse(readFileSync(file, 'utf8'));
const knownFailures: Record<string, string> = JSON.parse(readFileSync(path.join(repoRoot, 'test/configdump.known-failures.json'), 'utf8'));

/** FORMAT.md "Matching": LF line ends, runs of blanks as one space, no trailing blank, no empty lines at the end. */
function normalise(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

t.test('configdump yardstick', async (t) => {
  t.ok(yardstick.cases.length > 0, `${file} has cases`);
  const { url } = await startTestServer(t);
  let passed = 0;
  for (const c of yardstick.cases) {
    const body = {
      configDump: yardstick.dumps[c.dump],
      kinds: [c.kind],
      ...(Object.keys(c.filter).length ? { filter: c.filter } : {}),
      ...(c.verbose !== undefined ? { verbose: c.verbose } : {}),
    };
    const res = await call(url, 'POST', '/api/v1/proxy-config', body, { accept: 'text/plain' });
    const actual = res.status === 200 && typeof res.body === 'string' ? normalise(res.body) : [`HTTP ${res.status}`, JSON.stringify(res.body)];
    const matches = JSON.stringify(actual) === JSON.stringify(normalise(c.expectText));
    if (matches) passed++;
    const known = knownFailures[c.id];
    if (known !== undefined) {
      t.notOk(matches, `${c.id} is still a known failure (else remove it from the list)`);
      t.comment(`known failure ${c.id}: ${known}`);
    } else {
      t.same(actual, normalise(c.expectText), c.id);
    }
  }
  t.comment(`configdump: ${passed} passed of ${yardstick.cases.length}`);
});

t.test('known-failures list names only real cases', async (t) => {
  const ids = new Set(yardstick.cases.map((c) => c.id));
  t.same(Object.keys(knownFailures).filter((id) => !ids.has(id)), []);
});
