// isYamlStream (src/api/bodies.ts) tells a YAML body of several documents from its `---` lines, without
// parsing it; where it answers, it must agree with the yaml package's count of documents.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { syntheticMesh } from '../../bench/mesh.js';
import { isYamlStream } from '../../src/api/bodies.js';
import { repoRoot } from '../support/samples.js';

const documents = (text: string): number => {
  const docs = parseAllDocuments(text);
  return Array.isArray(docs) ? docs.length : 1;
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

t.test("the yaml package's count, on every YAML file of the repository and made-up edges", async (t) => {
  const files = [...yamlFiles(join(repoRoot, 'samples')), ...yamlFiles(join(repoRoot, 'test'))];
  t.ok(files.length >= 10, `${files.length} files`);
  const texts = [
    ...files.map((f) => [f.slice(repoRoot.length + 1), readFileSync(f, 'utf8')]),
    ['synthetic 100 services', syntheticMesh(100)],
    ['one document', 'a: 1\n'],
    ['one after a marker', '# c\n---\na: 1\n'],
    ['content, then a marker', 'a: 1\n---\nb: 2\n'],
    ['a trailing marker', 'a: 1\n---\n'],
    ['two markers', '---\n---\n'],
    ['a marker with a value', '--- a\n--- b\n'],
    ['a block scalar ended by a marker', 'a: |\n  x\n---\nb: 1\n'],
    ['---x is not a marker', 'a: |\n  x\n---x: 1\n'],
    ['CRLF', 'a: 1\r\n---\r\nb: 2\r\n'],
    ['only comments', '# a\n\n# b\n'],
    ['empty', ''],
  ];
  let answered = 0;
  for (const [name, text] of texts) {
    const stream = isYamlStream(text);
    if (stream === undefined) continue;
    answered++;
    t.equal(stream, documents(text) > 1, name);
  }
  t.ok(answered >= texts.length - 2, `answered for ${answered} of ${texts.length}`);
  t.equal(isYamlStream('%YAML 1.2\n---\na: 1\n'), undefined, 'a directive: parse it');
  t.equal(isYamlStream('a: 1\n...\n---\nb: 2\n'), undefined, 'a document end: parse it');
});
