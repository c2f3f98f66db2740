// A verify result as JUnit XML, the report CI systems display: one testcase per expectation or route
// test, each failure with what was expected and what happened.

import type { VerifyResult } from './types.js';

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function toJUnit(result: VerifyResult, suiteName = 'meshplan verify'): string {
  const cases = result.results.map((r) => {
    const name = `    <testcase classname="meshplan.verify" name="${escape(r.name)}"`;
    if (r.passed) return `${name}/>`;
    const lines = r.failures.map((f) => `${f.field}: expected ${show(f.expected)}, actual ${show(f.actual)}`);
    const message = `${r.failures.length} field(s) differ: ${r.failures.map((f) => f.field).join(', ')}`;
    return `${name}>\n      <failure message="${escape(message)}" type="expectation">${escape(lines.join('\n'))}</failure>\n    </testcase>`;
  });
  const counts = `tests="${result.results.length}" failures="${result.failed}" errors="0"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escape(suiteName)}" ${counts}>`,
    `  <testsuite name="${escape(suiteName)}" ${counts} skipped="0">`,
    ...cases,
    `    <system-out>${escape(`route coverage ${result.coverage.percent.toFixed(1)}% over ${result.coverage.proxies.length} proxies`)}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
