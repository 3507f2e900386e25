import type { User } from '../../../domain/entities/user.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type {
  EmailChanged,
  EmailChangeRequest,
  PasswordChange,
  ResetTokenConsumption,
  TokenUse,
  UserRepository,
} from '../../../domain/ports/user-repository.js';

const NO_EMAIL_CHANGE = {
  pendingEmail: null,
  emailChangeTokenHash: null,
  emailChangeTokenExpiresAt: null,
  emailChangeSessionId: null,
} as const;

function holds(hash: string | null, expiresAt: Date | null, { tokenHash, now }: TokenUse): boolean {
  return hash === tokenHash && expiresAt !== null && expiresAt.getTime() > now.getTime();
}

/**
 * The embedded default store. Each method runs to completion without an `await` in between its read
 * and its write, which is what makes it atomic on Node's single thread. Records are frozen copies, so
 * they can be handed out as they are: no caller can change what is stored.
 */
export class InMemoryUserRepository implements UserRepository {
  private readonly byId = new Map<string, User>();
  private readonly idByEmail = new Map<string, string>();
  /** The pending email changes, by token digest: what PUT /email_verification looks a change up by. */
  private readonly idByEmailChangeToken = new Map<string, string>();

  async add(user: User): Promise<void> {
    if (this.idByEmail.has(user.email)) throw new EmailAlreadyRegisteredError();
    this.put(undefined, Object.freeze({ ...user }));
  }

  async findById(id: string): Promise<User | null> {
    return this.byId.get(id) ?? null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const id = this.idByEmail.get(email);
    return id === undefined ? null : this.findById(id);
  }

  async setResetToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    return this.update(email, () => true, {
      resetTokenHash: tokenHash,
      resetTokenExpiresAt: expiresAt,
      updatedAt: now,
    });
  }

  async clearResetToken(email: string, tokenHash: string, now: Date): Promise<boolean> {
    const cleared = this.update(email, (user) => user.resetTokenHash === tokenHash, {
      resetTokenHash: null,
      resetTokenExpiresAt: null,
      updatedAt: now,
    });
    return cleared !== null;
  }

  async consumeResetToken({ email, tokenHash, newPasswordHash, now, repeatableUntil }: ResetTokenConsumption): Promise<User | null> {
    return this.update(
      email,
      (user) =>
        user.resetTokenHash === tokenHash && user.resetTokenExpiresAt !== null && user.resetTokenExpiresAt.getTime() > now.getTime(),
      (user) => ({
        passwordHash: newPasswordHash,
        passwordVersion: user.passwordVersion + 1,
        passwordChangedAt: now,
        resetTokenHash: null,
        resetTokenExpiresAt: null,
        spentResetTokenHash: tokenHash,
        spentResetTokenExpiresAt: repeatableUntil,
        ...NO_EMAIL_CHANGE,
        updatedAt: now,
      }),
    );
  }

  async changePassword({ id, expectedPasswordVersion, newPasswordHash, now }: PasswordChange): Promise<User | null> {
    const user = this.byId.get(id);
    if (user === undefined || user.passwordVersion !== expectedPasswordVersion) return null;
    const updated = Object.freeze({
      ...user,
      passwordHash: newPasswordHash,
      passwordVersion: user.passwordVersion + 1,
      passwordChangedAt: now,
      resetTokenHash: null,
      resetTokenExpiresAt: null,
      spentResetTokenHash: null,
      spentResetTokenExpiresAt: null,
      ...NO_EMAIL_CHANGE,
      updatedAt: now,
    });
    this.put(user, updated);
    return updated;
  }

  async setVerificationToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    return this.update(email, () => true, { verificationTokenHash: tokenHash, verificationTokenExpiresAt: expiresAt, updatedAt: now });
  }

  async consumeVerificationToken(use: TokenUse): Promise<User | null> {
    return this.update(
      use.email,
      (user) => holds(user.verificationTokenHash, user.verificationTokenExpiresAt, use),
      (user) => ({
        emailVerifiedAt: user.emailVerifiedAt ?? use.now,
        verificationTokenHash: null,
        verificationTokenExpiresAt: null,
        updatedAt: use.now,
      }),
    );
  }

  async requestEmailChange(request: EmailChangeRequest): Promise<User | null> {
    const user = this.byId.get(request.id);
    if (user === undefined || user.passwordVersion !== request.expectedPasswordVersion) return null;
    const updated = Object.freeze({
      ...user,
      pendingEmail: request.newEmail,
      emailChangeTokenHash: request.tokenHash,
      emailChangeTokenExpiresAt: request.expiresAt,
      emailChangeSessionId: request.sessionId,
      updatedAt: request.now,
    });
    this.put(user, updated);
    return updated;
  }

  async consumeEmailChange(use: TokenUse): Promise<EmailChanged | null> {
    const id = this.idByEmailChangeToken.get(use.tokenHash);
    const user = id === undefined ? undefined : this.byId.get(id);
    if (user === undefined || user.pendingEmail !== use.email || !holds(user.emailChangeTokenHash, user.emailChangeTokenExpiresAt, use)) {
      return null;
    }
    if (this.idByEmail.has(use.email)) throw new EmailAlreadyRegisteredError();
    const updated = Object.freeze({
      ...user,
      email: use.email,
      emailVerifiedAt: use.now,
      verificationTokenHash: null,
      verificationTokenExpiresAt: null,
      resetTokenHash: null,
      resetTokenExpiresAt: null,
      spentResetTokenHash: null,
      spentResetTokenExpiresAt: null,
      ...NO_EMAIL_CHANGE,
      updatedAt: use.now,
    });
    this.put(user, updated);
    return { user: updated, previousEmail: user.email, requestingSessionId: user.emailChangeSessionId };
  }

  async replacePasswordHash(id: string, expectedHash: string, newHash: string, now: Date): Promise<boolean> {
    const user = this.byId.get(id);
    if (user === undefined || user.passwordHash !== expectedHash) return false;
    this.put(user, Object.freeze({ ...user, passwordHash: newHash, updatedAt: now }));
    return true;
  }

  async delete(id: string, expectedPasswordVersion: number): Promise<boolean> {
    const user = this.byId.get(id);
    if (user === undefined || user.passwordVersion !== expectedPasswordVersion) return false;
    this.put(user, undefined);
    return true;
  }

  private update(email: string, condition: (user: User) => boolean, changes: Partial<User> | ((user: User) => Partial<User>)): User | null {
    const id = this.idByEmail.get(email);
    const user = id === undefined ? undefined : this.byId.get(id);
    if (user === undefined || !condition(user)) return null;
    const updated = Object.freeze({ ...user, ...(typeof changes === 'function' ? changes(user) : changes) });
    this.put(user, updated);
    return updated;
  }

  /** Replaces `previous` by `next` (either absent for an insert or a delete), indexes and all. */
  private put(previous: User | undefined, next: User | undefined): void {
    if (previous !== undefined) {
      this.byId.delete(previous.id);
      this.idByEmail.delete(previous.email);
      if (previous.emailChangeTokenHash !== null) this.idByEmailChangeToken.delete(previous.emailChangeTokenHash);
    }
    if (next !== undefined) {
      this.byId.set(next.id, next);
      this.idByEmail.set(next.email, next.id);
      if (next.emailChangeTokenHash !== null) this.idByEmailChangeToken.set(next.emailChangeTokenHash, next.id);
    }
  }
}
