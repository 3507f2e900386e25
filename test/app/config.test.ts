import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/app/config.js';

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
      store: 'memory',
      bcryptCost: 12,
      passwordMinLength: 8,
      sessionTtlSeconds: 14 * 86400,
      resetTokenTtlSeconds: 30 * 60,
      cookieSecure: false,
      trustProxy: false,
      resetTokenDelivery: 'response',
      shutdownTimeoutSeconds: 10,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      STORE: 'memory',
      BCRYPT_COST: '4',
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
      passwordMinLength: 15,
      sessionTtlSeconds: 12 * 3600,
      resetTokenTtlSeconds: 900,
      cookieSecure: true,
      trustProxy: true,
      shutdownTimeoutSeconds: 30,
      logLevel: 'warn',
    });
  });

  it('accepts durations in seconds or with a unit', () => {
    expect(loadConfig({ SESSION_TTL: '45' }).sessionTtlSeconds).to.equal(45);
    expect(loadConfig({ SESSION_TTL: '45s' }).sessionTtlSeconds).to.equal(45);
    expect(loadConfig({ SESSION_TTL: '15m' }).sessionTtlSeconds).to.equal(900);
    expect(loadConfig({ SESSION_TTL: '14d' }).sessionTtlSeconds).to.equal(14 * 86400);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', BCRYPT_COST: '' })).to.include({ port: 5000, bcryptCost: 12 });
  });

  const invalid: Record<string, string[]> = {
    PORT: ['http', '-1', '65536', '80.5'],
    STORE: ['postgres', 'MEMORY'],
    BCRYPT_COST: ['3', '32', 'twelve'],
    PASSWORD_MIN_LENGTH: ['0', '73'],
    SESSION_TTL: ['0', '-5', '14 days', '1w', '1.5h'],
    RESET_TOKEN_TTL: ['soon'],
    COOKIE_SECURE: ['yes', '1', 'TRUE'],
    TRUST_PROXY: ['on'],
    RESET_TOKEN_DELIVERY: ['carrier-pigeon'],
    SHUTDOWN_TIMEOUT: ['never'],
    LOG_LEVEL: ['loud'],
  };
  for (const [variable, values] of Object.entries(invalid)) {
    it(`refuses an invalid ${variable}, naming the variable and not echoing the value`, () => {
      for (const value of values) expect(configError({ [variable]: value })).to.contain(variable);
      expect(configError({ [variable]: 'Pa55w0rd-like-value' })).not.to.contain('Pa55w0rd');
    });
  }

  it('reports every invalid variable at once', () => {
    const message = configError({ PORT: 'x', BCRYPT_COST: 'y' });
    expect(message).to.contain('PORT').and.to.contain('BCRYPT_COST');
  });
});
