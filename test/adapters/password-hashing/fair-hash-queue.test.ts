import { expect } from 'chai';
import { setImmediate as settled } from 'node:timers/promises';
import { FairHashQueue } from '../../../src/adapters/password-hashing/fair-hash-queue.js';
import { ClientGoneError, TooManyAttemptsError } from '../../../src/domain/errors.js';
import { rejection } from '../../support/rejection.js';

/** Tasks that finish when the test says so, recording the order in which the queue started them. */
class Tasks {
  readonly started: string[] = [];
  private readonly finishers = new Map<string, () => void>();
  private running = 0;
  peak = 0;

  task(name: string): () => Promise<string> {
    return () => {
      this.started.push(name);
      this.running += 1;
      this.peak = Math.max(this.peak, this.running);
      return new Promise<string>((resolve) => {
        this.finishers.set(name, () => {
          this.running -= 1;
          resolve(name);
        });
      });
    };
  }

  /** Finishes a running task, then lets the queue start the next one. */
  async finish(name: string): Promise<void> {
    const finisher = this.finishers.get(name);
    if (finisher === undefined) throw new Error(`${name} is not running`);
    this.finishers.delete(name);
    finisher();
    await settled();
  }

  /** Finishes whatever runs, over and over, until nothing is left. */
  async drain(): Promise<void> {
    while (this.finishers.size > 0) {
      for (const name of [...this.finishers.keys()]) await this.finish(name);
    }
  }
}

describe('FairHashQueue', () => {
  it('runs at most `concurrency` tasks at once, and every task in the end', async () => {
    const queue = new FairHashQueue({ concurrency: 2, maxQueuedPerClient: 10 });
    const tasks = new Tasks();
    const results = Array.from({ length: 6 }, (_, i) => queue.run(tasks.task(`t${i}`), { client: `c${i % 3}` }));
    await settled();
    expect(tasks.started).to.have.length(2);
    await tasks.finish(tasks.started[0] ?? '');
    expect(tasks.started).to.have.length(3);
    await tasks.drain();
    expect(await Promise.all(results)).to.have.members(['t0', 't1', 't2', 't3', 't4', 't5']);
    expect(tasks.peak).to.equal(2);
    expect(queue.clientCount, 'clients left after draining').to.equal(0);
  });

  it("starts another client's task as soon as a slot frees, however many one client has waiting", async () => {
    const queue = new FairHashQueue({ concurrency: 2, maxQueuedPerClient: 100 });
    const tasks = new Tasks();
    const results = Array.from({ length: 10 }, (_, i) => queue.run(tasks.task(`A${i}`), { client: 'A' }));
    results.push(queue.run(tasks.task('B0'), { client: 'B' }));
    expect(tasks.started).to.deep.equal(['A0', 'A1']);
    await tasks.finish('A0');
    expect(tasks.started).to.deep.equal(['A0', 'A1', 'B0']);
    await tasks.drain();
    await Promise.all(results);
    expect(tasks.started.slice(3)).to.deep.equal(['A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9']);
    expect(queue.clientCount).to.equal(0);
  });

  it('takes turns round-robin between the clients with waiting tasks, newcomers first', async () => {
    const queue = new FairHashQueue({ concurrency: 1, maxQueuedPerClient: 100 });
    const tasks = new Tasks();
    const results = [
      ...['A0', 'A1', 'A2', 'A3'].map((name) => queue.run(tasks.task(name), { client: 'A' })),
      ...['B0', 'B1', 'B2'].map((name) => queue.run(tasks.task(name), { client: 'B' })),
      queue.run(tasks.task('C0'), { client: 'C' }),
    ];
    await tasks.drain();
    await Promise.all(results);
    expect(tasks.started).to.deep.equal(['A0', 'B0', 'C0', 'A1', 'B1', 'A2', 'B2', 'A3']);
    expect(queue.clientCount).to.equal(0);
  });

  it('refuses at once a task beyond maxQueuedPerClient waiting ones, for that client only', async () => {
    const queue = new FairHashQueue({ concurrency: 1, maxQueuedPerClient: 2 });
    const tasks = new Tasks();
    // A0 runs and does not count; A1 and A2 wait.
    const accepted = ['A0', 'A1', 'A2'].map((name) => queue.run(tasks.task(name), { client: 'A' }));
    const refused = await rejection(queue.run(tasks.task('A3'), { client: 'A' }));
    expect(refused).to.be.instanceOf(TooManyAttemptsError);
    expect((refused as TooManyAttemptsError).retryAfterSeconds).to.be.at.least(1);
    expect(tasks.started, 'refused before anything finished').to.deep.equal(['A0']);
    const other = queue.run(tasks.task('B0'), { client: 'B' });
    await tasks.finish('A0');
    expect(tasks.started).to.deep.equal(['A0', 'B0']);
    await tasks.finish('B0');
    // A1 started: A has a place again.
    accepted.push(queue.run(tasks.task('A4'), { client: 'A' }));
    await tasks.drain();
    expect(await Promise.all([...accepted, other])).to.deep.equal(['A0', 'A1', 'A2', 'A4', 'B0']);
    expect(tasks.started).not.to.include('A3');
    expect(queue.clientCount).to.equal(0);
  });

  it('never runs a task whose client had already gone', async () => {
    const queue = new FairHashQueue({ concurrency: 1, maxQueuedPerClient: 1 });
    const tasks = new Tasks();
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(queue.run(tasks.task('A0'), { client: 'A', signal: controller.signal }))).to.be.instanceOf(ClientGoneError);
    await settled();
    expect(tasks.started, 'not even with a slot free').to.deep.equal([]);
    expect(queue.clientCount).to.equal(0);
  });

  it('drops a waiting task when its client goes, freeing its place in the bound', async () => {
    const queue = new FairHashQueue({ concurrency: 1, maxQueuedPerClient: 1 });
    const tasks = new Tasks();
    const controller = new AbortController();
    const first = queue.run(tasks.task('A0'), { client: 'A' });
    const gone = queue.run(tasks.task('A1'), { client: 'A', signal: controller.signal });
    expect(await rejection(queue.run(tasks.task('A2'), { client: 'A' }))).to.be.instanceOf(TooManyAttemptsError);
    controller.abort();
    expect(await rejection(gone)).to.be.instanceOf(ClientGoneError);
    const replacement = queue.run(tasks.task('A3'), { client: 'A' });
    await tasks.drain();
    expect(await Promise.all([first, replacement])).to.deep.equal(['A0', 'A3']);
    expect(tasks.started).to.deep.equal(['A0', 'A3']);
    expect(queue.clientCount).to.equal(0);
  });

  it('forgets a client whose only task was dropped while waiting', async () => {
    const queue = new FairHashQueue({ concurrency: 1, maxQueuedPerClient: 1 });
    const tasks = new Tasks();
    const controller = new AbortController();
    const first = queue.run(tasks.task('A0'), { client: 'A' });
    const gone = queue.run(tasks.task('B0'), { client: 'B', signal: controller.signal });
    expect(queue.clientCount).to.equal(2);
    controller.abort();
    expect(await rejection(gone)).to.be.instanceOf(ClientGoneError);
    expect(queue.clientCount).to.equal(1);
    await tasks.drain();
    await first;
    expect(queue.clientCount).to.equal(0);
  });

  it('lets a running task finish when its client goes', async () => {
    const queue = new FairHashQueue({ concurrency: 1, maxQueuedPerClient: 1 });
    const tasks = new Tasks();
    const controller = new AbortController();
    const running = queue.run(tasks.task('A0'), { client: 'A', signal: controller.signal });
    controller.abort();
    await tasks.finish('A0');
    expect(await running).to.equal('A0');
    expect(queue.clientCount).to.equal(0);
  });

  it('frees the slot of a task that fails', async () => {
    const queue = new FairHashQueue({ concurrency: 1, maxQueuedPerClient: 1 });
    const tasks = new Tasks();
    const failing = queue.run(() => Promise.reject(new Error('boom')), { client: 'A' });
    const next = queue.run(tasks.task('B0'), { client: 'B' });
    expect((await rejection(failing)).message).to.equal('boom');
    await settled();
    expect(tasks.started).to.deep.equal(['B0']);
    await tasks.drain();
    expect(await next).to.equal('B0');
    expect(queue.clientCount).to.equal(0);
  });

  it('queues tasks without a requester as one client of their own, never refused', async () => {
    const queue = new FairHashQueue({ concurrency: 1, maxQueuedPerClient: 1 });
    const tasks = new Tasks();
    const anonymous = Array.from({ length: 5 }, (_, i) => queue.run(tasks.task(`X${i}`)));
    const other = queue.run(tasks.task('B0'), { client: 'B' });
    await tasks.drain();
    expect(await Promise.all([...anonymous, other])).to.deep.equal(['X0', 'X1', 'X2', 'X3', 'X4', 'B0']);
    expect(tasks.started).to.deep.equal(['X0', 'B0', 'X1', 'X2', 'X3', 'X4']);
    expect(queue.clientCount).to.equal(0);
  });

  it('refuses a concurrency below 1', () => {
    expect(() => new FairHashQueue({ concurrency: 0, maxQueuedPerClient: 1 })).to.throw(RangeError);
    expect(() => new FairHashQueue({ concurrency: Number.NaN, maxQueuedPerClient: 1 })).to.throw(RangeError);
  });
});
