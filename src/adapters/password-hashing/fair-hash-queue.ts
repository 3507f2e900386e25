import { ClientGoneError, TooManyAttemptsError } from '../../domain/errors.js';
import type { HashRequester } from '../../domain/ports/password-hasher.js';

export interface FairHashQueueOptions {
  /** Tasks running at once. */
  readonly concurrency: number;
  /** Tasks one client may have waiting (not running); beyond it, a new one is refused with a 429. */
  readonly maxQueuedPerClient: number;
}

/** Internal work (the start-up dummy hash): one client of its own, never refused for its queue's length. */
const ANONYMOUS = Symbol('anonymous');

interface Client {
  readonly key: string | typeof ANONYMOUS;
  readonly waiting: (() => void)[];
  running: number;
  /** When it last started a task; -1 for never, so a newcomer goes first. */
  lastTurn: number;
}

/**
 * A scheduler for slow, uninterruptible work (bcrypt) shared by many clients. One FIFO let a single
 * address that sends 100 log-ins make everybody else's wait a hundred hashes long; here each client has
 * its own queue, and a freed slot goes to the waiting client that started a task least recently, so a
 * flooding client gets one turn per round and anybody else waits at most about one round. A client may
 * keep only `maxQueuedPerClient` tasks waiting (TooManyAttemptsError beyond, at once), and a task whose
 * client has gone (its signal aborted) leaves the queue and is never run (ClientGoneError); a running
 * task always finishes. A client is forgotten once it has nothing running or waiting.
 */
export class FairHashQueue {
  private readonly clients = new Map<string | typeof ANONYMOUS, Client>();
  private running = 0;
  private turns = 0;

  constructor(private readonly options: FairHashQueueOptions) {
    if (!(options.concurrency >= 1) || !(options.maxQueuedPerClient >= 0)) {
      throw new RangeError('concurrency must be at least 1 and maxQueuedPerClient at least 0');
    }
  }

  run<T>(task: () => Promise<T>, requester?: HashRequester): Promise<T> {
    const signal = requester?.signal;
    if (signal?.aborted === true) return Promise.reject(new ClientGoneError());
    const key = requester?.client ?? ANONYMOUS;
    const known = this.clients.get(key);
    if (this.running >= this.options.concurrency && key !== ANONYMOUS && (known?.waiting.length ?? 0) >= this.options.maxQueuedPerClient) {
      return Promise.reject(new TooManyAttemptsError(1));
    }
    const client = known ?? this.added(key);
    if (this.running < this.options.concurrency) return this.start(client, task);
    return new Promise<T>((resolve, reject) => {
      const begin = (): void => {
        signal?.removeEventListener('abort', abandon);
        this.start(client, task).then(resolve, reject);
      };
      const abandon = (): void => {
        client.waiting.splice(client.waiting.indexOf(begin), 1);
        this.forgetIfIdle(client);
        reject(new ClientGoneError());
      };
      signal?.addEventListener('abort', abandon, { once: true });
      client.waiting.push(begin);
    });
  }

  /** How many clients have a task running or waiting (for tests: nothing is kept after draining). */
  get clientCount(): number {
    return this.clients.size;
  }

  private added(key: string | typeof ANONYMOUS): Client {
    const client: Client = { key, waiting: [], running: 0, lastTurn: -1 };
    this.clients.set(key, client);
    return client;
  }

  private async start<T>(client: Client, task: () => Promise<T>): Promise<T> {
    this.running += 1;
    client.running += 1;
    client.lastTurn = this.turns++;
    try {
      return await task();
    } finally {
      this.running -= 1;
      client.running -= 1;
      this.forgetIfIdle(client);
      this.startNext();
    }
  }

  /** The waiting client that started a task least recently goes next; on a tie, the one that came first. */
  private startNext(): void {
    let next: Client | undefined;
    for (const client of this.clients.values()) {
      if (client.waiting.length > 0 && (next === undefined || client.lastTurn < next.lastTurn)) next = client;
    }
    next?.waiting.shift()?.();
  }

  private forgetIfIdle(client: Client): void {
    if (client.running === 0 && client.waiting.length === 0) this.clients.delete(client.key);
  }
}
