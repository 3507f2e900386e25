import { stopSharedTestMongo } from './test-mongo.js';
import { stopSharedTestPostgres } from './test-postgres.js';
import { removeTestSqliteFiles } from './test-sqlite.js';
import { disposeFixtures } from './use-case-fixture.js';

/** Mocha root hooks: whatever the run started for all test files is stopped once, at the very end. */
export const mochaHooks = {
  async afterEach(): Promise<void> {
    await disposeFixtures();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    try {
      await stopSharedTestMongo();
    } finally {
      // A PostgreSQL cluster runs detached from mocha (pg_ctl): left running, it would outlive the run.
      await stopSharedTestPostgres();
      removeTestSqliteFiles();
    }
    // A handle left open (an unclosed client, server or timer) would keep mocha alive forever: say so
    // and fail, rather than hang CI.
    setTimeout(() => {
      console.error(`\nthe test run left handles open: ${JSON.stringify(process.getActiveResourcesInfo())}`);
      process.exit(1);
    }, 15_000).unref();
  },
};
