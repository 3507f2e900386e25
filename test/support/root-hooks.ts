import { stopSharedTestMongo } from './test-mongo.js';
import { disposeFixtures } from './use-case-fixture.js';

/** Mocha root hooks: whatever the run started for all test files is stopped once, at the very end. */
export const mochaHooks = {
  async afterEach(): Promise<void> {
    await disposeFixtures();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopSharedTestMongo();
    // A handle left open (an unclosed client, server or timer) would keep mocha alive forever: say so
    // and fail, rather than hang CI.
    setTimeout(() => {
      console.error(`\nthe test run left handles open: ${JSON.stringify(process.getActiveResourcesInfo())}`);
      process.exit(1);
    }, 15_000).unref();
  },
};
