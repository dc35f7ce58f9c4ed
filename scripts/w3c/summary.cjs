// Reads a mocha JSON report (argv[2]) and prints one line: passes,
// failures, pending, and the failed hooks (a failed "before all" hook is
// one failure, and the tests under it never run).
'use strict';
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8');
const start = text.indexOf('{\n  "stats"');
const report = JSON.parse(start >= 0 ? text.slice(start) : text);
const {passes, failures, pending, tests} = report.stats;
const hooks = report.failures.filter(f => /hook/.test(f.title)).length;
console.log(`passed ${passes}, failed ${failures} (of which ${hooks} hooks), pending ${pending}, reported ${tests}`);
if(process.argv[3] === '-v') {
  for(const f of report.failures) {
    console.log(`  FAIL ${f.fullTitle}\n       ${(f.err.message || '').split('\n')[0].slice(0, 200)}`);
  }
}
