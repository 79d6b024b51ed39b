// Jest reporter that ends the run with one plain summary line, "jest: N passed, N failed, N skipped",
// which CI reads (jest's own "Tests: N passed, N total" is not a format it knows). It goes to stderr,
// after jest's own summary, and to .test-results/summary.txt for .ci/run to print last.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
    const dir = path.join(__dirname, '..', '..', '.test-results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'summary.txt'), `${line}\n`);
    process.stderr.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
