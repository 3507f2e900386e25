import type { User } from '../../../domain/entities/user.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { PasswordChange, ResetTokenConsumption, UserRepository } from '../../../domain/ports/user-repository.js';

/**
 * The embedded default store. Each method runs to completion without an `await` in between its read
 * and its write, which is what makes it atomic on Node's single thread. Records are frozen copies, so
 * they can be handed out as they are: no caller can change what is stored.
 */
export class InMemoryUserRepository implements UserRepository {
  private readonly byId = new Map<string, User>();
  private readonly idByEmail = new Map<string, string>();

  async add(user: User): Promise<void> {
    if (this.idByEmail.has(user.email)) throw new EmailAlreadyRegisteredError();
    this.byId.set(user.id, Object.freeze({ ...user }));
    this.idByEmail.set(user.email, user.id);
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
      updatedAt: now,
    });
    this.byId.set(id, updated);
    return updated;
  }

  async replacePasswordHash(id: string, expectedHash: string, newHash: string, now: Date): Promise<boolean> {
    const user = this.byId.get(id);
    if (user === undefined || user.passwordHash !== expectedHash) return false;
    this.byId.set(id, Object.freeze({ ...user, passwordHash: newHash, updatedAt: now }));
    return true;
  }

  async delete(id: string, expectedPasswordVersion: number): Promise<boolean> {
    const user = this.byId.get(id);
    if (user === undefined || user.passwordVersion !== expectedPasswordVersion) return false;
    this.byId.delete(id);
    this.idByEmail.delete(user.email);
    return true;
  }

  private update(email: string, condition: (user: User) => boolean, changes: Partial<User> | ((user: User) => Partial<User>)): User | null {
    const id = this.idByEmail.get(email);
    const user = id === undefined ? undefined : this.byId.get(id);
    if (user === undefined || !condition(user)) return null;
    const updated = Object.freeze({ ...user, ...(typeof changes === 'function' ? changes(user) : changes) });
    this.byId.set(user.id, updated);
    return updated;
  }
}
