import type { Collection, Filter } from 'mongodb';
import type { User } from '../../../domain/entities/user.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { PasswordChange, ResetTokenConsumption, UserRepository } from '../../../domain/ports/user-repository.js';
import { toUser, toUserDocument, type UserDocument } from './documents.js';
import { isDuplicateKey, storeOperation } from './store-errors.js';

export class MongoUserRepository implements UserRepository {
  constructor(
    private readonly users: Collection<UserDocument>,
    private readonly maxTimeMS: number,
  ) {}

  async add(user: User): Promise<void> {
    await storeOperation(async () => {
      try {
        await this.users.insertOne(toUserDocument(user));
      } catch (error) {
        // The unique index on email decides, atomically, which of two concurrent registrations wins.
        if (isDuplicateKey(error)) throw new EmailAlreadyRegisteredError();
        throw error;
      }
    });
  }

  async findById(id: string): Promise<User | null> {
    return this.findOne({ _id: id });
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.findOne({ email });
  }

  async setResetToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    const document = await storeOperation(() =>
      this.users.findOneAndUpdate(
        { email },
        { $set: { resetTokenHash: tokenHash, resetTokenExpiresAt: expiresAt, updatedAt: now } },
        { returnDocument: 'after', maxTimeMS: this.maxTimeMS },
      ),
    );
    return document === null ? null : toUser(document);
  }

  async clearResetToken(email: string, tokenHash: string, now: Date): Promise<boolean> {
    // Conditional on the digest, in the same update that removes it: a newer token is never cleared.
    const { modifiedCount } = await storeOperation(() =>
      this.users.updateOne(
        { email, resetTokenHash: tokenHash },
        { $set: { updatedAt: now }, $unset: { resetTokenHash: '', resetTokenExpiresAt: '' } },
        { maxTimeMS: this.maxTimeMS },
      ),
    );
    return modifiedCount === 1;
  }

  async consumeResetToken({ email, tokenHash, newPasswordHash, now, repeatableUntil }: ResetTokenConsumption): Promise<User | null> {
    // One conditional update: the match (email, token, not expired), the new password and spending the
    // token happen together, so of two concurrent uses only one can match.
    const document = await storeOperation(() =>
      this.users.findOneAndUpdate(
        { email, resetTokenHash: tokenHash, resetTokenExpiresAt: { $gt: now } },
        {
          $set: {
            passwordHash: newPasswordHash,
            passwordChangedAt: now,
            updatedAt: now,
            spentResetTokenHash: tokenHash,
            spentResetTokenExpiresAt: repeatableUntil,
          },
          // A missing field counts as 0, so documents from before passwordVersion existed become 1.
          $inc: { passwordVersion: 1 },
          $unset: { resetTokenHash: '', resetTokenExpiresAt: '' },
        },
        { returnDocument: 'after', maxTimeMS: this.maxTimeMS },
      ),
    );
    return document === null ? null : toUser(document);
  }

  async changePassword({ id, expectedPasswordVersion, newPasswordHash, now }: PasswordChange): Promise<User | null> {
    // Conditional on the version read before the current password was checked: a reset meanwhile wins.
    const filter = atVersion(id, expectedPasswordVersion);
    const document = await storeOperation(() =>
      this.users.findOneAndUpdate(
        filter,
        {
          $set: { passwordHash: newPasswordHash, passwordChangedAt: now, updatedAt: now },
          $inc: { passwordVersion: 1 },
          $unset: { resetTokenHash: '', resetTokenExpiresAt: '', spentResetTokenHash: '', spentResetTokenExpiresAt: '' },
        },
        { returnDocument: 'after', maxTimeMS: this.maxTimeMS },
      ),
    );
    return document === null ? null : toUser(document);
  }

  async replacePasswordHash(id: string, expectedHash: string, newHash: string, now: Date): Promise<boolean> {
    // Conditional on the hash read before the comparison: a reset that committed meanwhile is kept.
    const { modifiedCount } = await storeOperation(() =>
      this.users.updateOne(
        { _id: id, passwordHash: expectedHash },
        { $set: { passwordHash: newHash, updatedAt: now } },
        { maxTimeMS: this.maxTimeMS },
      ),
    );
    return modifiedCount === 1;
  }

  async delete(id: string, expectedPasswordVersion: number): Promise<boolean> {
    // Conditional on the version read before the password was confirmed: a reset or change meanwhile wins.
    const { deletedCount } = await storeOperation(() => this.users.deleteOne(atVersion(id, expectedPasswordVersion)));
    return deletedCount === 1;
  }

  private async findOne(filter: { _id: string } | { email: string }): Promise<User | null> {
    const document = await storeOperation(() => this.users.findOne(filter, { maxTimeMS: this.maxTimeMS }));
    return document === null ? null : toUser(document);
  }
}

/** The user with this id if it is at this passwordVersion; a missing one is version 0 (documents from before it existed). */
function atVersion(id: string, passwordVersion: number): Filter<UserDocument> {
  return passwordVersion === 0
    ? { _id: id, $or: [{ passwordVersion: 0 }, { passwordVersion: { $exists: false } }] }
    : { _id: id, passwordVersion };
}
