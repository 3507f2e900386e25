import { UnknownEmailError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { normalizeEmail } from '../rules/email.js';
import { digestToken } from '../rules/secret-token.js';
import type { RateLimits } from '../rules/rate-limits.js';

export interface RequestPasswordResetInput {
  readonly email: string;
  readonly clientAddress: string;
  /** The languages of the request, most preferred first: the message's language. */
  readonly languages?: readonly string[];
}

export interface RequestPasswordResetResult {
  readonly email: string;
  /** Present only when the notifier's channel is the response itself (never for an unknown email). */
  readonly resetToken?: string;
}

export interface ResetTokenSettings {
  readonly resetTokenTtlMs: number;
}

export interface RequestPasswordResetDependencies {
  readonly users: UserRepository;
  readonly tokens: TokenGenerator;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

export class RequestPasswordReset {
  constructor(
    private readonly deps: RequestPasswordResetDependencies,
    private readonly settings: ResetTokenSettings,
  ) {}

  async execute(input: RequestPasswordResetInput): Promise<RequestPasswordResetResult> {
    const { users, tokens, notifier, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    await rateLimits.admitAccountRequest('reset-request', email, input.clientAddress);
    const languages = input.languages ?? [];
    const token = tokens.generate();
    const tokenHash = digestToken(token);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.resetTokenTtlMs);
    // Replacing the stored digest is what makes a newer request supersede an older token.
    const user = await users.setResetToken(email, tokenHash, expiresAt, now);
    if (user === null) {
      // No account: one store operation and one message all the same, so that by email the answer (and
      // a failure) is what it is for an account. The response channel answers differently anyway.
      if (notifier.channel === 'response') throw new UnknownEmailError();
      await notifier.send({ kind: 'reset-without-account', to: email, languages });
      return { email };
    }
    try {
      await notifier.send({ kind: 'password-reset', to: user.email, token, expiresAt, languages });
    } catch (error) {
      // Not delivered: the token must not stay usable. Conditional on its digest, so that a newer token
      // issued meanwhile by a concurrent request survives. Should this fail too, its error (a store
      // outage) is the answer; the token then merely expires, never having been handed to anyone.
      await users.clearResetToken(user.email, tokenHash, clock.now());
      throw error;
    }
    return notifier.channel === 'response' ? { email: user.email, resetToken: token } : { email: user.email };
  }
}
