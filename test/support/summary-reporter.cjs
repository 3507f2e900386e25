'use strict';
// Mocha's spec reporter, plus the results CI counts: a JSON summary file and a last line
// "N passed, M failed" on stdout.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
const RESULTS_FILE = process.env.MOCHA_SUMMARY_FILE || path.join('.test-results', 'mocha-summary.json');

// Which store a test ran on, from its titles: a store-parametrised block ends in "[sqlite]" and the like
// (test/support/stores.ts); a store's own tests are in blocks that name it.
const TAGGED = /\[(memory|sqlite|postgres|mongodb)\]/;
const OWN_BLOCKS = [
  [/SQLite|: sqlite$/, 'sqlite'],
  [/PostgreSQL|: postgres$/, 'postgres'],
  [/MongoDB|: mongodb$/, 'mongodb'],
  [/^InMemory|: (in-)?memory$/, 'memory'],
];

function storeOf(test) {
  const titles = test.titlePath();
  for (const title of titles) {
    const tagged = TAGGED.exec(title);
    if (tagged) return tagged[1];
  }
  for (const title of titles) {
    for (const [pattern, store] of OWN_BLOCKS) if (pattern.test(title)) return store;
  }
  return undefined;
}

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    let passed = 0;
    let pending = 0;
    /** Seconds of test time (hooks not included) per store, for the tests that ran on one. */
    const secondsByStore = {};
    const timed = (test) => {
      const store = storeOf(test);
      if (store !== undefined) secondsByStore[store] = (secondsByStore[store] ?? 0) + (test.duration ?? 0) / 1000;
    };
    runner.on(EVENT_TEST_PASS, (test) => {
      passed += 1;
      timed(test);
    });
    runner.on(EVENT_TEST_PENDING, () => {
      pending += 1;
    });
    runner.on(EVENT_TEST_FAIL, (test, error) => {
      failures.push({ title: test.fullTitle(), message: String(error && error.message) });
      timed(test);
    });
    runner.once(EVENT_RUN_END, () => {
      const rounded = Object.fromEntries(Object.entries(secondsByStore).map(([store, seconds]) => [store, Math.round(seconds)]));
      const summary = { passed, failed: failures.length, pending, failures, secondsByStore: rounded };
      fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
      fs.writeFileSync(RESULTS_FILE, JSON.stringify(summary, null, 2));
      // After the spec reporter's epilogue, which it prints on the same event.
      process.nextTick(() => {
        const perStore = Object.entries(rounded).map(([store, seconds]) => `${store} ${seconds} s`);
        if (perStore.length > 0) process.stdout.write(`test time per store (tests only, not hooks): ${perStore.join(', ')}\n`);
        process.stdout.write(`${passed} passed, ${failures.length} failed\n`);
      });
    });
  }
}

module.exports = SummaryReporter;
