// Mutation testing of the domain (src/domain) by the domain tests alone: `npm run mutate`.
// Equivalent mutants are not configured here but marked where they are, in src/domain, with a
// `// Stryker disable ...: <reason>` comment, so that each reason sits next to the code it is about.
export default {
  // Ports and the User entity are types only and yield no mutants; they are matched all the same, so a
  // function added to one of them later is mutated without anyone having to remember this file.
  mutate: ['src/domain/**/*.ts'],

  // Stryker's mocha runner (9.5.1) cannot load mocha 12, whose CLI internals became .cjs files
  // (stryker-js PR 6205), so each mutant runs mocha as a command: all the domain tests, stopping
  // at the first failure. Without per-test coverage every mutant runs every domain test.
  plugins: ['@stryker-mutator/typescript-checker'],
  testRunner: 'command',
  commandRunner: {
    // Not .mocharc.json: that one selects the whole suite and a reporter of its own. Some domain tests
    // also run on SQLite, PostgreSQL and MongoDB; the domain behaves the same on every store, so the
    // mutants run on the in-memory one only: no database process per run, and no run that depends on one starting.
    // The revocation property test runs 50 random interleavings per mutant instead of its 400: a mutant it
    // catches fails within the first few, and 400 for each of hundreds of mutants would double the run.
    command:
      "REVOCATION_RUNS=50 mocha --no-config --node-option import=tsx --require test/support/root-hooks.ts --timeout 20000 --bail --reporter dot --grep '\\[(sqlite|postgres|mongodb)\\]' --invert 'test/domain/**/*.test.ts'",
  },
  coverageAnalysis: 'off',

  // A mutant that does not type-check is not a gap in the tests: the checker discards it before any test runs.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',

  // Every run starts from scratch, so that CI's verdict depends on the code and tests alone.
  incremental: false,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // The sandboxes go under reports/ too (git-ignored, and never copied into a sandbox by Stryker).
  tempDirName: 'reports/.stryker-tmp',
  cleanTempDir: 'always',
  // Not needed to run the domain tests; copying them into every sandbox would only slow the start.
  ignorePatterns: ['dist', 'bench/results', '.test-results', '*.log'],

  // `npm run mutate` exits non-zero when the score falls below `break`.
  thresholds: { high: 98, low: 95, break: 95 },
  // A machine busy with other work is slow, not an infinite loop.
  timeoutMS: 10_000,
};
