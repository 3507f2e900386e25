import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { jongodbBinary, JONGODB_PACKAGE, startJongodb } from './jongodb.js';

/**
 * Which MongoDB the suite runs against, chosen once per run:
 *   1. MONGODB_URI set: that server, as is (a real mongod or Atlas);
 *   2. MONGOMS_SYSTEM_BINARY set: a single-node replica set started from that mongod binary;
 *   3. otherwise the jongodb stand-in from npm (Linux x64), which is not mongod: see fullFidelity.
 */
export interface TestMongo {
  readonly uri: string;
  readonly description: string;
  /** A real mongod: TTL expiry and the rest of MongoDB's behaviour can be relied on. */
  readonly fullFidelity: boolean;
}

interface Running extends TestMongo {
  stop(): Promise<void>;
}

let shared: Promise<Running | null> | undefined;
let unavailableReason = '';
const databases = new Set<string>();

async function start(): Promise<Running | null> {
  const uri = process.env.MONGODB_URI;
  if (uri !== undefined && uri !== '') {
    return { uri, description: 'MONGODB_URI (a server of your own)', fullFidelity: true, stop: async () => undefined };
  }
  const systemBinary = process.env.MONGOMS_SYSTEM_BINARY;
  if (systemBinary !== undefined && systemBinary !== '') {
    process.env.MONGOMS_RUNTIME_DOWNLOAD = 'false';
    const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
    const replSet = await MongoMemoryReplSet.create({
      // The TTL monitor checks every second instead of every minute, so the TTL test is quick.
      replSet: { count: 1, storageEngine: 'wiredTiger', ip: '127.0.0.1', args: ['--setParameter', 'ttlMonitorSleepSecs=1'] },
      binary: { systemBinary },
    });
    return {
      uri: replSet.getUri(),
      description: `single-node replica set from MONGOMS_SYSTEM_BINARY=${systemBinary}`,
      fullFidelity: true,
      stop: async () => {
        await replSet.stop();
      },
    };
  }
  const binary = jongodbBinary();
  if (binary === undefined) {
    unavailableReason =
      `neither MONGODB_URI nor MONGOMS_SYSTEM_BINARY is set, and the stand-in ${JONGODB_PACKAGE} ` +
      `is not installed on this platform (${process.platform}-${process.arch})`;
    return null;
  }
  const server = await startJongodb(binary);
  return {
    uri: server.uri,
    description: `jongodb stand-in (${JONGODB_PACKAGE}) at ${server.uri}; set MONGODB_URI or MONGOMS_SYSTEM_BINARY for a real mongod`,
    fullFidelity: false,
    stop: () => server.stop(),
  };
}

/** The run's MongoDB, started on first use; null (with unavailableMongoReason()) when there is none. */
function sharedTestMongo(): Promise<TestMongo | null> {
  shared ??= start().then((mongo) => {
    console.log(
      mongo === null
        ? `\n  [mongodb] MongoDB tests skipped: ${unavailableReason}\n`
        : `\n  [mongodb] MongoDB tests use: ${mongo.description}\n`,
    );
    return mongo;
  });
  return shared;
}

function unavailableMongoReason(): string {
  return unavailableReason;
}

/** A database name of its own for a test file or test, so tests never see each other's data. */
export function uniqueDatabaseName(label: string): string {
  const name = `test_${label.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}_${randomBytes(5).toString('hex')}`;
  databases.add(name);
  return name;
}

/** Stops what the run started and drops the databases it created (where the server can). */
export async function stopSharedTestMongo(): Promise<void> {
  const mongo = await shared;
  shared = undefined;
  if (mongo === null || mongo === undefined) return;
  if (mongo.fullFidelity) {
    const client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 2000 });
    try {
      for (const name of databases) await client.db(name).dropDatabase();
    } catch {
      // Leftover test databases are harmless; failing the run over them is not.
    } finally {
      await client.close();
    }
  }
  databases.clear();
  await mongo.stop();
}

/**
 * A describe block that runs only when a MongoDB is available; otherwise its tests are skipped with
 * the reason printed. `mongo()` gives the server inside hooks and tests.
 */
export function describeWithMongo(title: string, body: (mongo: () => TestMongo) => void): void {
  describe(title, function () {
    let current: TestMongo | null = null;
    before(async function () {
      this.timeout(60_000);
      current = await sharedTestMongo();
      if (current === null) {
        console.log(`      skipped: ${unavailableMongoReason()}`);
        this.skip();
      }
    });
    body(() => {
      if (current === null) throw new Error('no MongoDB for this test');
      return current;
    });
  });
}

/** Skips the current test, saying why, unless the server is a real mongod. */
export function requireRealMongod(context: Mocha.Context, mongo: TestMongo, need: string): void {
  if (mongo.fullFidelity) return;
  console.log(`      skipped: needs a real mongod (${need}); set MONGODB_URI or MONGOMS_SYSTEM_BINARY`);
  context.skip();
}
