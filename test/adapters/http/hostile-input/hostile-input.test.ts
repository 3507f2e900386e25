import { expect } from 'chai';
import { request } from '../../../support/http-client.js';
import { recordStoreWrites, type WriteRecorder } from '../../../support/recording-repositories.js';
import { describeForEachStore } from '../../../support/stores.js';
import { startTestServer, type TestServer } from '../../../support/test-server.js';
import { REPLY_PROPERTIES, type ReplyProperty } from './properties.js';
import { runGeneratedRequests, type RunOutcome, type RunProperty } from './run.js';

/**
 * Property-based hostile input: thousands of generated requests, most of them malformed or malicious,
 * some valid (so the store has users, sessions and reset tokens to get wrong), sent one at a time to
 * every route. One run per store sends them all; each test below holds one property of that run.
 */

// One request per fast-check run. fast-check picks a new random seed each time; a property that ends
// the run (RunProperty) prints it, with the shrunk counterexample, when it fails.
const RUNS_PER_STORE = 2_100;

describeForEachStore('hostile input', (storeEnv, storeName) => {
  let server: TestServer | undefined;
  let writes: WriteRecorder;
  let outcome: RunOutcome;

  before(async function () {
    this.timeout(120_000);
    server = await startTestServer({
      // Rate limiting off: with it on, most of these requests would be refused with 429 before reaching
      // validation or the store, and the test would explore little more than the rate limiter.
      // Reset tokens kept for the whole run: the clock moves (ValidPlan.wait), by up to a few hours in all.
      env: { ...storeEnv(), RATE_LIMIT: 'off', RESET_TOKEN_TTL: '7d' },
      configure: (container) => {
        writes = recordStoreWrites(container);
      },
    });
    outcome = await runGeneratedRequests(server.url, writes, server.clock, RUNS_PER_STORE);
    const byStatus = [...outcome.statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    const seconds = (outcome.elapsedMs / 1000).toFixed(1);
    const valid = [...outcome.actions.values()].reduce((sum, count) => sum + count, 0);
    console.log(
      `      hostile input [${storeName}]: ${outcome.sent.toLocaleString('en-US')} requests (${valid} valid) in ${seconds} s (${byStatus})`,
    );
  });

  after(async () => {
    await server?.close();
  });

  /** Fails with the first failures of a property, and how many replies broke it. */
  function expectUnbroken(property: ReplyProperty): void {
    const failures = outcome.broken.get(property) ?? [];
    if (failures.length === 0) return;
    const first = failures.slice(0, 3).map((error) => error.message);
    expect.fail(`${failures.length} of ${outcome.sent} replies break it; the first:\n\n${first.join('\n\n')}`);
  }

  /** Fails with fast-check's report when this property ended the run. */
  function expectNotStoppedBy(property: RunProperty): void {
    if (outcome.stopped?.property === property) throw outcome.stopped.error;
  }

  const runs = RUNS_PER_STORE.toLocaleString('en-US');
  it(`sends all ${runs} generated requests, hostile and valid, to every route, and still answers after them`, async () => {
    expect(outcome.stopped?.error, 'the run ended early').to.equal(undefined);
    expect(outcome.sent).to.be.at.least(2_000);
    expect(writes.total, 'the valid requests wrote through the recording repositories').to.be.above(0);
    const home = await request(server?.url ?? '', 'GET', '/');
    expect({ status: home.status, body: home.body }, 'the service still answers').to.deep.equal({
      status: 200,
      body: { message: 'Bienvenue' },
    });
  });

  it('gives each valid request, between hostile ones, exactly the answer and store writes the model predicts', () => {
    expectNotStoppedBy('model');
  });

  it('answers every request as its OpenAPI document says', () => {
    expectNotStoppedBy('contract');
  });

  for (const property of Object.keys(REPLY_PROPERTIES) as ReplyProperty[]) {
    it(property, () => expectUnbroken(property));
  }
});
