import { UnknownEmailError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { normalizeEmail } from '../rules/email.js';
import type { EmailVerificationSettings } from '../rules/email-verification.js';
import type { RateLimits } from '../rules/rate-limits.js';
import { issueToken } from '../rules/secret-token.js';

export interface RequestEmailVerificationInput {
  readonly email: string;
  readonly clientAddress: string;
  /** The languages of the request, most preferred first: the message's language. */
  readonly languages?: readonly string[];
}

export interface RequestEmailVerificationResult {
  readonly email: string;
  /** Present only when the notifier's channel is the response itself (never for an unknown email). */
  readonly verificationToken?: string;
}

export interface RequestEmailVerificationDependencies {
  readonly users: UserRepository;
  readonly tokens: TokenGenerator;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

/**
 * Sends (or, on the response channel, hands back) a token that proves control of an account's address,
 * superseding any earlier one. By email, every address gets the same answer and one message, known or
 * not, verified or not; the response channel refuses an unknown one, like the reset.
 */
export class RequestEmailVerification {
  constructor(
    private readonly deps: RequestEmailVerificationDependencies,
    private readonly settings: Pick<EmailVerificationSettings, 'verificationTokenTtlMs'>,
  ) {}

  async execute(input: RequestEmailVerificationInput): Promise<RequestEmailVerificationResult> {
    const { users, tokens, notifier, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    await rateLimits.admitAccountRequest('verification-request', email, input.clientAddress);
    const languages = input.languages ?? [];
    const now = clock.now();
    const { token, tokenHash, expiresAt } = issueToken(tokens, now, this.settings.verificationTokenTtlMs);
    const user = await users.setVerificationToken(email, tokenHash, expiresAt, now);
    if (user === null) {
      if (notifier.channel === 'response') throw new UnknownEmailError();
      await notifier.send({ kind: 'verification-without-account', to: email, languages });
      return { email };
    }
    // Not delivered (a 503): the token stays stored, but nobody holds it; the next request supersedes it.
    await notifier.send({ kind: 'email-verification', to: user.email, token, expiresAt, languages });
    return notifier.channel === 'response' ? { email: user.email, verificationToken: token } : { email: user.email };
  }
}
