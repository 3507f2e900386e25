import { expect } from 'chai';
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig, redactedConfig } from '../../../src/app/config/load-config.js';
import { defaultHashConcurrency } from '../../../src/app/config/variables.js';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).to.deep.equal({
      host: '127.0.0.1',
      port: 5000,
      store: 'sqlite',
      sqlite: { path: 'data/auth.sqlite3', synchronous: 'full' },
      bcryptCost: 12,
      hashConcurrency: defaultHashConcurrency(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE ?? 4) || 4),
      hashQueuePerClient: 8,
      passwordMinLength: 8,
      sessionTtlSeconds: 14 * 86400,
      sessionIdleTtlSeconds: 86400,
      maxSessionsPerUser: 100,
      resetTokenTtlSeconds: 30 * 60,
      emailVerification: 'off',
      verificationTokenTtlSeconds: 86400,
      mailLocale: 'en',
      serviceName: 'Account service',
      cookieSecure: false,
      trustProxy: false,
      trustProxyHops: 1,
      resetTokenDelivery: 'response',
      shutdownTimeoutSeconds: 10,
      logLevel: 'info',
      rateLimits: {
        requestsByAddress: { attempts: 100, windowSeconds: 60 },
        requestsByAccountAndAddress: { attempts: 10, windowSeconds: 900 },
        logInFailuresByAccountAndAddress: { attempts: 5, windowSeconds: 900 },
        logInFailuresByAccount: { attempts: 100, windowSeconds: 3600 },
      },
      allowedOrigins: [],
    });
  });

  it('reads the rate limits, RATE_LIMIT=off and ALLOWED_ORIGINS', () => {
    const config = loadConfig({
      RATE_LIMIT_ADDRESS: '20/30s',
      RATE_LIMIT_ACCOUNT: '3/1h',
      RATE_LIMIT_LOGIN_FAILURES: '10/5m',
      RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: '50/1d',
      ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000/',
    });
    expect(config.rateLimits).to.deep.equal({
      requestsByAddress: { attempts: 20, windowSeconds: 30 },
      requestsByAccountAndAddress: { attempts: 3, windowSeconds: 3600 },
      logInFailuresByAccountAndAddress: { attempts: 10, windowSeconds: 300 },
      logInFailuresByAccount: { attempts: 50, windowSeconds: 86400 },
    });
    expect(config.allowedOrigins).to.deep.equal(['https://app.example.com', 'http://localhost:3000']);
    expect(loadConfig({ RATE_LIMIT: 'off' }).rateLimits).to.equal(null);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      STORE: 'memory',
      BCRYPT_COST: '4',
      HASH_CONCURRENCY: '3',
      PASSWORD_MIN_LENGTH: '15',
      SESSION_TTL: '12h',
      RESET_TOKEN_TTL: '900',
      COOKIE_SECURE: 'true',
      TRUST_PROXY: 'true',
      RESET_TOKEN_DELIVERY: 'response',
      SHUTDOWN_TIMEOUT: '30s',
      LOG_LEVEL: 'warn',
    });
    expect(config).to.include({
      host: '0.0.0.0',
      port: 8080,
      bcryptCost: 4,
      hashConcurrency: 3,
      passwordMinLength: 15,
      sessionTtlSeconds: 12 * 3600,
      resetTokenTtlSeconds: 900,
      cookieSecure: true,
      trustProxy: true,
      shutdownTimeoutSeconds: 30,
      logLevel: 'warn',
    });
  });

  it('runs one hash more than there are cores by default, leaving a thread of the libuv pool free', () => {
    expect(defaultHashConcurrency(2, 4)).to.equal(3);
    expect(defaultHashConcurrency(1, 4)).to.equal(2);
    expect(defaultHashConcurrency(8, 4), 'bounded by the pool').to.equal(3);
    expect(defaultHashConcurrency(8, 16)).to.equal(9);
    expect(defaultHashConcurrency(4, 1), 'at least one').to.equal(1);
  });

  it('reads the MongoDB settings when STORE=mongodb, with their defaults', () => {
    expect(loadConfig({ STORE: 'mongodb', MONGODB_URI: 'mongodb://db1:27017,db2:27017/?replicaSet=rs0' }).mongodb).to.deep.equal({
      uri: 'mongodb://db1:27017,db2:27017/?replicaSet=rs0',
      dbName: 'auth',
      writeConcern: 'majority',
      timeoutSeconds: 2,
      startupTimeoutSeconds: 30,
    });
    const custom = loadConfig({
      STORE: 'mongodb',
      MONGODB_URI: 'mongodb+srv://user:pw@cluster0.example.net/',
      MONGODB_DB: 'accounts',
      MONGODB_WRITE_CONCERN: '2',
      MONGODB_TIMEOUT: '5s',
      MONGODB_STARTUP_TIMEOUT: '2m',
    });
    expect(custom.mongodb).to.include({ dbName: 'accounts', writeConcern: 2, timeoutSeconds: 5, startupTimeoutSeconds: 120 });
    expect(loadConfig({ MONGODB_URI: 'mongodb://db1/' }).mongodb, 'ignored unless STORE=mongodb').to.equal(undefined);
  });

  it('reads the SQLite settings, the default store', () => {
    expect(loadConfig({ SQLITE_PATH: '/var/lib/auth/accounts.db', SQLITE_SYNCHRONOUS: 'normal' }).sqlite).to.deep.equal({
      path: '/var/lib/auth/accounts.db',
      synchronous: 'normal',
    });
    expect(loadConfig({ STORE: 'memory', SQLITE_PATH: 'x.db' }).sqlite, 'ignored unless STORE=sqlite').to.equal(undefined);
    expect(configError({ SQLITE_PATH: 'data/a\u0000b' })).to.equal('invalid configuration: SQLITE_PATH must be a file path');
  });

  it('reads the PostgreSQL settings when STORE=postgres, with their defaults, and requires DATABASE_URL', () => {
    expect(loadConfig({ STORE: 'postgres', DATABASE_URL: 'postgres://auth@db1:5432/auth' }).postgres).to.deep.equal({
      url: 'postgres://auth@db1:5432/auth',
      schema: 'public',
      poolSize: 10,
      timeoutSeconds: 2,
      startupTimeoutSeconds: 30,
    });
    const custom = loadConfig({
      STORE: 'postgres',
      DATABASE_URL: 'postgresql://auth:pw@db1/accounts?sslmode=require',
      PG_SCHEMA: 'auth_service',
      PG_POOL_SIZE: '25',
      PG_TIMEOUT: '5s',
      PG_STARTUP_TIMEOUT: '2m',
    });
    expect(custom.postgres).to.include({ schema: 'auth_service', poolSize: 25, timeoutSeconds: 5, startupTimeoutSeconds: 120 });
    expect(configError({ STORE: 'postgres' })).to.contain('DATABASE_URL is required when STORE=postgres');
    expect(loadConfig({ STORE: 'memory', DATABASE_URL: 'postgres://db1/auth' }).postgres, 'ignored unless STORE=postgres').to.equal(
      undefined,
    );
  });

  it('redacts the password of DATABASE_URL for the log, in the authority and in the query', () => {
    const config = loadConfig({
      STORE: 'postgres',
      DATABASE_URL: 'postgres://auth:s3cr3t@db1:5432/accounts?password=s3cr3t2&sslmode=require',
    });
    const logged = JSON.stringify(redactedConfig(config));
    expect(logged).not.to.contain('s3cr3t');
    expect(logged).to.contain('postgres://auth:<password>@db1:5432/accounts');
    expect(config.postgres?.url, 'the config itself keeps it').to.contain('s3cr3t');
  });

  it('redacts the credentials of the MongoDB URI for the log', () => {
    const config = loadConfig({ STORE: 'mongodb', MONGODB_URI: 'mongodb://admin:s3cr3t@db1:27017/?authSource=admin' });
    const logged = JSON.stringify(redactedConfig(config));
    expect(logged).not.to.contain('s3cr3t');
    expect(logged).to.contain('db1:27017');
    expect(config.mongodb?.uri, 'the config itself keeps them').to.contain('s3cr3t');
  });

  const EMAIL_DELIVERY = {
    RESET_TOKEN_DELIVERY: 'email',
    SMTP_URL: 'smtps://mailer%40example.com:s3cr3t-smtp@smtp.example.com:465',
    MAIL_FROM: 'Example <noreply@example.com>',
    RESET_URL: 'https://app.example.com/reset?email={email}#token={token}',
    VERIFY_URL: 'https://app.example.com/verify?email={email}#token={token}',
  };

  it('reads the email delivery settings, with SMTP_TIMEOUT 5s by default', () => {
    expect(loadConfig(EMAIL_DELIVERY)).to.deep.include({
      resetTokenDelivery: 'email',
      email: {
        smtpUrl: EMAIL_DELIVERY.SMTP_URL,
        smtpTimeoutSeconds: 5,
        mailFrom: 'Example <noreply@example.com>',
        resetUrl: 'https://app.example.com/reset?email={email}#token={token}',
        verifyUrl: 'https://app.example.com/verify?email={email}#token={token}',
      },
    });
    expect(loadConfig({ ...EMAIL_DELIVERY, SMTP_TIMEOUT: '2', MAIL_FROM: 'noreply@example.com' }).email).to.include({
      smtpTimeoutSeconds: 2,
      mailFrom: 'noreply@example.com',
    });
    expect(loadConfig({ SMTP_URL: 'smtp://mail.example.com' }).email, 'ignored unless RESET_TOKEN_DELIVERY=email').to.equal(undefined);
  });

  it('requires SMTP_URL, MAIL_FROM, RESET_URL and VERIFY_URL when RESET_TOKEN_DELIVERY=email, naming those missing', () => {
    expect(configError({ RESET_TOKEN_DELIVERY: 'email' })).to.contain(
      'SMTP_URL, MAIL_FROM, RESET_URL, VERIFY_URL are required when RESET_TOKEN_DELIVERY=email',
    );
    expect(configError({ ...EMAIL_DELIVERY, RESET_URL: '' })).to.contain('RESET_URL is required when RESET_TOKEN_DELIVERY=email');
    expect(configError({ ...EMAIL_DELIVERY, VERIFY_URL: '' })).to.contain('VERIFY_URL is required when RESET_TOKEN_DELIVERY=email');
  });

  it('redacts the password of SMTP_URL for the log, and keeps the rest', () => {
    const config = loadConfig(EMAIL_DELIVERY);
    const logged = JSON.stringify(redactedConfig(config));
    expect(logged).not.to.contain('s3cr3t-smtp');
    expect(logged).to.contain('smtps://mailer%40example.com:<password>@smtp.example.com:465');
    expect(config.email?.smtpUrl, 'the config itself keeps it').to.contain('s3cr3t-smtp');
    expect(JSON.stringify(redactedConfig(loadConfig({ ...EMAIL_DELIVERY, SMTP_URL: 'smtp://relay:25' })))).to.contain(
      '"smtpUrl":"smtp://relay:25"',
    );
  });

  it('accepts RESET_URL templates with {token} (and {email}) in the path, query or fragment only', () => {
    for (const url of [
      'https://app.example.com/reset/{token}',
      'http://localhost:3000/r?t={token}&e={email}',
      'https://app.example.com/#{token}',
    ]) {
      expect(loadConfig({ ...EMAIL_DELIVERY, RESET_URL: url }).email?.resetUrl).to.equal(url);
    }
  });

  it('reads EMAIL_VERIFICATION, VERIFICATION_TOKEN_TTL, MAIL_LOCALE and SERVICE_NAME', () => {
    expect(
      loadConfig({ EMAIL_VERIFICATION: 'required', VERIFICATION_TOKEN_TTL: '7d', MAIL_LOCALE: 'fr', SERVICE_NAME: '  Example Accounts ' }),
    ).to.deep.include({
      emailVerification: 'required',
      verificationTokenTtlSeconds: 7 * 86400,
      mailLocale: 'fr',
      serviceName: 'Example Accounts',
    });
    expect(loadConfig({ EMAIL_VERIFICATION: 'optional', VERIFICATION_TOKEN_TTL: '15m' })).to.deep.include({
      emailVerification: 'optional',
      verificationTokenTtlSeconds: 900,
    });
    expect(loadConfig({ SERVICE_NAME: 'x'.repeat(100) }).serviceName).to.have.length(100);
  });

  it('refuses NODE_ENV=production with the token in the response unless ALLOW_RESET_TOKEN_IN_RESPONSE=true', () => {
    const message = configError({ NODE_ENV: 'production' });
    expect(message)
      .to.contain('NODE_ENV=production')
      .and.to.contain('RESET_TOKEN_DELIVERY=email')
      .and.to.contain('ALLOW_RESET_TOKEN_IN_RESPONSE=true');
    expect(message).not.to.contain('\n');
    expect(configError({ NODE_ENV: 'production', RESET_TOKEN_DELIVERY: 'response', ALLOW_RESET_TOKEN_IN_RESPONSE: 'false' })).to.equal(
      message,
    );
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_RESET_TOKEN_IN_RESPONSE: 'true' }).resetTokenDelivery).to.equal('response');
    expect(loadConfig({ NODE_ENV: 'production', ...EMAIL_DELIVERY }).resetTokenDelivery).to.equal('email');
    expect(loadConfig({ NODE_ENV: 'development' }).resetTokenDelivery).to.equal('response');
  });

  it('requires MONGODB_URI when STORE=mongodb', () => {
    expect(configError({ STORE: 'mongodb' })).to.contain('MONGODB_URI is required when STORE=mongodb');
  });

  it('takes an idle timeout between 5 minutes and 400 days', () => {
    expect(loadConfig({ SESSION_IDLE_TTL: '5m' }).sessionIdleTtlSeconds).to.equal(300);
    expect(loadConfig({ SESSION_IDLE_TTL: '400d' }).sessionIdleTtlSeconds).to.equal(400 * 86400);
    expect(configError({ SESSION_IDLE_TTL: '299' })).to.contain('SESSION_IDLE_TTL must be at least 5m');
    expect(configError({ SESSION_IDLE_TTL: '401d' })).to.contain('SESSION_IDLE_TTL must be at most 400d');
  });

  it('accepts durations in seconds or with a unit', () => {
    expect(loadConfig({ SESSION_TTL: '45' }).sessionTtlSeconds).to.equal(45);
    expect(loadConfig({ SESSION_TTL: '45s' }).sessionTtlSeconds).to.equal(45);
    expect(loadConfig({ SESSION_TTL: '15m' }).sessionTtlSeconds).to.equal(900);
    expect(loadConfig({ SESSION_TTL: '14d' }).sessionTtlSeconds).to.equal(14 * 86400);
  });

  it('accepts every value up to the documented maxima, and each works as written', () => {
    expect(loadConfig({ SESSION_TTL: '400d' }).sessionTtlSeconds).to.equal(400 * 86400);
    expect(loadConfig({ RESET_TOKEN_TTL: '7d' }).resetTokenTtlSeconds).to.equal(7 * 86400);
    expect(loadConfig({ SHUTDOWN_TIMEOUT: '1h' }).shutdownTimeoutSeconds).to.equal(3600);
    expect(loadConfig({ RATE_LIMIT_LOGIN_FAILURES: '5/24d' }).rateLimits?.logInFailuresByAccountAndAddress).to.deep.equal({
      attempts: 5,
      windowSeconds: 24 * 86400,
    });
    expect(loadConfig({ MAX_SESSIONS_PER_USER: '1', TRUST_PROXY_HOPS: '2' })).to.include({ maxSessionsPerUser: 1, trustProxyHops: 2 });
    for (const host of ['0.0.0.0', '::', '::1', 'localhost', 'auth.internal', 'host-1.example.com'])
      expect(loadConfig({ HOST: host }).host).to.equal(host);
    // Every limit that ends up in a Node timer fits it (2^31-1 ms), or the timer would fire at once.
    const longest = loadConfig({
      SESSION_TTL: '400d',
      SHUTDOWN_TIMEOUT: '1h',
      RATE_LIMIT_ADDRESS: '1/24d',
      MONGODB_TIMEOUT: '1h',
      SMTP_TIMEOUT: '1h',
    });
    for (const seconds of [longest.shutdownTimeoutSeconds, longest.rateLimits?.requestsByAddress.windowSeconds ?? 0]) {
      expect(seconds * 1000).to.be.below(2 ** 31 - 1);
    }
    expect(new Date(Date.now() + longest.sessionTtlSeconds * 1000).getTime()).not.to.be.NaN;
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', BCRYPT_COST: '' })).to.include({ port: 5000, bcryptCost: 12 });
  });

  const invalid: Record<string, string[]> = {
    HOST: ['999.1.1.1', '256.0.0.1', 'has space', 'http://localhost', '-bad.example.com', 'a..b'],
    PORT: ['http', '-1', '65536', '80.5'],
    STORE: ['mysql', 'MEMORY', 'sqlite3'],
    SQLITE_SYNCHRONOUS: ['off', 'FULL', 'extra'],
    DATABASE_URL: ['mysql://db/auth', 'db.example.com:5432', 'postgres:///auth', 'not a url'],
    PG_SCHEMA: ['Public', '1abc', 'has space', 'a-b', 'x'.repeat(64), '"quoted"'],
    PG_POOL_SIZE: ['0', '1001', 'ten'],
    PG_TIMEOUT: ['fast', '2h'],
    PG_STARTUP_TIMEOUT: ['0', '9999999999d'],
    MONGODB_URI: [
      'http://db.example.com',
      'db.example.com:27017',
      'mongodb://db1/?compressors=x',
      'mongodb://db1/?authMechanism=BOGUS',
      'mongodb://db1/?tls=maybe',
    ],
    MONGODB_DB: ['a/b', 'has space', 'x'.repeat(64)],
    MONGODB_WRITE_CONCERN: ['0', 'all', '-1'],
    MONGODB_TIMEOUT: ['fast', '2h'],
    MONGODB_STARTUP_TIMEOUT: ['0', '9999999999d'],
    BCRYPT_COST: ['3', '32', 'twelve'],
    HASH_CONCURRENCY: ['0', '-1', 'all'],
    PASSWORD_MIN_LENGTH: ['0', '73'],
    SESSION_TTL: ['0', '-5', '14 days', '1w', '1.5h', '9999999999d', '401d'],
    MAX_SESSIONS_PER_USER: ['0', '10001', 'many'],
    RESET_TOKEN_TTL: ['soon', '9999999999d', '8d'],
    COOKIE_SECURE: ['yes', '1', 'TRUE'],
    TRUST_PROXY: ['on'],
    TRUST_PROXY_HOPS: ['0', '11', 'all'],
    RESET_TOKEN_DELIVERY: ['carrier-pigeon', 'EMAIL', 'smtp'],
    ALLOW_RESET_TOKEN_IN_RESPONSE: ['yes', '1'],
    SMTP_URL: [
      'mail.example.com:25',
      'http://mail.example.com',
      'smtp://',
      'smtp://mail.example.com/path',
      'smtp://mail.example.com?debug=true',
      'smtps://mail.example.com#x',
    ],
    SMTP_TIMEOUT: ['0', 'quick', '500ms', '2h'],
    MAIL_FROM: [
      'noreply',
      'a@example.com, b@example.com',
      'Example, Inc <noreply@example.com>',
      'Example\r\nBcc: x@example.com <noreply@example.com>',
    ],
    EMAIL_VERIFICATION: ['on', 'yes', 'REQUIRED'],
    VERIFICATION_TOKEN_TTL: ['soon', '0', '8d'],
    MAIL_LOCALE: ['de', 'EN', 'en-GB'],
    SERVICE_NAME: ['   ', 'Evil\r\nBcc: x@example.com', 'x'.repeat(101)],
    VERIFY_URL: ['https://app.example.com/verify', 'https://{token}.example.com/'],
    RESET_URL: [
      'https://app.example.com/reset',
      '/reset?token={token}',
      'ftp://app.example.com/{token}',
      'javascript:alert({token})',
      'https://{token}.example.com/',
      'https://user:{token}@app.example.com/',
      'https://app.example.com/ {token}',
    ],
    SHUTDOWN_TIMEOUT: ['never', '30d', '61m'],
    LOG_LEVEL: ['loud'],
    RATE_LIMIT: ['disabled', 'false'],
    RATE_LIMIT_ADDRESS: ['100', '0/1m', '100/0', 'lots/1m', '100/1w'],
    RATE_LIMIT_ACCOUNT: ['10 per 15m'],
    RATE_LIMIT_LOGIN_FAILURES: ['-5/15m', '5/30d', '5/25d', '5/9999999999d'],
    RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: ['5/'],
    ALLOWED_ORIGINS: ['*', 'app.example.com', 'https://app.example.com/path'],
  };
  for (const [variable, values] of Object.entries(invalid)) {
    it(`refuses an invalid ${variable}, naming the variable and not echoing the value`, () => {
      for (const value of values) expect(configError({ [variable]: value })).to.contain(variable);
      // SERVICE_NAME is free text: any such value is a name.
      if (variable !== 'SERVICE_NAME') expect(configError({ [variable]: 'Pa55w0rd like/value' })).not.to.contain('Pa55w0rd');
    });
  }

  it('words each problem once per variable, in one line', () => {
    const problem = (env: Record<string, string>) => configError(env).replace(/^invalid configuration: /, '');
    expect(problem({ PORT: 'x' })).to.equal('PORT must be a whole number from 0 to 65535');
    expect(problem({ SESSION_TTL: '401d' })).to.equal('SESSION_TTL must be at most 400d');
    expect(problem({ RATE_LIMIT_ADDRESS: '5/25d' })).to.equal('RATE_LIMIT_ADDRESS must have a window of at most 24d');
    expect(problem({ COOKIE_SECURE: 'TRUE' })).to.equal('COOKIE_SECURE must be true or false');
    expect(problem({ STORE: 'mysql' })).to.equal('STORE must be one of: sqlite, postgres, mongodb, memory');
    // Neither a protocol nor a host: still one problem for the variable.
    expect(problem({ SMTP_URL: 'mail.example.com:25' })).to.equal(
      'SMTP_URL must be smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port], without path or query',
    );
    expect(configError({ PORT: 'x', TRUST_PROXY: 'on' })).to.equal(
      'invalid configuration: PORT must be a whole number from 0 to 65535; TRUST_PROXY must be true or false',
    );
  });

  it('checks the variables before what they require of each other', () => {
    expect(configError({ STORE: 'mongodb', PORT: 'x' })).to.equal('invalid configuration: PORT must be a whole number from 0 to 65535');
    expect(configError({ STORE: 'mongodb', RESET_TOKEN_DELIVERY: 'email' })).to.equal(
      'invalid configuration: MONGODB_URI is required when STORE=mongodb',
    );
  });

  it("takes MAIL_FROM's address by the service's own email rules, local part at most 64 characters", () => {
    const mailFrom = (value: string) => loadConfig({ ...EMAIL_DELIVERY, MAIL_FROM: value }).email?.mailFrom;
    expect(mailFrom(' "Example, Inc." <No-Reply@Example.com> ')).to.equal('"Example, Inc." <No-Reply@Example.com>');
    expect(mailFrom(`${'x'.repeat(64)}@example.com`)).to.equal(`${'x'.repeat(64)}@example.com`);
    expect(configError({ ...EMAIL_DELIVERY, MAIL_FROM: `${'x'.repeat(65)}@example.com` })).to.contain('MAIL_FROM');
    expect(configError({ ...EMAIL_DELIVERY, MAIL_FROM: 'Example < noreply@example.com>' })).to.contain('MAIL_FROM');
  });

  it('reports every invalid variable at once', () => {
    const message = configError({ PORT: 'x', BCRYPT_COST: 'y' });
    expect(message).to.contain('PORT').and.to.contain('BCRYPT_COST');
  });
});
