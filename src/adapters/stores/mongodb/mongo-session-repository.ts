import type { Collection } from 'mongodb';
import type { Session } from '../../../domain/entities/session.js';
import type { SessionRepository } from '../../../domain/ports/session-repository.js';
import { toSession, toSessionDocument, type SessionDocument } from './documents.js';
import { storeOperation } from './store-errors.js';

export class MongoSessionRepository implements SessionRepository {
  constructor(
    private readonly sessions: Collection<SessionDocument>,
    private readonly maxTimeMS: number,
  ) {}

  async add(session: Session, maxPerUser: number): Promise<void> {
    await storeOperation(() => this.sessions.insertOne(toSessionDocument(session)));
    // Trimmed after the insert, by every add: whatever interleaving, the last add to finish sees every
    // session inserted before it and leaves the newest maxPerUser.
    const beyondCap = await storeOperation(() =>
      this.sessions
        .find(
          { userId: session.userId },
          { sort: { createdAt: -1, _id: -1 }, skip: maxPerUser, projection: { _id: 1 }, maxTimeMS: this.maxTimeMS },
        )
        .toArray(),
    );
    if (beyondCap.length === 0) return;
    await storeOperation(() => this.sessions.deleteMany({ _id: { $in: beyondCap.map((document) => document._id) } }));
  }

  async findById(id: string): Promise<Session | null> {
    const document = await storeOperation(() => this.sessions.findOne({ _id: id }, { maxTimeMS: this.maxTimeMS }));
    return document === null ? null : toSession(document);
  }

  async delete(id: string): Promise<boolean> {
    // The deleted count decides between concurrent log-outs with one token: only one removes it.
    const { deletedCount } = await storeOperation(() => this.sessions.deleteOne({ _id: id }));
    return deletedCount === 1;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const { deletedCount } = await storeOperation(() => this.sessions.deleteMany({ userId }));
    return deletedCount;
  }

  async listForUser(userId: string): Promise<Session[]> {
    const documents = await storeOperation(() => this.sessions.find({ userId }, { maxTimeMS: this.maxTimeMS }).toArray());
    return documents.map(toSession);
  }

  async recordSeen(id: string, seenAt: Date, unseenSince: Date): Promise<boolean> {
    // Conditional, so that of concurrent requests with one session only the first writes. A document from
    // before lastSeenAt was kept has none: its last use is its creation.
    const { modifiedCount } = await storeOperation(() =>
      this.sessions.updateOne(
        {
          _id: id,
          $or: [{ lastSeenAt: { $lte: unseenSince } }, { lastSeenAt: { $exists: false }, createdAt: { $lte: unseenSince } }],
        },
        { $set: { lastSeenAt: seenAt } },
        { maxTimeMS: this.maxTimeMS },
      ),
    );
    return modifiedCount === 1;
  }
}
