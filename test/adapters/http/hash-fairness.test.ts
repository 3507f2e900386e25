import { expect } from 'chai';
import { abandonedRequest, clientFor } from '../../support/http-client.js';
import { describeForEachStore } from '../../support/stores.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const FLOODER = '198.51.100.1';
const OTHER = '198.51.100.2';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** One log-in from `address` (TRUST_PROXY=true: the X-Forwarded-For entry is the address), timed. */
async function timedLogIn(url: string, address: string, email: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const reply = await clientFor(url).post('/sessions', {
    form: { email, password: 'not the password' },
    headers: { 'x-forwarded-for': address },
  });
  return { status: reply.status, ms: performance.now() - started };
}

/** A log-in whose client hangs up after `afterMs`, before its answer. */
function abandonedLogIn(url: string, address: string, email: string, afterMs: number): Promise<void> {
  return abandonedRequest(
    url,
    'POST',
    '/sessions',
    { form: { email, password: 'not the password' }, headers: { 'x-forwarded-for': address } },
    afterMs,
  );
}

describeForEachStore('one address cannot stall everyone’s log-ins (fair hash queue)', (storeEnv) => {
  let server: TestServer;

  beforeEach(async () => {
    // Cost 9: a hash of some milliseconds, so that queueing dominates what is measured.
    server = await startTestServer({
      env: { ...storeEnv(), BCRYPT_COST: '9', HASH_CONCURRENCY: '2', TRUST_PROXY: 'true', HASH_QUEUE_PER_CLIENT: '50' },
    });
  });

  afterEach(async () => {
    await server.close();
  });

  it('keeps another address’s log-in within a few hash times while one address floods 100 log-ins', async function () {
    this.timeout(60_000);
    const alone: number[] = [];
    for (let i = 0; i < 5; i += 1) alone.push((await timedLogIn(server.url, OTHER, `warm-${i}@example.com`)).ms);
    const flood = Array.from({ length: 100 }, (_, i) => timedLogIn(server.url, FLOODER, `flood-${i}@example.com`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const during: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { status, ms } = await timedLogIn(server.url, OTHER, `other-${i}@example.com`);
      expect(status).to.equal(401);
      during.push(ms);
    }
    const statuses = (await Promise.all(flood)).map((reply) => reply.status);
    const refused = statuses.filter((status) => status === 429).length;
    console.log(
      `      another address's log-in: ${median(alone).toFixed(1)} ms alone, ${median(during).toFixed(1)} ms during the flood ` +
        `(${(median(during) / median(alone)).toFixed(1)}×); flood: ${statuses.length - refused}×401, ${refused}×429`,
    );
    expect(statuses.every((status) => status === 401 || status === 429)).to.equal(true);
    // A plain FIFO would make it wait behind every queued hash of the flood (tens of hash times).
    expect(median(during)).to.be.at.most(6 * median(alone) + 25);
  });

  it('does not hash for clients that hung up before their turn', async function () {
    this.timeout(60_000);
    const alone: number[] = [];
    for (let i = 0; i < 5; i += 1) alone.push((await timedLogIn(server.url, OTHER, `warm-${i}@example.com`)).ms);
    // 40 log-ins queued from one address (two hashes at a time: most are still waiting after 60 ms), all
    // abandoned at once: the hashes not started yet must not be done.
    await Promise.all(Array.from({ length: 40 }, (_, i) => abandonedLogIn(server.url, FLOODER, `gone-${i}@example.com`, 60)));
    // The flooding address itself is next in line again at once: had the abandoned hashes stayed queued,
    // it would wait behind all of them.
    const after = await timedLogIn(server.url, FLOODER, 'back@example.com');
    console.log(
      `      a log-in after 40 abandoned ones from its address: ${after.ms.toFixed(1)} ms (alone ${median(alone).toFixed(1)} ms)`,
    );
    expect(after.status).to.equal(401);
    expect(after.ms).to.be.at.most(6 * median(alone) + 25);
  });
});
