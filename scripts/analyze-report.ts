// Prints the analyze yardstick cases that do not match yet, with why (an argument filters by analyzer or case id).
import { loadAnalyzeCases, runAnalyzeCase } from '../test/support/analyze-cases.js';
const f = loadAnalyzeCases();
const only = process.argv[2];
let n = 0, off = 0;
for (const c of f.cases) {
  if (only && !c.analyzer.includes(only) && !c.id.includes(only)) continue;
  const o = runAnalyzeCase(c, f.messageTypes);
  if (o.problems.length === 0) { n++; if (c.offline) off++; }
  else if (c.offline || only) console.log(`FAIL ${c.offline ? '' : '(online) '}${c.id} [${c.analyzer}]: ${o.problems.join('; ')}`);
}
console.log(`passed ${n}, offline ${off}`);
