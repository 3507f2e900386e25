'use strict';
// Mocha's spec reporter, plus the results CI counts: a JSON summary file and a last line
// "N passed, M failed" on stdout.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
const RESULTS_FILE = process.env.MOCHA_SUMMARY_FILE || path.join('.test-results', 'mocha-summary.json');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    let passed = 0;
    let pending = 0;
    runner.on(EVENT_TEST_PASS, () => {
      passed += 1;
    });
    runner.on(EVENT_TEST_PENDING, () => {
      pending += 1;
    });
    runner.on(EVENT_TEST_FAIL, (test, error) => {
      failures.push({ title: test.fullTitle(), message: String(error && error.message) });
    });
    runner.once(EVENT_RUN_END, () => {
      const summary = { passed, failed: failures.length, pending, failures };
      fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
      fs.writeFileSync(RESULTS_FILE, JSON.stringify(summary, null, 2));
      // After the spec reporter's epilogue, which it prints on the same event.
      process.nextTick(() => process.stdout.write(`${passed} passed, ${failures.length} failed\n`));
    });
  }
}

module.exports = SummaryReporter;
