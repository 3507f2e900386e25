import { AsyncLocalStorage } from 'node:async_hooks';
import { expect } from 'chai';
import fc from 'fast-check';
import { BcryptPasswordHasher } from '../../src/adapters/password-hashing/bcrypt-password-hasher.js';
import { TOKENS } from '../../src/app/tokens.js';
import { DomainError, InvalidSessionError } from '../../src/domain/errors.js';
import type { HashRequester, PasswordHasher } from '../../src/domain/ports/password-hasher.js';
import { describeUseCasesForEachStore, type UseCaseFixture } from '../support/use-case-fixture.js';

// The rule, as a property: revocation takes effect at once. Once an EndSession, EndOtherSessions,
// ChangePassword, ResetPassword or DeleteAccount (or a LogOut) has returned, no session it ended is
// accepted again, whatever else runs concurrently; nor is any session made for a password it replaced
// or for the account it deleted, a log-in whose comparison raced with it included.
//
// Each run: a fresh user logged in a few times, then a random list of operations started all at once.
// Every store call and every bcrypt step waits for fast-check's scheduler, which releases them in a
// random order: the operations interleave at every await on a port. After each operation returns, every
// session that must be dead by then is tried (GetProfile must refuse it), itself interleaved with what
// is still running; at the end, once all is quiet, all of them are tried again.

/** Runs per store, and at most this many concurrent operations per run (after the initial log-ins). */
const NUM_RUNS = Number(process.env.REVOCATION_RUNS ?? 400);
const MAX_OPERATIONS = 8;
const MAX_INITIAL_SESSIONS = 4;

type Kind = 'logIn' | 'endSession' | 'endOthers' | 'changePassword' | 'reset' | 'deleteAccount' | 'reRegister' | 'logOut';

/** The operations that end sessions. */
const REVOKING: ReadonlySet<Kind> = new Set<Kind>(['endSession', 'endOthers', 'changePassword', 'reset', 'deleteAccount', 'logOut']);

interface Operation {
  readonly kind: Kind;
  /** Picks the caller's session, the password, the target: taken modulo what exists when the operation starts. */
  readonly pick: number;
  readonly target: number;
}

/** How often each kind is drawn: log-ins most (they race with everything), re-registration (which needs a deletion first) least. */
const WEIGHTS: Readonly<Record<Kind, number>> = {
  logIn: 4,
  endSession: 2,
  endOthers: 2,
  changePassword: 2,
  reset: 2,
  deleteAccount: 1,
  reRegister: 1,
  logOut: 1,
};

const operation: fc.Arbitrary<Operation> = fc.record({
  kind: fc.oneof(...Object.entries(WEIGHTS).map(([kind, weight]) => ({ arbitrary: fc.constant(kind as Kind), weight }))),
  pick: fc.nat(1000),
  target: fc.nat(1000),
});

/** The scheduler of the run in progress (none between runs and during the set-up) and the operation running. */
interface Gate {
  scheduler: fc.Scheduler | null;
  /** How many tasks the scheduler released, over every run. */
  released: number;
}

const running = new AsyncLocalStorage<string>();

async function pass(gate: Gate, label: string): Promise<void> {
  const scheduler = gate.scheduler;
  if (scheduler === null) return;
  await scheduler.schedule(Promise.resolve(), `${running.getStore() ?? 'check'} ${label}`);
  gate.released += 1;
}

/** Every method of `port` waits for the scheduler before it starts. */
function scheduled<T extends object>(port: T, name: string, gate: Gate): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await pass(gate, `${name}.${String(property)}`);
        return (value as (...rest: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Real bcrypt at cost 4 whose every hash and comparison waits for the scheduler, before and after. */
class ScheduledHasher implements PasswordHasher {
  private readonly inner = new BcryptPasswordHasher(4);
  constructor(private readonly gate: Gate) {}

  async hash(password: string, requester?: HashRequester): Promise<string> {
    await pass(this.gate, 'hasher.hash');
    const hash = await this.inner.hash(password, requester);
    await pass(this.gate, 'hasher.hash done');
    return hash;
  }

  async verify(password: string, hash: string, requester?: HashRequester): Promise<boolean> {
    await pass(this.gate, 'hasher.verify');
    const matches = await this.inner.verify(password, hash, requester);
    await pass(this.gate, 'hasher.verify done');
    return matches;
  }

  needsRehash(hash: string): boolean {
    return this.inner.needsRehash(hash);
  }
}

/** One session token as the test knows it: the password it was made for, and when it was handed out. */
interface Token {
  readonly token: string;
  readonly label: string;
  /** Its log-in's client address: how ListSessions tells the sessions apart. */
  readonly address: string;
  readonly password: string;
}

/** The test's record of a run: what exists, what must be dead, and since when. */
class Run {
  /** Logical time: one tick at every start and every return of an operation. */
  private time = 0;
  readonly tokens: Token[] = [];
  /** Every password the account (any of its incarnations) has had, with the tick its setting returned. */
  readonly passwords: { password: string; setAt: number }[] = [];
  /** Sessions a returned EndSession, EndOtherSessions or LogOut ended: label → why. */
  readonly deadTokens = new Map<string, string>();
  /** Passwords a returned change, reset or deletion replaced: sessions made for them are dead. */
  readonly deadPasswords = new Map<string, string>();
  private addresses = 0;
  private passwordsMade = 0;
  /** What each operation did, in the order they returned: for the message of a failure. */
  readonly outcomes: string[] = [];
  checks = 0;
  revocations = 0;

  constructor(
    readonly email: string,
    readonly fixture: UseCaseFixture,
  ) {}

  tick(): number {
    this.time += 1;
    return this.time;
  }

  newAddress(): string {
    this.addresses += 1;
    return `10.${Math.floor(this.addresses / 250)}.${this.addresses % 250}.1`;
  }

  newPassword(): string {
    this.passwordsMade += 1;
    return `password number ${this.passwordsMade}`;
  }

  passwordSet(password: string): void {
    this.passwords.push({ password, setAt: this.tick() });
  }

  addToken(token: string, address: string, password: string, how: string): Token {
    const known = { token, address, password, label: `session#${this.tokens.length} (${how}, ${address})` };
    this.tokens.push(known);
    return known;
  }

  /** Why a session must be refused now, or undefined when it may be live. */
  deathOf(token: Token): string | undefined {
    return this.deadTokens.get(token.label) ?? this.deadPasswords.get(token.password);
  }

  /** A session not known to be dead, if any, else any: the callers of the operations. */
  pickToken(pick: number, except?: Token): Token | undefined {
    const candidates = this.tokens.filter((token) => token !== except);
    const live = candidates.filter((token) => this.deathOf(token) === undefined);
    const from = live.length > 0 ? live : candidates;
    return from.length === 0 ? undefined : from[pick % from.length];
  }

  /** After a change, reset or deletion that started at `startedAt` returned: every password set before is dead. */
  passwordsReplaced(startedAt: number, why: string): void {
    for (const { password, setAt } of this.passwords) {
      if (setAt < startedAt && !this.deadPasswords.has(password)) this.deadPasswords.set(password, why);
    }
  }

  tokenEnded(token: Token, why: string): void {
    if (!this.deadTokens.has(token.label)) this.deadTokens.set(token.label, why);
  }

  /** Every session that must be dead by now is refused (by GetProfile; by ListSessions too when `thoroughly`). */
  async checkDead(after: string, thoroughly = false): Promise<void> {
    const dead = this.tokens.flatMap((token) => {
      const why = this.deathOf(token);
      return why === undefined ? [] : [{ token, why }];
    });
    await Promise.all(
      dead.map(async ({ token, why }) => {
        const probes = [() => this.fixture.getProfile.execute({ sessionToken: token.token })];
        if (thoroughly)
          probes.push(() =>
            this.fixture.listSessions.execute({ sessionToken: token.token }).then(() => ({ email: '', emailVerified: false })),
          );
        for (const probe of probes) {
          this.checks += 1;
          let accepted = true;
          try {
            await probe();
          } catch (error) {
            if (!(error instanceof InvalidSessionError)) throw error;
            accepted = false;
          }
          if (accepted) {
            throw new Error(
              `${token.label} was accepted after ${after}, though ${why} had returned; returned so far: ${this.outcomes.join('; ')}`,
            );
          }
        }
      }),
    );
  }
}

/** Refusals that are a legitimate outcome of a race (a session ended meanwhile, a password changed meanwhile…). */
function expectedRefusal(error: unknown): boolean {
  return error instanceof DomainError;
}

/** What an operation that found nothing to act on (no live session to pick, say) returns: it revoked nothing. */
const SKIPPED = ': skipped, ';
const skip = (name: string, why: string): string => `${name}${SKIPPED}${why}`;
const isSkip = (outcome: string): boolean => outcome.includes(SKIPPED);

/** Runs one operation; what it did, for the record. Rejects with the domain error of a refusal. */
async function perform(run: Run, op: Operation, index: number): Promise<string> {
  const { fixture, email } = run;
  const startedAt = run.tick();
  const name = `op${index}:${op.kind}`;
  switch (op.kind) {
    case 'logIn': {
      // Any password the account has had, the old ones included: a log-in with one just replaced may
      // still pass its comparison, and must then get a session that is refused.
      const known = run.passwords[op.pick % run.passwords.length];
      if (known === undefined) return skip(name, 'no password');
      const address = run.newAddress();
      const { sessionToken } = await fixture.logIn.execute({ email, password: known.password, clientAddress: address });
      run.tick();
      const token = run.addToken(sessionToken, address, known.password, `${name} with "${known.password}"`);
      return `${name} → ${token.label}`;
    }
    case 'endSession': {
      const caller = run.pickToken(op.pick);
      const target = run.pickToken(op.target, caller);
      if (caller === undefined || target === undefined) return skip(name, 'nobody to end');
      const listed = await fixture.listSessions.execute({ sessionToken: caller.token });
      const view = listed.find((session) => session.address === target.address);
      if (view === undefined) return skip(name, `${target.label} not listed`);
      await fixture.endSession.execute({ sessionToken: caller.token, sessionId: view.id });
      run.tick();
      run.tokenEnded(target, `${name} of ${target.label} by ${caller.label}`);
      return `${name} ended ${target.label}`;
    }
    case 'endOthers': {
      const caller = run.pickToken(op.pick);
      if (caller === undefined) return skip(name, 'no session');
      // Only the sessions handed out before it started: a log-in that completes meanwhile may survive it.
      const before = run.tokens.filter((token) => token !== caller);
      await fixture.endOtherSessions.execute({ sessionToken: caller.token });
      run.tick();
      for (const token of before) run.tokenEnded(token, `${name} by ${caller.label}`);
      return `${name} by ${caller.label}`;
    }
    case 'changePassword': {
      const caller = run.pickToken(op.pick);
      if (caller === undefined) return skip(name, 'no session');
      const newPassword = run.newPassword();
      const address = run.newAddress();
      const changed = await fixture.changePassword.execute({
        sessionToken: caller.token,
        currentPassword: caller.password,
        newPassword,
        clientAddress: address,
      });
      run.passwordSet(newPassword);
      run.passwordsReplaced(startedAt, `${name} to "${newPassword}" by ${caller.label}`);
      const token = run.addToken(changed.sessionToken, address, newPassword, `${name}'s fresh session`);
      return `${name} → ${token.label}`;
    }
    case 'reset': {
      const address = run.newAddress();
      const { resetToken } = await fixture.requestPasswordReset.execute({ email, clientAddress: address });
      if (resetToken === undefined) return skip(name, 'no account');
      const newPassword = run.newPassword();
      await fixture.resetPassword.execute({ email, resetToken, newPassword, clientAddress: address });
      run.passwordSet(newPassword);
      run.passwordsReplaced(startedAt, `${name} to "${newPassword}"`);
      return `${name} to "${newPassword}"`;
    }
    case 'deleteAccount': {
      const caller = run.pickToken(op.pick);
      if (caller === undefined) return skip(name, 'no session');
      await fixture.deleteAccount.execute({ sessionToken: caller.token, password: caller.password, clientAddress: run.newAddress() });
      run.tick();
      run.passwordsReplaced(startedAt, `${name} by ${caller.label}`);
      return `${name} by ${caller.label}`;
    }
    case 'reRegister': {
      const password = run.newPassword();
      await fixture.registerUser.execute({ email, password, clientAddress: run.newAddress() });
      run.passwordSet(password);
      return `${name} with "${password}"`;
    }
    case 'logOut': {
      const caller = run.pickToken(op.pick);
      if (caller === undefined) return skip(name, 'no session');
      await fixture.logOut.execute({ sessionToken: caller.token });
      run.tick();
      run.tokenEnded(caller, `${name} of ${caller.label}`);
      return `${name} of ${caller.label}`;
    }
  }
}

describeUseCasesForEachStore('revocation takes effect at once, over random interleavings', (useCaseFixture) => {
  it('refuses every ended session, and every session of a replaced password or a deleted account, once the revoking call returned', async function () {
    this.timeout(180_000);
    const gate: Gate = { scheduler: null, released: 0 };
    const fixture = await useCaseFixture({
      hasher: new ScheduledHasher(gate),
      // Rate limiting is beside the point here, and a burst of old-password log-ins would trip it.
      env: { RATE_LIMIT: 'off' },
      configure: (container) => {
        // Got before the rebinding: rebind() drops the binding first.
        const users = scheduled(container.get(TOKENS.UserRepository), 'users', gate);
        const sessions = scheduled(container.get(TOKENS.SessionRepository), 'sessions', gate);
        container.rebind(TOKENS.UserRepository).toConstantValue(users);
        container.rebind(TOKENS.SessionRepository).toConstantValue(sessions);
      },
    });

    const figures = { runs: 0, operations: 0, revocations: 0, checks: 0, interleavings: new Set<string>() };
    /** The refusals (domain errors) the operations met, by name: races lost, a StoreUnavailableError would show here. */
    const refusals = new Map<string, number>();
    const started = Date.now();
    let runNumber = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: MAX_INITIAL_SESSIONS }),
        fc.array(operation, { minLength: 2, maxLength: MAX_OPERATIONS }),
        fc.scheduler(),
        async (initialSessions, operations, scheduler) => {
          runNumber += 1;
          const email = `run${runNumber}@example.com`;
          const run = new Run(email, fixture);
          // The set-up, unscheduled: a user and its first sessions.
          gate.scheduler = null;
          const password = run.newPassword();
          await fixture.registerUser.execute({ email, password, clientAddress: run.newAddress() });
          run.passwordSet(password);
          for (let i = 0; i < initialSessions; i += 1) {
            const address = run.newAddress();
            const { sessionToken } = await fixture.logIn.execute({ email, password, clientAddress: address });
            run.addToken(sessionToken, address, password, 'initial log-in');
          }

          gate.scheduler = scheduler;
          try {
            const all = Promise.all(
              operations.map((op, index) =>
                running.run(`op${index}:${op.kind}`, async () => {
                  await pass(gate, 'start');
                  let outcome: string;
                  try {
                    outcome = await perform(run, op, index);
                    if (REVOKING.has(op.kind) && !isSkip(outcome)) run.revocations += 1;
                  } catch (error) {
                    if (!expectedRefusal(error)) throw error;
                    const errorName = (error as Error).constructor.name;
                    refusals.set(errorName, (refusals.get(errorName) ?? 0) + 1);
                    outcome = `op${index}:${op.kind} refused: ${errorName}`;
                  }
                  run.outcomes.push(outcome);
                  // At once, interleaved with whatever still runs.
                  await run.checkDead(outcome);
                }),
              ),
            );
            await scheduler.waitFor(all);
          } finally {
            gate.scheduler = null;
          }
          // And still, once everything is over.
          await run.checkDead('the end of the run', true);

          figures.runs += 1;
          figures.operations += operations.length;
          figures.revocations += run.revocations;
          figures.checks += run.checks;
          figures.interleavings.add(
            scheduler
              .report()
              .map((task) => task.label)
              .join('|'),
          );
        },
      ),
      { numRuns: NUM_RUNS, interruptAfterTimeLimit: 150_000, markInterruptAsFailure: true },
    );

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `      revocation property [${this.test?.parent?.title.replace(/.*\[(\w+)\]$/, '$1') ?? '?'}]: ${figures.runs} runs, ` +
        `${figures.operations} operations (at most ${MAX_OPERATIONS} concurrent per run), ${figures.revocations} revocations returned, ` +
        `${figures.checks} checks of dead sessions, operations refused: ${JSON.stringify(Object.fromEntries(refusals))}, ` +
        `${gate.released} scheduled steps released, ${figures.interleavings.size} distinct scheduled interleavings, in ${seconds} s`,
    );
    expect(figures.revocations, 'the runs revoked something').to.be.greaterThan(0);
  });
});
