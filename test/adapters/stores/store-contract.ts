import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Session } from '../../../src/domain/entities/session.js';
import type { User } from '../../../src/domain/entities/user.js';
import { EmailAlreadyRegisteredError } from '../../../src/domain/errors.js';
import type { SessionRepository } from '../../../src/domain/ports/session-repository.js';
import type { EmailChangeRequest, UserRepository } from '../../../src/domain/ports/user-repository.js';
import { sessionRecord } from '../../support/records.js';
import { rejection } from '../../support/rejection.js';

interface Stores {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
}

/** Opens an empty pair of repositories on the store under test; called before every test. */
export type StoreFactory = () => Promise<Stores>;

// In the future of the real clock, so that a real mongod's TTL monitor leaves the test's sessions alone.
const T0 = new Date(Math.floor(Date.now() / 1000) * 1000 + 86_400_123);
const at = (ms: number) => new Date(T0.getTime() + ms);

function aUser(overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    email: `user-${randomUUID()}@example.com`,
    passwordHash: '$2b$04$abcdefghijklmnopqrstuuJ0fQ2bXyTzq5Yl2zG2vO8bJbQm6g2.a',
    passwordVersion: 0,
    resetTokenHash: null,
    resetTokenExpiresAt: null,
    spentResetTokenHash: null,
    spentResetTokenExpiresAt: null,
    emailVerifiedAt: null,
    verificationTokenHash: null,
    verificationTokenExpiresAt: null,
    pendingEmail: null,
    emailChangeTokenHash: null,
    emailChangeTokenExpiresAt: null,
    emailChangeSessionId: null,
    passwordChangedAt: T0,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function aSession(overrides: Partial<Session> = {}): Session {
  return sessionRecord(randomUUID(), randomUUID(), T0, at(60_000), { handle: randomUUID(), ...overrides });
}

/**
 * What schema version 3 of the SQL stores makes of the two sessions a test stored for `userId` before it
 * (created at `createdAt`): a random handle each, their creation as last use, no client known.
 */
export async function expectSessionsFromBeforeVersion3(sessions: SessionRepository, userId: string, createdAt: Date): Promise<void> {
  const migrated = await sessions.listForUser(userId);
  expect(migrated).to.have.length(2);
  for (const session of migrated) {
    expect(session).to.deep.include({ lastSeenAt: createdAt, userAgent: null, address: null });
    expect(session.handle).to.match(/^[0-9a-f]{64}$/);
  }
  expect(migrated[0]?.handle).not.to.equal(migrated[1]?.handle);
}

/**
 * Everything the use cases rely on from a store, written once. Every adapter must pass it: this suite is
 * the proof that stores can be swapped.
 */
export function describeRepositoryContract(storeName: string, openStores: StoreFactory): void {
  describe(`repository contract: ${storeName}`, function () {
    this.timeout(60_000);
    let users: UserRepository;
    let sessions: SessionRepository;

    beforeEach(async () => {
      ({ users, sessions } = await openStores());
    });

    describe('UserRepository', () => {
      it('stores a user and finds it by id and by email, every field intact', async () => {
        const user = aUser({ resetTokenHash: 'digest', resetTokenExpiresAt: at(5000) });
        await users.add(user);
        expect(await users.findById(user.id)).to.deep.equal(user);
        expect(await users.findByEmail(user.email)).to.deep.equal(user);
      });

      it('keeps every field of a user in the middle of everything: verified, with a verification token and a pending change', async () => {
        const user = aUser({
          passwordVersion: 2,
          resetTokenHash: `reset-${randomUUID()}`,
          resetTokenExpiresAt: at(5000),
          spentResetTokenHash: `spent-${randomUUID()}`,
          spentResetTokenExpiresAt: at(4000),
          emailVerifiedAt: at(-7),
          verificationTokenHash: `verify-${randomUUID()}`,
          verificationTokenExpiresAt: at(3000),
          pendingEmail: `pending-${randomUUID()}@example.com`,
          emailChangeTokenHash: `change-${randomUUID()}`,
          emailChangeTokenExpiresAt: at(2000),
          emailChangeSessionId: `session-${randomUUID()}`,
        });
        await users.add(user);
        expect(await users.findById(user.id)).to.deep.equal(user);
        expect(await users.findByEmail(user.email)).to.deep.equal(user);
      });

      it('answers null for an unknown id or email', async () => {
        expect(await users.findById(randomUUID())).to.equal(null);
        expect(await users.findByEmail('nobody@example.com')).to.equal(null);
      });

      it('refuses a second user with the same email and keeps the first', async () => {
        const first = aUser();
        await users.add(first);
        const error = await rejection(users.add(aUser({ email: first.email })));
        expect(error).to.be.instanceOf(EmailAlreadyRegisteredError);
        expect(await users.findByEmail(first.email)).to.deep.equal(first);
      });

      it('lets exactly one of 50 parallel registrations of one email succeed', async () => {
        const email = `race-${randomUUID()}@example.com`;
        const attempts = Array.from({ length: 50 }, () => aUser({ email }));
        const results = await Promise.allSettled(attempts.map((user) => users.add(user)));
        const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [attempts[i]] : []));
        expect(winners).to.have.length(1);
        for (const result of results) {
          if (result.status === 'rejected') expect(result.reason).to.be.instanceOf(EmailAlreadyRegisteredError);
        }
        expect((await users.findByEmail(email))?.id).to.equal(winners[0]?.id);
      });

      it('stores all of 200 parallel registrations of distinct emails', async () => {
        const batch = Array.from({ length: 200 }, () => aUser());
        await Promise.all(batch.map((user) => users.add(user)));
        const found = await Promise.all(batch.map((user) => users.findByEmail(user.email)));
        expect(found.map((user) => user?.id)).to.deep.equal(batch.map((user) => user.id));
      });

      describe('password change', () => {
        it('changes the password of a user still at the version read: new hash, version + 1, change recorded, tokens cleared', async () => {
          const user = aUser({ passwordVersion: 4 });
          await users.add(user);
          await users.setResetToken(user.email, 'outstanding', at(1000), at(1));
          const changed = await users.changePassword({ id: user.id, expectedPasswordVersion: 4, newPasswordHash: 'changed', now: at(2) });
          const expected = { ...user, passwordHash: 'changed', passwordVersion: 5, passwordChangedAt: at(2), updatedAt: at(2) };
          expect(changed).to.deep.equal(expected);
          expect(await users.findById(user.id)).to.deep.equal(expected);
          const useToken = { email: user.email, tokenHash: 'outstanding', newPasswordHash: 'x', now: at(3), repeatableUntil: at(1000) };
          expect(await users.consumeResetToken(useToken), 'the reset token died with the change').to.equal(null);
        });

        it('clears a spent reset token too, so that no repeat of that reset answers 200 afterwards', async () => {
          const user = aUser();
          await users.add(user);
          await users.setResetToken(user.email, 'digest', at(1000), at(1));
          await users.consumeResetToken({
            email: user.email,
            tokenHash: 'digest',
            newPasswordHash: 'reset',
            now: at(2),
            repeatableUntil: at(1000),
          });
          const changed = await users.changePassword({ id: user.id, expectedPasswordVersion: 1, newPasswordHash: 'changed', now: at(3) });
          expect(changed).to.include({ spentResetTokenHash: null, spentResetTokenExpiresAt: null, passwordVersion: 2 });
        });

        it('changes nothing when the version moved on (a reset won), or for an unknown id', async () => {
          const user = aUser();
          await users.add(user);
          await users.setResetToken(user.email, 'digest', at(1000), at(1));
          const reset = await users.consumeResetToken({
            email: user.email,
            tokenHash: 'digest',
            newPasswordHash: 'from-the-reset',
            now: at(2),
            repeatableUntil: at(1000),
          });
          expect(await users.changePassword({ id: user.id, expectedPasswordVersion: 0, newPasswordHash: 'late', now: at(3) })).to.equal(
            null,
          );
          expect(await users.findById(user.id)).to.deep.equal(reset);
          expect(await users.changePassword({ id: randomUUID(), expectedPasswordVersion: 0, newPasswordHash: 'x', now: at(3) })).to.equal(
            null,
          );
        });

        it('lets exactly one of 10 concurrent changes from one version win', async () => {
          const user = aUser();
          await users.add(user);
          const results = await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              users.changePassword({ id: user.id, expectedPasswordVersion: 0, newPasswordHash: `change-${i}`, now: at(1) }),
            ),
          );
          const winners = results.filter((result) => result !== null);
          expect(winners).to.have.length(1);
          expect(await users.findById(user.id)).to.include({ passwordVersion: 1, passwordHash: winners[0]?.passwordHash });
        });
      });

      describe('password hash upgrade', () => {
        it('replaces the hash still stored, keeping the password version and the time of the last change', async () => {
          const user = aUser({ passwordVersion: 3 });
          await users.add(user);
          expect(await users.replacePasswordHash(user.id, user.passwordHash, 'rehashed', at(5))).to.equal(true);
          expect(await users.findById(user.id)).to.deep.equal({ ...user, passwordHash: 'rehashed', updatedAt: at(5) });
        });

        it('leaves a hash that changed since it was read (a reset won), and answers false for an unknown id', async () => {
          const user = aUser();
          await users.add(user);
          await users.setResetToken(user.email, 'digest', at(1000), at(1));
          const reset = await users.consumeResetToken({
            email: user.email,
            tokenHash: 'digest',
            newPasswordHash: 'from-the-reset',
            now: at(2),
            repeatableUntil: at(1000),
          });
          expect(await users.replacePasswordHash(user.id, user.passwordHash, 'stale-rehash', at(3))).to.equal(false);
          expect(await users.findById(user.id)).to.deep.equal(reset);
          expect(await users.replacePasswordHash(randomUUID(), user.passwordHash, 'rehashed', at(3))).to.equal(false);
        });

        it('lets exactly one of 10 concurrent replacements of one hash win', async () => {
          const user = aUser();
          await users.add(user);
          const results = await Promise.all(
            Array.from({ length: 10 }, (_, i) => users.replacePasswordHash(user.id, user.passwordHash, `rehash-${i}`, at(1))),
          );
          expect(results.filter((replaced) => replaced)).to.have.length(1);
          expect((await users.findById(user.id))?.passwordHash).to.equal(`rehash-${results.indexOf(true)}`);
        });
      });

      describe('account deletion', () => {
        it('removes the user still at the version read, reset token and all; the email is free again', async () => {
          const user = aUser({ passwordVersion: 2, resetTokenHash: 'digest', resetTokenExpiresAt: at(5000) });
          const other = aUser();
          await users.add(user);
          await users.add(other);
          expect(await users.delete(user.id, 2)).to.equal(true);
          expect(await users.findById(user.id)).to.equal(null);
          expect(await users.findByEmail(user.email)).to.equal(null);
          expect(
            await users.consumeResetToken({
              email: user.email,
              tokenHash: 'digest',
              newPasswordHash: 'x',
              now: at(1),
              repeatableUntil: at(2),
            }),
          ).to.equal(null);
          expect(await users.findById(other.id)).to.deep.equal(other);
          const again = aUser({ email: user.email });
          await users.add(again);
          expect(await users.findByEmail(user.email)).to.deep.equal(again);
        });

        it('removes the verification token and the pending email change with the user', async () => {
          const user = aUser();
          await users.add(user);
          await users.setVerificationToken(user.email, 'verify', at(1000), at(1));
          const newEmail = `new-${randomUUID()}@example.com`;
          await users.requestEmailChange({
            id: user.id,
            expectedPasswordVersion: 0,
            newEmail,
            tokenHash: 'change',
            expiresAt: at(1000),
            sessionId: 'session',
            now: at(2),
          });
          expect(await users.delete(user.id, 0)).to.equal(true);
          expect(await users.consumeVerificationToken({ email: user.email, tokenHash: 'verify', now: at(3) })).to.equal(null);
          expect(await users.consumeEmailChange({ email: newEmail, tokenHash: 'change', now: at(3) })).to.equal(null);
          expect(await users.findByEmail(newEmail)).to.equal(null);
          const again = aUser({ email: user.email });
          await users.add(again);
          await users.setVerificationToken(again.email, 'verify', at(1000), at(4));
          expect(await users.findById(again.id)).to.deep.equal({
            ...again,
            verificationTokenHash: 'verify',
            verificationTokenExpiresAt: at(1000),
            updatedAt: at(4),
          });
        });

        it('keeps a user whose version moved on (a reset or change won), and answers false for an unknown id or a second delete', async () => {
          const user = aUser();
          await users.add(user);
          await users.changePassword({ id: user.id, expectedPasswordVersion: 0, newPasswordHash: 'changed', now: at(1) });
          expect(await users.delete(user.id, 0)).to.equal(false);
          expect(await users.findById(user.id)).to.include({ passwordVersion: 1 });
          expect(await users.delete(randomUUID(), 0)).to.equal(false);
          expect(await users.delete(user.id, 1)).to.equal(true);
          expect(await users.delete(user.id, 1)).to.equal(false);
        });

        it('lets exactly one of 10 concurrent deletes of one user report it', async () => {
          const user = aUser();
          await users.add(user);
          const results = await Promise.all(Array.from({ length: 10 }, () => users.delete(user.id, 0)));
          expect(results.filter((deleted) => deleted)).to.have.length(1);
        });
      });

      describe('reset tokens', () => {
        it('sets a token on the user with the email, replacing any earlier one', async () => {
          const user = aUser();
          const other = aUser();
          await users.add(user);
          await users.add(other);
          expect(await users.setResetToken(user.email, 'first', at(1000), at(1))).to.include({ resetTokenHash: 'first' });
          const updated = await users.setResetToken(user.email, 'second', at(2000), at(2));
          expect(updated).to.deep.equal({ ...user, resetTokenHash: 'second', resetTokenExpiresAt: at(2000), updatedAt: at(2) });
          expect(await users.findById(user.id)).to.deep.equal(updated);
          expect(await users.findById(other.id)).to.deep.equal(other);
        });

        it('answers null for an unknown email', async () => {
          expect(await users.setResetToken('nobody@example.com', 'digest', at(1000), T0)).to.equal(null);
        });

        it('consumes a matching, unexpired token: new password hash, change recorded, token cleared', async () => {
          const user = aUser();
          await users.add(user);
          await users.setResetToken(user.email, 'digest', at(1000), T0);
          const consumed = await users.consumeResetToken({
            email: user.email,
            tokenHash: 'digest',
            newPasswordHash: 'new-hash',
            now: at(999),
            repeatableUntil: at(1000),
          });
          const expected = {
            ...user,
            passwordHash: 'new-hash',
            passwordVersion: 1,
            spentResetTokenHash: 'digest',
            spentResetTokenExpiresAt: at(1000),
            passwordChangedAt: at(999),
            updatedAt: at(999),
          };
          expect(consumed).to.deep.equal(expected);
          expect(await users.findById(user.id)).to.deep.equal(expected);
        });

        it('increments passwordVersion with every consumed token, and keeps only the last spent digest', async () => {
          const user = aUser({ passwordVersion: 7 });
          await users.add(user);
          for (const [n, digest] of ['first', 'second'].entries()) {
            await users.setResetToken(user.email, digest, at(1000), at(n));
            await users.consumeResetToken({
              email: user.email,
              tokenHash: digest,
              newPasswordHash: `hash-${digest}`,
              now: at(n),
              repeatableUntil: at(1000 + n),
            });
          }
          expect(await users.findById(user.id)).to.include({
            passwordVersion: 9,
            spentResetTokenHash: 'second',
            passwordHash: 'hash-second',
          });
          expect((await users.findById(user.id))?.spentResetTokenExpiresAt).to.deep.equal(at(1001));
        });

        it('refuses a wrong digest, a foreign email, an expired or a spent token, changing nothing', async () => {
          const user = aUser();
          const other = aUser();
          await users.add(user);
          await users.add(other);
          const withToken = await users.setResetToken(user.email, 'digest', at(1000), T0);
          const attempt = (email: string, tokenHash: string, now: Date) =>
            users.consumeResetToken({ email, tokenHash, newPasswordHash: 'attacker-hash', now, repeatableUntil: at(1000) });
          expect(await attempt(user.email, 'wrong', at(1))).to.equal(null);
          expect(await attempt(other.email, 'digest', at(1))).to.equal(null);
          expect(await attempt(user.email, 'digest', at(1000))).to.equal(null);
          expect(await attempt('nobody@example.com', 'digest', at(1))).to.equal(null);
          expect(await users.findById(user.id)).to.deep.equal(withToken);
          expect(await users.findById(other.id)).to.deep.equal(other);

          await attempt(user.email, 'digest', at(1));
          expect(await attempt(user.email, 'digest', at(2))).to.equal(null);
        });

        it('clears a token whose digest still matches: token gone, change recorded, nothing else touched', async () => {
          const user = aUser();
          const other = aUser();
          await users.add(user);
          await users.add(other);
          await users.setResetToken(user.email, 'digest', at(1000), at(1));
          await users.setResetToken(other.email, 'other-digest', at(1000), at(1));
          expect(await users.clearResetToken(user.email, 'digest', at(2))).to.equal(true);
          expect(await users.findById(user.id)).to.deep.equal({ ...user, updatedAt: at(2) });
          expect(
            await users.consumeResetToken({
              email: user.email,
              tokenHash: 'digest',
              newPasswordHash: 'new-hash',
              now: at(3),
              repeatableUntil: at(1000),
            }),
          ).to.equal(null);
          expect((await users.findById(other.id))?.resetTokenHash).to.equal('other-digest');
        });

        it('never clears a newer token, another user’s, or one already gone', async () => {
          const user = aUser();
          const other = aUser();
          await users.add(user);
          await users.add(other);
          await users.setResetToken(user.email, 'older', at(1000), at(1));
          const newer = await users.setResetToken(user.email, 'newer', at(2000), at(2));
          const withToken = await users.setResetToken(other.email, 'older', at(1000), at(1));
          expect(await users.clearResetToken(user.email, 'older', at(3)), 'superseded digest').to.equal(false);
          expect(await users.findById(user.id)).to.deep.equal(newer);
          expect(await users.clearResetToken('nobody@example.com', 'older', at(3)), 'unknown email').to.equal(false);
          expect(await users.findById(other.id)).to.deep.equal(withToken);
          expect(await users.clearResetToken(user.email, 'newer', at(4))).to.equal(true);
          expect(await users.clearResetToken(user.email, 'newer', at(5)), 'already cleared').to.equal(false);
          expect((await users.findById(user.id))?.updatedAt).to.deep.equal(at(4));
        });

        it('lets exactly one of 10 concurrent clears of one token report it', async () => {
          const user = aUser();
          await users.add(user);
          await users.setResetToken(user.email, 'digest', at(1000), T0);
          const results = await Promise.all(Array.from({ length: 10 }, () => users.clearResetToken(user.email, 'digest', at(1))));
          expect(results.filter((cleared) => cleared)).to.have.length(1);
          expect((await users.findById(user.id))?.resetTokenHash).to.equal(null);
        });

        it('lets exactly one of 20 concurrent uses of one token win', async () => {
          const user = aUser();
          await users.add(user);
          await users.setResetToken(user.email, 'digest', at(1000), T0);
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              users.consumeResetToken({
                email: user.email,
                tokenHash: 'digest',
                newPasswordHash: `hash-${i}`,
                now: at(1),
                repeatableUntil: at(1000),
              }),
            ),
          );
          const winners = results.filter((result) => result !== null);
          expect(winners).to.have.length(1);
          expect((await users.findById(user.id))?.passwordHash).to.equal(winners[0]?.passwordHash);
        });
      });

      describe('verification tokens', () => {
        it('sets a token on the user with the email, replacing any earlier one, and answers null for an unknown email', async () => {
          const user = aUser();
          const other = aUser();
          await users.add(user);
          await users.add(other);
          expect(await users.setVerificationToken(user.email, 'first', at(1000), at(1))).to.deep.equal({
            ...user,
            verificationTokenHash: 'first',
            verificationTokenExpiresAt: at(1000),
            updatedAt: at(1),
          });
          const updated = await users.setVerificationToken(user.email, 'second', at(2000), at(2));
          expect(updated).to.deep.equal({
            ...user,
            verificationTokenHash: 'second',
            verificationTokenExpiresAt: at(2000),
            updatedAt: at(2),
          });
          expect(await users.findById(user.id)).to.deep.equal(updated);
          expect(await users.findById(other.id)).to.deep.equal(other);
          expect(await users.setVerificationToken('nobody@example.com', 'digest', at(1000), at(3))).to.equal(null);
          expect(await users.consumeVerificationToken({ email: user.email, tokenHash: 'first', now: at(3) }), 'the replaced one').to.equal(
            null,
          );
        });

        it('consumes a matching, unexpired token: the email verified now, the token cleared, nothing else touched', async () => {
          const user = aUser({ resetTokenHash: `reset-${randomUUID()}`, resetTokenExpiresAt: at(5000) });
          await users.add(user);
          await users.setVerificationToken(user.email, 'digest', at(1000), at(1));
          const verified = await users.consumeVerificationToken({ email: user.email, tokenHash: 'digest', now: at(999) });
          const expected = { ...user, emailVerifiedAt: at(999), updatedAt: at(999) };
          expect(verified).to.deep.equal(expected);
          expect(await users.findById(user.id)).to.deep.equal(expected);
        });

        it('keeps an earlier emailVerifiedAt', async () => {
          const user = aUser({ emailVerifiedAt: at(-100) });
          await users.add(user);
          await users.setVerificationToken(user.email, 'digest', at(1000), at(1));
          const verified = await users.consumeVerificationToken({ email: user.email, tokenHash: 'digest', now: at(2) });
          expect(verified).to.deep.equal({ ...user, emailVerifiedAt: at(-100), updatedAt: at(2) });
          expect(await users.findById(user.id)).to.deep.equal(verified);
        });

        it('refuses a wrong digest, a foreign email, an expired or a used token, changing nothing', async () => {
          const user = aUser();
          const other = aUser();
          await users.add(user);
          await users.add(other);
          await users.setResetToken(user.email, 'reset-digest', at(1000), at(1));
          const withToken = await users.setVerificationToken(user.email, 'digest', at(1000), at(1));
          const attempt = (email: string, tokenHash: string, now: Date) => users.consumeVerificationToken({ email, tokenHash, now });
          expect(await attempt(user.email, 'wrong', at(2)), 'wrong digest').to.equal(null);
          expect(await attempt(user.email, 'reset-digest', at(2)), 'a reset token').to.equal(null);
          expect(await attempt(other.email, 'digest', at(2)), 'foreign email').to.equal(null);
          expect(await attempt('nobody@example.com', 'digest', at(2)), 'unknown email').to.equal(null);
          expect(await attempt(user.email, 'digest', at(1000)), 'expired').to.equal(null);
          expect(await users.findById(user.id)).to.deep.equal(withToken);
          expect(await users.findById(other.id)).to.deep.equal(other);

          const verified = await attempt(user.email, 'digest', at(3));
          expect(verified).to.include({ verificationTokenHash: null });
          expect(await attempt(user.email, 'digest', at(4)), 'used').to.equal(null);
          expect(await users.findById(user.id)).to.deep.equal(verified);
        });

        it('lets exactly one of 20 concurrent uses of one token win', async () => {
          const user = aUser();
          await users.add(user);
          await users.setVerificationToken(user.email, 'digest', at(1000), at(1));
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              users.consumeVerificationToken({ email: user.email, tokenHash: 'digest', now: at(2 + i) }),
            ),
          );
          const winners = results.filter((result) => result !== null);
          expect(winners).to.have.length(1);
          expect(await users.findById(user.id)).to.deep.equal(winners[0]);
        });
      });

      describe('email change', () => {
        const newAddress = () => `new-${randomUUID()}@example.com`;
        const request = (user: User, newEmail: string, overrides: Partial<EmailChangeRequest> = {}) =>
          users.requestEmailChange({
            id: user.id,
            expectedPasswordVersion: user.passwordVersion,
            newEmail,
            tokenHash: `change-of-${user.id}`,
            expiresAt: at(1000),
            sessionId: `session-of-${user.id}`,
            now: at(1),
            ...overrides,
          });

        it('records a pending change for a user still at the version read, replacing any earlier one; the account keeps its email', async () => {
          const user = aUser({ passwordVersion: 3 });
          const other = aUser();
          await users.add(user);
          await users.add(other);
          const first = newAddress();
          const second = newAddress();
          expect(await request(user, first, { tokenHash: 'first' })).to.deep.equal({
            ...user,
            pendingEmail: first,
            emailChangeTokenHash: 'first',
            emailChangeTokenExpiresAt: at(1000),
            emailChangeSessionId: `session-of-${user.id}`,
            updatedAt: at(1),
          });
          const pending = await request(user, second, { tokenHash: 'second', expiresAt: at(2000), sessionId: 'later-session', now: at(2) });
          const expected = {
            ...user,
            pendingEmail: second,
            emailChangeTokenHash: 'second',
            emailChangeTokenExpiresAt: at(2000),
            emailChangeSessionId: 'later-session',
            updatedAt: at(2),
          };
          expect(pending).to.deep.equal(expected);
          expect(await users.findById(user.id)).to.deep.equal(expected);
          expect(await users.findByEmail(user.email)).to.deep.equal(expected);
          expect(await users.findByEmail(second), 'a pending address is nobody’s yet').to.equal(null);
          expect(await users.findById(other.id)).to.deep.equal(other);
          expect(await users.consumeEmailChange({ email: first, tokenHash: 'first', now: at(3) }), 'the replaced one').to.equal(null);
        });

        it('changes nothing when the version moved on (a reset or change won), or for an unknown id', async () => {
          const user = aUser();
          await users.add(user);
          const changed = await users.changePassword({ id: user.id, expectedPasswordVersion: 0, newPasswordHash: 'changed', now: at(1) });
          expect(await request(user, newAddress(), { expectedPasswordVersion: 0, now: at(2) })).to.equal(null);
          expect(await users.findById(user.id)).to.deep.equal(changed);
          expect(await request(aUser(), newAddress())).to.equal(null);
        });

        it('completes a pending change: the new email, verified; every token and the change spent; the old address free', async () => {
          const user = aUser();
          await users.add(user);
          await users.setResetToken(user.email, 'spent-reset', at(1000), at(1));
          await users.consumeResetToken({
            email: user.email,
            tokenHash: 'spent-reset',
            newPasswordHash: 'reset',
            now: at(2),
            repeatableUntil: at(1000),
          });
          await users.setResetToken(user.email, 'outstanding-reset', at(1000), at(3));
          await users.setVerificationToken(user.email, 'verify', at(1000), at(3));
          const newEmail = newAddress();
          await request({ ...user, passwordVersion: 1 }, newEmail, { tokenHash: 'change', sessionId: 'asking-session', now: at(4) });

          const changed = await users.consumeEmailChange({ email: newEmail, tokenHash: 'change', now: at(5) });
          const expected = {
            ...user,
            email: newEmail,
            emailVerifiedAt: at(5),
            passwordHash: 'reset',
            passwordVersion: 1,
            passwordChangedAt: at(2),
            updatedAt: at(5),
          };
          expect(changed).to.deep.equal({ user: expected, previousEmail: user.email, requestingSessionId: 'asking-session' });
          expect(await users.findById(user.id)).to.deep.equal(expected);
          expect(await users.findByEmail(newEmail)).to.deep.equal(expected);
          expect(await users.findByEmail(user.email)).to.equal(null);

          expect(await users.consumeEmailChange({ email: newEmail, tokenHash: 'change', now: at(6) }), 'spent').to.equal(null);
          expect(
            await users.consumeResetToken({
              email: newEmail,
              tokenHash: 'outstanding-reset',
              newPasswordHash: 'x',
              now: at(6),
              repeatableUntil: at(1000),
            }),
            'the reset token sent to the old address',
          ).to.equal(null);
          expect(await users.consumeVerificationToken({ email: newEmail, tokenHash: 'verify', now: at(6) })).to.equal(null);
          expect(await users.findById(user.id)).to.deep.equal(expected);

          expect(await rejection(users.add(aUser({ email: newEmail })))).to.be.instanceOf(EmailAlreadyRegisteredError);
          const successor = aUser({ email: user.email });
          await users.add(successor);
          expect(await users.findByEmail(user.email)).to.deep.equal(successor);
        });

        it('answers the requesting session as recorded, and keeps an unverified user’s other fields', async () => {
          const user = aUser({ passwordVersion: 5, emailVerifiedAt: at(-50) });
          await users.add(user);
          const newEmail = newAddress();
          await request(user, newEmail, { tokenHash: 'change', sessionId: 'the-session' });
          const changed = await users.consumeEmailChange({ email: newEmail, tokenHash: 'change', now: at(7) });
          expect(changed?.requestingSessionId).to.equal('the-session');
          expect(changed?.previousEmail).to.equal(user.email);
          expect(changed?.user).to.deep.equal({ ...user, email: newEmail, emailVerifiedAt: at(7), updatedAt: at(7) });
        });

        it('refuses a wrong digest, another email, an expired or a spent token, changing nothing', async () => {
          const user = aUser();
          const other = aUser();
          await users.add(user);
          await users.add(other);
          const newEmail = newAddress();
          const pending = await request(user, newEmail, { tokenHash: 'change', expiresAt: at(1000) });
          await users.setVerificationToken(user.email, 'verify', at(1000), at(1));
          const withToken = await users.findById(user.id);
          const attempt = (email: string, tokenHash: string, now: Date) => users.consumeEmailChange({ email, tokenHash, now });
          expect(await attempt(newEmail, 'wrong', at(2)), 'wrong digest').to.equal(null);
          expect(await attempt(newEmail, 'verify', at(2)), 'a verification token').to.equal(null);
          expect(await attempt(user.email, 'change', at(2)), 'the current email').to.equal(null);
          expect(await attempt(other.email, 'change', at(2)), 'another user’s email').to.equal(null);
          expect(await attempt(newAddress(), 'change', at(2)), 'another address').to.equal(null);
          expect(await attempt(newEmail, 'change', at(1000)), 'expired').to.equal(null);
          expect(await users.findById(user.id)).to.deep.equal(withToken);
          expect(withToken).to.include({ pendingEmail: newEmail, emailChangeTokenHash: pending?.emailChangeTokenHash });
          expect(await users.findById(other.id)).to.deep.equal(other);
          expect(await users.findByEmail(newEmail)).to.equal(null);
        });

        it('rejects with EmailAlreadyRegisteredError, changing nothing, when another user took the address meanwhile', async () => {
          const user = aUser();
          await users.add(user);
          const newEmail = newAddress();
          const pending = await request(user, newEmail, { tokenHash: 'change' });
          const taker = aUser({ email: newEmail });
          await users.add(taker);
          const error = await rejection(users.consumeEmailChange({ email: newEmail, tokenHash: 'change', now: at(2) }));
          expect(error).to.be.instanceOf(EmailAlreadyRegisteredError);
          expect(await users.findById(user.id)).to.deep.equal(pending);
          expect(await users.findByEmail(user.email)).to.deep.equal(pending);
          expect(await users.findByEmail(newEmail)).to.deep.equal(taker);
        });

        it('lets exactly one of 10 concurrent uses of one token win', async () => {
          const user = aUser();
          await users.add(user);
          const newEmail = newAddress();
          await request(user, newEmail, { tokenHash: 'change' });
          const results = await Promise.all(
            Array.from({ length: 10 }, (_, i) => users.consumeEmailChange({ email: newEmail, tokenHash: 'change', now: at(2 + i) })),
          );
          const winners = results.filter((result) => result !== null);
          expect(winners).to.have.length(1);
          expect(winners[0]?.previousEmail).to.equal(user.email);
          expect(await users.findById(user.id)).to.deep.equal(winners[0]?.user);
        });

        it('lets at most one of two users with the same pending address complete, however they interleave', async () => {
          const newEmail = newAddress();
          const [first, second] = [aUser(), aUser()];
          for (const user of [first, second]) {
            if (user === undefined) continue;
            await users.add(user);
            await request(user, newEmail, { tokenHash: `change-of-${user.id}` });
          }
          const pending = await Promise.all([first, second].map((user) => users.findById(user?.id ?? '')));
          const results = await Promise.allSettled(
            [first, second].map((user) => users.consumeEmailChange({ email: newEmail, tokenHash: `change-of-${user?.id}`, now: at(2) })),
          );
          const completed = results.flatMap((result) => (result.status === 'fulfilled' && result.value !== null ? [result.value] : []));
          expect(completed).to.have.length(1);
          for (const result of results) {
            if (result.status === 'rejected') expect(result.reason).to.be.instanceOf(EmailAlreadyRegisteredError);
          }
          const winner = completed[0]?.user;
          expect(await users.findByEmail(newEmail)).to.deep.equal(winner);
          const loser = pending.find((user) => user?.id !== winner?.id);
          expect(await users.findById(loser?.id ?? ''), 'the other still as it was').to.deep.equal(loser);
        });

        it('is cleared by a password change: the pending change can no longer complete', async () => {
          const user = aUser();
          await users.add(user);
          const newEmail = newAddress();
          await request(user, newEmail, { tokenHash: 'change' });
          const changed = await users.changePassword({ id: user.id, expectedPasswordVersion: 0, newPasswordHash: 'changed', now: at(2) });
          expect(changed).to.deep.equal({
            ...user,
            passwordHash: 'changed',
            passwordVersion: 1,
            passwordChangedAt: at(2),
            updatedAt: at(2),
          });
          expect(await users.consumeEmailChange({ email: newEmail, tokenHash: 'change', now: at(3) })).to.equal(null);
          expect(await users.findById(user.id)).to.deep.equal(changed);
        });

        it('is cleared by a reset: the pending change can no longer complete', async () => {
          const user = aUser();
          await users.add(user);
          const newEmail = newAddress();
          await request(user, newEmail, { tokenHash: 'change' });
          await users.setResetToken(user.email, 'reset', at(1000), at(2));
          const reset = await users.consumeResetToken({
            email: user.email,
            tokenHash: 'reset',
            newPasswordHash: 'from-the-reset',
            now: at(3),
            repeatableUntil: at(1000),
          });
          expect(reset).to.deep.equal({
            ...user,
            passwordHash: 'from-the-reset',
            passwordVersion: 1,
            spentResetTokenHash: 'reset',
            spentResetTokenExpiresAt: at(1000),
            passwordChangedAt: at(3),
            updatedAt: at(3),
          });
          expect(await users.consumeEmailChange({ email: newEmail, tokenHash: 'change', now: at(4) })).to.equal(null);
          expect(await users.findById(user.id)).to.deep.equal(reset);
        });
      });
    });

    describe('SessionRepository', () => {
      it('stores a session and finds it by id, every field intact', async () => {
        const session = aSession();
        await sessions.add(session, 100);
        expect(await sessions.findById(session.id)).to.deep.equal(session);
        expect(await sessions.findById(randomUUID())).to.equal(null);
      });

      it('returns a session past its expiry as stored, so the domain can refuse it', async () => {
        // Stores may also remove expired sessions on their own (TTL index, sweep): never earlier.
        const session = aSession({ expiresAt: at(1) });
        await sessions.add(session, 100);
        const found = await sessions.findById(session.id);
        expect(found === null || found.expiresAt.getTime() === at(1).getTime()).to.equal(true);
        const live = aSession({ createdAt: at(2), expiresAt: at(60_000) });
        await sessions.add(live, 100);
        expect(await sessions.findById(live.id)).to.deep.equal(live);
      });

      it('deletes one session, saying so; a second delete finds nothing', async () => {
        const session = aSession();
        const sibling = aSession({ userId: session.userId });
        await sessions.add(session, 100);
        await sessions.add(sibling, 100);
        expect(await sessions.delete(session.id)).to.equal(true);
        expect(await sessions.findById(session.id)).to.equal(null);
        expect(await sessions.delete(session.id)).to.equal(false);
        expect(await sessions.findById(sibling.id)).to.deep.equal(sibling);
      });

      it('lets exactly one of 10 concurrent deletes of one session remove it', async () => {
        const session = aSession();
        await sessions.add(session, 100);
        const results = await Promise.all(Array.from({ length: 10 }, () => sessions.delete(session.id)));
        expect(results.filter((result) => result)).to.have.length(1);
      });

      it('ends the oldest sessions beyond the cap, and only that user’s', async () => {
        const userId = randomUUID();
        const other = aSession();
        await sessions.add(other, 2);
        const own = [3, 1, 2, 4].map((n) => aSession({ userId, createdAt: at(n) }));
        for (const session of own) await sessions.add(session, 3);
        // Created at 3, 1, 2, 4: the one created at 1 is the oldest, whatever the insertion order.
        expect(await sessions.findById(own[1]?.id ?? '')).to.equal(null);
        for (const session of [own[0], own[2], own[3]]) expect(await sessions.findById(session?.id ?? '')).not.to.equal(null);
        expect(await sessions.findById(other.id)).to.deep.equal(other);
        expect(await sessions.deleteAllForUser(userId)).to.equal(3);
      });

      it('holds the cap once 30 concurrent adds for one user have returned', async () => {
        const userId = randomUUID();
        const added = Array.from({ length: 30 }, (_, n) => aSession({ userId, createdAt: at(n) }));
        await Promise.all(added.map((session) => sessions.add(session, 5)));
        const live = (await Promise.all(added.map((session) => sessions.findById(session.id)))).filter((found) => found !== null);
        expect(live).to.have.length(5);
        expect(await sessions.deleteAllForUser(userId)).to.equal(5);
      });

      it('keeps what is shown of a session: its handle, last use, a User-Agent of any characters, an address or none', async () => {
        const session = aSession({ userAgent: 'Mozilla/5.0 (Ünïcode 😀; \'quoted\' "double")', address: '2001:db8::1', lastSeenAt: at(7) });
        const bare = aSession({ userAgent: null, address: null });
        await sessions.add(session, 100);
        await sessions.add(bare, 100);
        expect(await sessions.findById(session.id)).to.deep.equal(session);
        expect(await sessions.findById(bare.id)).to.deep.equal(bare);
      });

      it('lists every session of a user, and no one else’s', async () => {
        const userId = randomUUID();
        const own = [aSession({ userId, createdAt: at(2) }), aSession({ userId, createdAt: at(1), expiresAt: at(3) })];
        const other = aSession();
        for (const session of [...own, other]) await sessions.add(session, 100);
        const listed = await sessions.listForUser(userId);
        const byHandle = (a: Session, b: Session) => (a.handle < b.handle ? -1 : 1);
        expect(listed.sort(byHandle)).to.deep.equal([...own].sort(byHandle));
        expect(await sessions.listForUser(randomUUID())).to.deep.equal([]);
      });

      it('records a use only when the last one is as old as asked, and never brings back a deleted session', async () => {
        const session = aSession({ lastSeenAt: at(0) });
        await sessions.add(session, 100);
        expect(await sessions.recordSeen(session.id, at(500), at(-1)), 'seen since').to.equal(false);
        expect(await sessions.findById(session.id)).to.deep.equal(session);
        expect(await sessions.recordSeen(session.id, at(500), at(0)), 'seen exactly then').to.equal(true);
        expect(await sessions.findById(session.id)).to.deep.equal({ ...session, lastSeenAt: at(500) });
        await sessions.delete(session.id);
        expect(await sessions.recordSeen(session.id, at(900), at(800))).to.equal(false);
        expect(await sessions.findById(session.id)).to.equal(null);
      });

      it('lets exactly one of 10 concurrent records of a use write', async () => {
        const session = aSession({ lastSeenAt: at(0) });
        await sessions.add(session, 100);
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => sessions.recordSeen(session.id, at(100 + i), at(50))));
        expect(results.filter((wrote) => wrote)).to.have.length(1);
        expect((await sessions.findById(session.id))?.lastSeenAt).to.deep.equal(at(100 + results.indexOf(true)));
      });

      it('deletes all sessions of a user and no one else’s', async () => {
        const userId = randomUUID();
        const own = Array.from({ length: 3 }, () => aSession({ userId }));
        const others = aSession();
        for (const session of [...own, others]) await sessions.add(session, 100);
        expect(await sessions.deleteAllForUser(userId)).to.equal(3);
        for (const session of own) expect(await sessions.findById(session.id)).to.equal(null);
        expect(await sessions.findById(others.id)).to.deep.equal(others);
        expect(await sessions.deleteAllForUser(userId)).to.equal(0);
      });
    });
  });
}
