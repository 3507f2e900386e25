import { EmailAlreadyRegisteredError, InvalidInputError, InvalidVerificationTokenError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { EmailChanged, TokenUse, UserRepository } from '../ports/user-repository.js';
import { normalizeEmail } from '../rules/email.js';
import type { RateLimits } from '../rules/rate-limits.js';
import { digestToken } from '../rules/secret-token.js';

export interface VerifyEmailInput {
  readonly email: string;
  readonly verificationToken: string;
  readonly clientAddress: string;
  /** The languages of the request, most preferred first: the notice's language. */
  readonly languages?: readonly string[];
}

export interface VerifyEmailResult {
  /** The account's address, verified: the new one when the token completed an email change. */
  readonly email: string;
}

export interface VerifyEmailDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

/**
 * Spends a token sent to an address, proving its owner reads it: either the verification token of an
 * account's own address, or the token of an email change to this address, which then becomes the
 * account's (every session but the one that asked for the change ends, and the old address is told).
 * A wrong, expired, spent, superseded or foreign token is refused alike, as is a change to an address
 * another account took meanwhile.
 */
export class VerifyEmail {
  constructor(private readonly deps: VerifyEmailDependencies) {}

  async execute(input: VerifyEmailInput): Promise<VerifyEmailResult> {
    const { users, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    if (input.verificationToken.length === 0) throw new InvalidInputError('verificationToken', 'must not be empty');
    await rateLimits.admitTokenAttempt('verify', email, input.clientAddress);
    const use: TokenUse = { email, tokenHash: digestToken(input.verificationToken), now: clock.now() };

    const verified = await users.consumeVerificationToken(use);
    if (verified !== null) {
      await rateLimits.tokenAccepted('verify', email, input.clientAddress);
      return { email: verified.email };
    }
    const changed = await this.consumeEmailChange(use);
    if (changed !== null) {
      await this.finishEmailChange(changed, input.languages ?? []);
      await rateLimits.tokenAccepted('verify', email, input.clientAddress);
      return { email: changed.user.email };
    }
    await rateLimits.tokenRefused('verify', email);
    throw new InvalidVerificationTokenError();
  }

  /** An address another account took since the change was asked is no success: refused like a wrong token. */
  private async consumeEmailChange(use: TokenUse): Promise<EmailChanged | null> {
    try {
      return await this.deps.users.consumeEmailChange(use);
    } catch (error) {
      if (error instanceof EmailAlreadyRegisteredError) return null;
      throw error;
    }
  }

  private async finishEmailChange({ user, previousEmail, requestingSessionId }: EmailChanged, languages: readonly string[]): Promise<void> {
    const { sessions, notifier } = this.deps;
    notifier.notify({ kind: 'email-changed', to: previousEmail, newEmail: user.email, languages });
    const others = (await sessions.listForUser(user.id)).filter((session) => session.id !== requestingSessionId);
    await Promise.all(others.map((session) => sessions.delete(session.id)));
  }
}
