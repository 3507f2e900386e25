import { randomUUID } from 'node:crypto';
import { memoryAttemptLimiter } from '../../src/adapters/rate-limit/flexible-attempt-limiter.js';
import { MongoStore } from '../../src/adapters/mongodb/mongo-store.js';
import { describeAttemptLimiterContract } from '../contract/attempt-limiter-contract.js';
import { describeWithMongo, uniqueDatabaseName } from '../support/test-mongo.js';

describeAttemptLimiterContract('in-memory', () => (limit) => memoryAttemptLimiter({ name: randomUUID(), ...limit }));

describeWithMongo('MongoDB attempt limiters', (mongo) => {
  let store: MongoStore;

  before(async () => {
    store = await MongoStore.open({
      uri: mongo().uri,
      dbName: uniqueDatabaseName('limiters'),
      writeConcern: 'majority',
      timeoutMs: 2000,
      startupTimeoutMs: 5000,
    });
  });

  after(async () => {
    await store.close();
  });

  describeAttemptLimiterContract('mongodb', () => (limit) => store.attemptLimiter({ name: randomUUID(), ...limit }));
});
