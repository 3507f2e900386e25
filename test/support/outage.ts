import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reply } from './http-client.js';

/** A reply and how long it took. */
export interface Timed {
  readonly reply: Reply;
  readonly ms: number;
}

export async function timed(request: () => Promise<Reply>): Promise<Timed> {
  const started = Date.now();
  const reply = await request();
  return { reply, ms: Date.now() - started };
}

/** Retries a request until it answers with `status`: to wait for a driver or pool to reconnect. */
export async function eventually(request: () => Promise<Reply>, status: number, withinMs = 20_000): Promise<Reply> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const reply = await request();
    if (reply.status === status) return reply;
    if (Date.now() > deadline) throw new Error(`still ${reply.status} ${JSON.stringify(reply.body)} after ${withinMs} ms`);
    await sleep(200);
  }
}

/**
 * A 503 with Retry-After and the `{code, message}` body, quickly: the outage tests set the store's
 * timeout to 1 s, so the service gives up in about a second, never the driver's own 30 s.
 */
export function expectUnavailable({ reply, ms }: Timed): void {
  expect(reply.status, JSON.stringify(reply.body)).to.equal(503);
  expect(reply.body).to.have.all.keys('code', 'message');
  expect(reply.headers.get('retry-after')).to.match(/^\d+$/);
  expect(ms).to.be.lessThan(5000);
}
