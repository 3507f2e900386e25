import type { Collection, Filter } from 'mongodb';
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
import { toUser, toUserDocument, type UserDocument } from './documents.js';
import { isDuplicateKey, storeOperation } from './store-errors.js';

/** What clears a pending email change: a change asked for with a password now replaced must not complete. */
const NO_EMAIL_CHANGE = { pendingEmail: '', emailChangeTokenHash: '', emailChangeTokenExpiresAt: '', emailChangeSessionId: '' } as const;

/** What spending an email-change token removes besides the change: the verification token and every reset token. */
const CLEARED_BY_EMAIL_CHANGE = [
  'pendingEmail',
  'emailChangeTokenHash',
  'emailChangeTokenExpiresAt',
  'emailChangeSessionId',
  'verificationTokenHash',
  'verificationTokenExpiresAt',
  'resetTokenHash',
  'resetTokenExpiresAt',
  'spentResetTokenHash',
  'spentResetTokenExpiresAt',
] as const satisfies ReadonlyArray<keyof UserDocument>;

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
          $unset: { resetTokenHash: '', resetTokenExpiresAt: '', ...NO_EMAIL_CHANGE },
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
          $unset: {
            resetTokenHash: '',
            resetTokenExpiresAt: '',
            spentResetTokenHash: '',
            spentResetTokenExpiresAt: '',
            ...NO_EMAIL_CHANGE,
          },
        },
        { returnDocument: 'after', maxTimeMS: this.maxTimeMS },
      ),
    );
    return document === null ? null : toUser(document);
  }

  async setVerificationToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    const document = await storeOperation(() =>
      this.users.findOneAndUpdate(
        { email },
        { $set: { verificationTokenHash: tokenHash, verificationTokenExpiresAt: expiresAt, updatedAt: now } },
        { returnDocument: 'after', maxTimeMS: this.maxTimeMS },
      ),
    );
    return document === null ? null : toUser(document);
  }

  async consumeVerificationToken({ email, tokenHash, now }: TokenUse): Promise<User | null> {
    // A conditional update that matches (email, digest, not expired) and spends the token together, so that
    // of concurrent uses only one can match. Keeping an earlier emailVerifiedAt would take $min or a
    // pipeline update, which not every server this runs against supports: instead, two updates with
    // disjoint filters, one for an unverified user (setting it), one for a verified one (keeping it). Each
    // is atomic, at most one of them applies (the first to match spends the token), and nothing ever
    // removes emailVerifiedAt (never stored as null: see UserDocument), so a user the first found verified
    // is still verified for the second.
    const spend = (verified: boolean, $set: Partial<UserDocument>) =>
      storeOperation(() =>
        this.users.findOneAndUpdate(
          {
            email,
            verificationTokenHash: tokenHash,
            verificationTokenExpiresAt: { $gt: now },
            emailVerifiedAt: { $exists: verified },
          },
          { $set, $unset: { verificationTokenHash: '', verificationTokenExpiresAt: '' } },
          { returnDocument: 'after', maxTimeMS: this.maxTimeMS },
        ),
      );
    const document = (await spend(false, { emailVerifiedAt: now, updatedAt: now })) ?? (await spend(true, { updatedAt: now }));
    return document === null ? null : toUser(document);
  }

  async requestEmailChange(request: EmailChangeRequest): Promise<User | null> {
    // Conditional on the version read before the password was checked: a reset or change meanwhile wins.
    const document = await storeOperation(() =>
      this.users.findOneAndUpdate(
        atVersion(request.id, request.expectedPasswordVersion),
        {
          $set: {
            pendingEmail: request.newEmail,
            emailChangeTokenHash: request.tokenHash,
            emailChangeTokenExpiresAt: request.expiresAt,
            emailChangeSessionId: request.sessionId,
            updatedAt: request.now,
          },
        },
        { returnDocument: 'after', maxTimeMS: this.maxTimeMS },
      ),
    );
    return document === null ? null : toUser(document);
  }

  async consumeEmailChange({ email, tokenHash, now }: TokenUse): Promise<EmailChanged | null> {
    // One conditional update, answering the document as it was (the previous address, the requesting
    // session); the state after it is built from that and the update. The new address is `email` (the
    // filter pins pendingEmail to it); the unique index on email refuses it, changing nothing, when another
    // user has it.
    const before = await storeOperation(async () => {
      try {
        return await this.users.findOneAndUpdate(
          { emailChangeTokenHash: tokenHash, pendingEmail: email, emailChangeTokenExpiresAt: { $gt: now } },
          {
            $set: { email, emailVerifiedAt: now, updatedAt: now },
            $unset: Object.fromEntries(CLEARED_BY_EMAIL_CHANGE.map((field) => [field, ''])),
          },
          { returnDocument: 'before', maxTimeMS: this.maxTimeMS },
        );
      } catch (error) {
        if (isDuplicateKey(error)) throw new EmailAlreadyRegisteredError();
        throw error;
      }
    });
    if (before === null) return null;
    const after: UserDocument = { ...before, email, emailVerifiedAt: now, updatedAt: now };
    for (const field of CLEARED_BY_EMAIL_CHANGE) delete after[field];
    return { user: toUser(after), previousEmail: before.email, requestingSessionId: before.emailChangeSessionId ?? null };
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
