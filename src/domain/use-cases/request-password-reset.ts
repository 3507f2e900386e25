import { UnknownEmailError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ResetTokenNotifier } from '../ports/reset-token-notifier.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { normalizeEmail } from '../rules/email.js';
import { digestToken } from '../rules/secret-token.js';
import type { Throttle } from '../rules/throttle.js';

export interface RequestPasswordResetInput {
  readonly email: string;
  readonly clientAddress: string;
}

export interface RequestPasswordResetResult {
  readonly email: string;
  /** Present only when the notifier's channel is the response itself. */
  readonly resetToken?: string;
}

export interface ResetTokenSettings {
  readonly resetTokenTtlMs: number;
}

export class RequestPasswordReset {
  constructor(
    private readonly users: UserRepository,
    private readonly tokens: TokenGenerator,
    private readonly notifier: ResetTokenNotifier,
    private readonly clock: Clock,
    private readonly settings: ResetTokenSettings,
    private readonly throttle: Throttle,
  ) {}

  async execute(input: RequestPasswordResetInput): Promise<RequestPasswordResetResult> {
    await this.throttle.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    await this.throttle.admitAccountRequest('reset-request', email);
    const token = this.tokens.generate();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.resetTokenTtlMs);
    // Replacing the stored digest is what makes a newer request supersede an older token.
    const user = await this.users.setResetToken(email, digestToken(token), expiresAt, now);
    if (user === null) throw new UnknownEmailError();
    const delivery = await this.notifier.notify({ email: user.email, token, expiresAt });
    return delivery.channel === 'response' ? { email: user.email, resetToken: delivery.token } : { email: user.email };
  }
}
