import { stopSharedTestMongo } from './test-mongo.js';

/** Mocha root hooks: whatever the run started for all test files is stopped once, at the very end. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopSharedTestMongo();
  },
};
