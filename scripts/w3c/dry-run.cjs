// Reads a mocha JSON report of a --dry-run (argv[2]) and prints how many
// tests the suite holds.
'use strict';
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8');
const start = text.indexOf('{\n  "stats"');
const report = JSON.parse(start >= 0 ? text.slice(start) : text);
console.log(report.stats.tests);
