// Prints one plain closing line, "N passed, N failed" (", N skipped" when any), after jest's own
// summary, so CI logs state the outcome in a form any reader can parse. A suite that fails to
// run (a syntax error, a failed beforeAll) counts as a failure even when no test ran.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const brokenSuites = results.testResults.filter((r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0)).length;
    const failed = results.numFailedTests + brokenSuites;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
module.exports = SummaryReporter;
