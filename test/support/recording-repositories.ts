import type { Container } from 'inversify';
import { TOKENS } from '../../src/app/tokens.js';
import type { Session } from '../../src/domain/entities/session.js';
import type { User } from '../../src/domain/entities/user.js';
import type { SessionRepository } from '../../src/domain/ports/session-repository.js';
import type {
  EmailChanged,
  EmailChangeRequest,
  PasswordChange,
  ResetTokenConsumption,
  TokenUse,
  UserRepository,
} from '../../src/domain/ports/user-repository.js';

/**
 * The effective writes repositories made, in order: only those that changed the store (an add that
 * resolved, an update or delete that found its target). Reads and writes that matched nothing are
 * not recorded, so "no write" means "the store is as it was".
 */
export class WriteRecorder {
  private readonly log: string[] = [];

  record(write: string): void {
    this.log.push(write);
  }

  /** A position in the log, for since(). */
  mark(): number {
    return this.log.length;
  }

  /** The writes recorded after a mark(). */
  since(mark: number): string[] {
    return this.log.slice(mark);
  }

  get total(): number {
    return this.log.length;
  }
}

/** A UserRepository that records each effective write of the one it wraps. */
class RecordingUserRepository implements UserRepository {
  constructor(
    private readonly inner: UserRepository,
    private readonly recorder: WriteRecorder,
  ) {}

  async add(user: User): Promise<void> {
    await this.inner.add(user);
    this.recorder.record('users.add');
  }

  findById(id: string): Promise<User | null> {
    return this.inner.findById(id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.inner.findByEmail(email);
  }

  async setResetToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    const user = await this.inner.setResetToken(email, tokenHash, expiresAt, now);
    if (user !== null) this.recorder.record('users.setResetToken');
    return user;
  }

  async clearResetToken(email: string, tokenHash: string, now: Date): Promise<boolean> {
    const cleared = await this.inner.clearResetToken(email, tokenHash, now);
    if (cleared) this.recorder.record('users.clearResetToken');
    return cleared;
  }

  async consumeResetToken(consumption: ResetTokenConsumption): Promise<User | null> {
    const user = await this.inner.consumeResetToken(consumption);
    if (user !== null) this.recorder.record('users.consumeResetToken');
    return user;
  }

  async changePassword(change: PasswordChange): Promise<User | null> {
    const user = await this.inner.changePassword(change);
    if (user !== null) this.recorder.record('users.changePassword');
    return user;
  }

  async replacePasswordHash(id: string, expectedHash: string, newHash: string, now: Date): Promise<boolean> {
    const replaced = await this.inner.replacePasswordHash(id, expectedHash, newHash, now);
    if (replaced) this.recorder.record('users.replacePasswordHash');
    return replaced;
  }

  async delete(id: string, expectedPasswordVersion: number): Promise<boolean> {
    const deleted = await this.inner.delete(id, expectedPasswordVersion);
    if (deleted) this.recorder.record('users.delete');
    return deleted;
  }

  async setVerificationToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    const user = await this.inner.setVerificationToken(email, tokenHash, expiresAt, now);
    if (user !== null) this.recorder.record('users.setVerificationToken');
    return user;
  }

  async consumeVerificationToken(use: TokenUse): Promise<User | null> {
    const user = await this.inner.consumeVerificationToken(use);
    if (user !== null) this.recorder.record('users.consumeVerificationToken');
    return user;
  }

  async requestEmailChange(request: EmailChangeRequest): Promise<User | null> {
    const user = await this.inner.requestEmailChange(request);
    if (user !== null) this.recorder.record('users.requestEmailChange');
    return user;
  }

  async consumeEmailChange(use: TokenUse): Promise<EmailChanged | null> {
    const changed = await this.inner.consumeEmailChange(use);
    if (changed !== null) this.recorder.record('users.consumeEmailChange');
    return changed;
  }
}

/** A SessionRepository that records each effective write of the one it wraps. */
class RecordingSessionRepository implements SessionRepository {
  constructor(
    private readonly inner: SessionRepository,
    private readonly recorder: WriteRecorder,
  ) {}

  async add(session: Session, maxPerUser: number): Promise<void> {
    await this.inner.add(session, maxPerUser);
    this.recorder.record('sessions.add');
  }

  findById(id: string): Promise<Session | null> {
    return this.inner.findById(id);
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.inner.delete(id);
    if (deleted) this.recorder.record('sessions.delete');
    return deleted;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const count = await this.inner.deleteAllForUser(userId);
    if (count > 0) this.recorder.record('sessions.deleteAllForUser');
    return count;
  }

  listForUser(userId: string): Promise<Session[]> {
    return this.inner.listForUser(userId);
  }

  async recordSeen(id: string, seenAt: Date, unseenSince: Date): Promise<boolean> {
    const wrote = await this.inner.recordSeen(id, seenAt, unseenSince);
    if (wrote) this.recorder.record('sessions.recordSeen');
    return wrote;
  }
}

/**
 * Wraps the container's bound UserRepository and SessionRepository in recording decorators. Call it
 * from startTestServer's `configure`, before the app is built (and so before any use case resolves).
 */
export function recordStoreWrites(container: Container): WriteRecorder {
  const recorder = new WriteRecorder();
  const users = container.get(TOKENS.UserRepository);
  const sessions = container.get(TOKENS.SessionRepository);
  container.rebind(TOKENS.UserRepository).toConstantValue(new RecordingUserRepository(users, recorder));
  container.rebind(TOKENS.SessionRepository).toConstantValue(new RecordingSessionRepository(sessions, recorder));
  return recorder;
}
