import type { Collection } from 'mongodb';
import type { Session } from '../../domain/entities/session.js';
import type { SessionRepository } from '../../domain/ports/session-repository.js';
import { toSession, toSessionDocument, type SessionDocument } from './documents.js';
import { storeOperation } from './store-errors.js';

export class MongoSessionRepository implements SessionRepository {
  constructor(
    private readonly sessions: Collection<SessionDocument>,
    private readonly maxTimeMS: number,
  ) {}

  async add(session: Session): Promise<void> {
    await storeOperation(() => this.sessions.insertOne(toSessionDocument(session)));
  }

  async findById(id: string): Promise<Session | null> {
    const document = await storeOperation(() => this.sessions.findOne({ _id: id }, { maxTimeMS: this.maxTimeMS }));
    return document === null ? null : toSession(document);
  }

  async delete(id: string): Promise<Session | null> {
    // Read, then a delete whose count decides: only the caller whose deleteOne removed the document
    // gets it back, so of two concurrent log-outs one wins. (Not findOneAndDelete: the test stand-in
    // refuses the `new: false` the driver sends with it. Sessions never change, so the read is exact.)
    const document = await storeOperation(() => this.sessions.findOne({ _id: id }, { maxTimeMS: this.maxTimeMS }));
    if (document === null) return null;
    const { deletedCount } = await storeOperation(() => this.sessions.deleteOne({ _id: id }));
    return deletedCount === 1 ? toSession(document) : null;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const { deletedCount } = await storeOperation(() => this.sessions.deleteMany({ userId }));
    return deletedCount;
  }
}
