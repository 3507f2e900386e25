import { InvalidInputError, InvalidResetTokenError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import { normalizeEmail } from '../rules/email.js';
import { acceptNewPassword, type PasswordPolicy } from '../rules/password.js';
import { digestToken } from '../rules/secret-token.js';
import type { Throttle } from '../rules/throttle.js';

export interface ResetPasswordInput {
  readonly email: string;
  readonly resetToken: string;
  readonly newPassword: string;
  readonly clientAddress: string;
}

export interface ResetPasswordResult {
  readonly email: string;
}

export class ResetPassword {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly policy: PasswordPolicy,
    private readonly throttle: Throttle,
  ) {}

  async execute(input: ResetPasswordInput): Promise<ResetPasswordResult> {
    await this.throttle.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    await this.throttle.admitAccountRequest('reset', email);
    if (input.resetToken.length === 0) throw new InvalidInputError('reset_token', 'must not be empty');
    const password = acceptNewPassword(input.newPassword, this.policy, 'new_password');
    // Hash before touching the token, so that checking the token, setting the password and spending
    // the token are one atomic step of the store: a failure leaves both the old password and the token.
    const newPasswordHash = await this.hasher.hash(password);
    const user = await this.users.consumeResetToken({
      email,
      tokenHash: digestToken(input.resetToken),
      newPasswordHash,
      now: this.clock.now(),
    });
    if (user === null) throw new InvalidResetTokenError();
    await this.sessions.deleteAllForUser(user.id);
    return { email: user.email };
  }
}
