import { BcryptPasswordHasher } from '../../src/adapters/password-hashing/bcrypt-password-hasher.js';
import type { HashRequester, PasswordHasher } from '../../src/domain/ports/password-hasher.js';

/** One held operation: `started` resolves once the caller is inside it; `release()` lets it finish. */
export interface Hold {
  readonly started: Promise<void>;
  release(): void;
}

/**
 * Real bcrypt (cost 4) whose next comparison or hash can be held open by the test: what lets a test
 * force one request to commit while another is in the middle of its hash, deterministically.
 */
export class HeldHasher implements PasswordHasher {
  private readonly inner = new BcryptPasswordHasher(4);
  /** The stored hash of every comparison asked for, in order: what a timing-equivalence test compares. */
  readonly compared: string[] = [];
  private readonly held: { verify: Hold[]; hash: Hold[] } = { verify: [], hash: [] };
  private readonly gates = new Map<Hold, { enter: () => void; wait: Promise<void> }>();

  /** Holds the next verify (or hash) call: it has read its inputs and is waiting, result unknown. */
  holdNext(operation: 'verify' | 'hash'): Hold {
    let enter = (): void => undefined;
    let release = (): void => undefined;
    const started = new Promise<void>((resolve) => (enter = resolve));
    const wait = new Promise<void>((resolve) => (release = resolve));
    const hold: Hold = { started, release };
    this.gates.set(hold, { enter, wait });
    this.held[operation].push(hold);
    return hold;
  }

  async hash(password: string, requester?: HashRequester): Promise<string> {
    await this.pass('hash');
    return this.inner.hash(password, requester);
  }

  async verify(password: string, hash: string, requester?: HashRequester): Promise<boolean> {
    this.compared.push(hash);
    const result = this.inner.verify(password, hash, requester);
    await this.pass('verify');
    return result;
  }

  needsRehash(hash: string): boolean {
    return this.inner.needsRehash(hash);
  }

  private async pass(operation: 'verify' | 'hash'): Promise<void> {
    const hold = this.held[operation].shift();
    if (hold === undefined) return;
    const gate = this.gates.get(hold);
    this.gates.delete(hold);
    gate?.enter();
    await gate?.wait;
  }
}
