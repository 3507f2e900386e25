import { randomUUID } from 'node:crypto';
import { memoryRateLimiter } from '../../../src/adapters/rate-limit/flexible-rate-limiter.js';
import { MongoStore } from '../../../src/adapters/stores/mongodb/mongo-store.js';
import { describeRateLimiterContract } from './rate-limiter-contract.js';
import { describeWithMongo, uniqueDatabaseName } from '../../support/test-mongo.js';

describeRateLimiterContract('in-memory', () => (limit) => memoryRateLimiter({ name: randomUUID(), ...limit }));

describeWithMongo('MongoDB rate limiters', (mongo) => {
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

  describeRateLimiterContract('mongodb', () => (limit) => store.rateLimiter({ name: randomUUID(), ...limit }));
});
