import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoStore } from '../../../../src/adapters/stores/mongodb/mongo-store.js';
import { sessionRecord, userRecord } from '../../../support/records.js';
import { describeRepositoryContract } from '../store-contract.js';
import { describeWithMongo, requireRealMongod, uniqueDatabaseName, type TestMongo } from '../../../support/test-mongo.js';

function openStore(mongo: TestMongo, dbName = uniqueDatabaseName('contract')): Promise<MongoStore> {
  return MongoStore.open({ uri: mongo.uri, dbName, writeConcern: 'majority', timeoutMs: 2000, startupTimeoutMs: 5000 });
}

describeWithMongo('MongoDB repositories', (mongo) => {
  const opened: MongoStore[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describeRepositoryContract('mongodb', async () => {
    const store = await openStore(mongo());
    opened.push(store);
    return store;
  });

  describe('collections and indexes', () => {
    it('creates the unique, partial unique, user and TTL indexes, idempotently', async () => {
      const dbName = uniqueDatabaseName('indexes');
      opened.push(await openStore(mongo(), dbName), await openStore(mongo(), dbName));
      const client = await MongoClient.connect(mongo().uri);
      try {
        const users = (await client.db(dbName).collection('users').listIndexes().toArray()) as Array<Record<string, unknown>>;
        const sessions = (await client.db(dbName).collection('sessions').listIndexes().toArray()) as Array<Record<string, unknown>>;
        const byName = (indexes: Array<Record<string, unknown>>): Record<string, Record<string, unknown>> =>
          Object.fromEntries(indexes.map((index) => [String(index.name), index]));
        expect(byName(users).email_unique).to.deep.include({ key: { email: 1 }, unique: true });
        expect(byName(users).reset_token_hash_unique).to.deep.include({
          key: { resetTokenHash: 1 },
          unique: true,
          partialFilterExpression: { resetTokenHash: { $type: 'string' } },
        });
        expect(byName(users).verification_token_hash_unique).to.deep.include({
          key: { verificationTokenHash: 1 },
          unique: true,
          partialFilterExpression: { verificationTokenHash: { $type: 'string' } },
        });
        expect(byName(users).email_change_token_hash_unique).to.deep.include({
          key: { emailChangeTokenHash: 1 },
          unique: true,
          partialFilterExpression: { emailChangeTokenHash: { $type: 'string' } },
        });
        expect(byName(sessions).user_id_created_at).to.deep.include({ key: { userId: 1, createdAt: -1 } });
        expect(byName(sessions).expires_at_ttl).to.deep.include({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
      } finally {
        await client.close();
      }
    });

    it('reads a session written before handles and last use were kept: a stable handle that is not its digest, last use its creation', async () => {
      const dbName = uniqueDatabaseName('legacy_sessions');
      const store = await openStore(mongo(), dbName);
      opened.push(store);
      const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      const expiresAt = new Date(createdAt.getTime() + 60_000);
      const client = await MongoClient.connect(mongo().uri);
      try {
        await client
          .db(dbName)
          .collection('sessions')
          .insertOne({ _id: 'legacy-digest' as never, userId: 'u1', passwordVersion: 0, createdAt, expiresAt });
      } finally {
        await client.close();
      }
      const [legacy] = await store.sessions.listForUser('u1');
      expect(legacy).to.deep.include({ id: 'legacy-digest', lastSeenAt: createdAt, userAgent: null, address: null });
      expect(legacy?.handle).to.match(/^[0-9a-f]{64}$/);
      expect(legacy?.handle).not.to.contain('legacy-digest');
      expect((await store.sessions.findById('legacy-digest'))?.handle, 'the same at every read').to.equal(legacy?.handle);
      // Its last use can be recorded like any other's, once.
      const seenAt = new Date(createdAt.getTime() + 5000);
      expect(await store.sessions.recordSeen('legacy-digest', seenAt, new Date(createdAt.getTime() + 1000))).to.equal(true);
      expect(await store.sessions.recordSeen('legacy-digest', seenAt, new Date(createdAt.getTime() + 1000))).to.equal(false);
      expect((await store.sessions.findById('legacy-digest'))?.lastSeenAt).to.deep.equal(seenAt);
    });

    it('reads a user written before verification and email changes were kept as unverified, and runs the new methods on it', async () => {
      const dbName = uniqueDatabaseName('legacy_users');
      const store = await openStore(mongo(), dbName);
      opened.push(store);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const at = (ms: number) => new Date(now.getTime() + ms);
      const client = await MongoClient.connect(mongo().uri);
      try {
        await client
          .db(dbName)
          .collection('users')
          .insertMany([
            { _id: 'old' as never, email: 'old@example.com', passwordHash: 'hash', passwordChangedAt: now, createdAt: now, updatedAt: now },
            {
              _id: 'other' as never,
              email: 'other@example.com',
              passwordHash: 'hash',
              passwordChangedAt: now,
              createdAt: now,
              updatedAt: now,
            },
          ]);
        const legacy = userRecord('old', 'old@example.com', now);
        expect(await store.users.findById('old')).to.deep.equal(legacy);
        await store.users.setVerificationToken('old@example.com', 'verify', at(1000), at(1));
        expect(await store.users.consumeVerificationToken({ email: 'old@example.com', tokenHash: 'verify', now: at(2) })).to.deep.equal({
          ...legacy,
          emailVerifiedAt: at(2),
          updatedAt: at(2),
        });
        const request = { expectedPasswordVersion: 0, tokenHash: 'change', expiresAt: at(1000), sessionId: 's', now: at(3) };
        expect(await store.users.requestEmailChange({ ...request, id: 'other', newEmail: 'new@example.com' })).to.include({
          pendingEmail: 'new@example.com',
        });
        const changed = await store.users.consumeEmailChange({ email: 'new@example.com', tokenHash: 'change', now: at(4) });
        expect(changed).to.deep.equal({
          user: userRecord('other', 'new@example.com', now, { emailVerifiedAt: at(4), updatedAt: at(4) }),
          previousEmail: 'other@example.com',
          requestingSessionId: 's',
        });
        expect(await store.users.findById('other')).to.deep.equal(changed?.user);
        // What is spent is removed, not set to null: the partial indexes and `$exists` filters rely on it.
        const documents = client.db(dbName).collection('users');
        const keys = ['_id', 'email', 'passwordHash', 'passwordChangedAt', 'createdAt', 'updatedAt', 'emailVerifiedAt'];
        expect(await documents.findOne({ _id: 'old' as never })).to.have.all.keys(keys);
        expect(await documents.findOne({ _id: 'other' as never })).to.have.all.keys(keys);
      } finally {
        await client.close();
      }
    });

    it('stores sessions keyed by the token digest, and users without reset fields when they have no token', async () => {
      const dbName = uniqueDatabaseName('documents');
      const store = await openStore(mongo(), dbName);
      opened.push(store);
      const now = new Date();
      await store.users.add(userRecord('u1', 'a@example.com', now));
      await store.sessions.add(sessionRecord('digest-of-token', 'u1', now, new Date(now.getTime() + 60_000)), 100);
      const client = await MongoClient.connect(mongo().uri);
      try {
        const user = await client
          .db(dbName)
          .collection('users')
          .findOne({ _id: 'u1' as never });
        expect(user).to.have.all.keys('_id', 'email', 'passwordHash', 'passwordVersion', 'passwordChangedAt', 'createdAt', 'updatedAt');
        const session = await client
          .db(dbName)
          .collection('sessions')
          .findOne({ _id: 'digest-of-token' as never });
        expect(session).to.have.all.keys(
          '_id',
          'handle',
          'userId',
          'passwordVersion',
          'createdAt',
          'expiresAt',
          'lastSeenAt',
          'userAgent',
          'address',
        );
      } finally {
        await client.close();
      }
    });
  });

  describe('full fidelity (real mongod only)', () => {
    it('lets the TTL index remove expired sessions by itself', async function () {
      requireRealMongod(this, mongo(), 'the stand-in never runs TTL expiry');
      this.timeout(120_000);
      const store = await openStore(mongo());
      opened.push(store);
      const past = new Date(Date.now() - 1000);
      await store.sessions.add(sessionRecord('expired', 'u1', past, past), 100);
      // The TTL monitor runs every 60 s by default (every second on the replica set the suite starts).
      const deadline = Date.now() + 90_000;
      while ((await store.sessions.findById('expired')) !== null) {
        if (Date.now() > deadline) throw new Error('the TTL monitor did not remove the expired session');
        await sleep(500);
      }
    });
  });
});
