import { expect } from 'chai';
import {
  ClientGoneError,
  DeliveryUnavailableError,
  type DomainError,
  EmailAlreadyRegisteredError,
  InvalidCredentialsError,
  InvalidInputError,
  InvalidResetTokenError,
  InvalidSessionError,
  StoreUnavailableError,
  TooManyAttemptsError,
  UnknownEmailError,
} from '../../../src/domain/errors.js';
import { ERROR_CATALOGUE, ERROR_CODES } from '../../../src/adapters/http/error-catalogue.js';
import { clientFor, exchangeBytes, request } from '../../support/http-client.js';
import { apiContract, checkRawExchange } from '../../support/openapi-contract.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/** Every domain error class, with the status and code its answer must have. */
const DOMAIN_ERRORS: ReadonlyArray<[DomainError, number, string]> = [
  [new InvalidInputError('email', 'is required'), 400, 'invalid_input'],
  [new EmailAlreadyRegisteredError(), 400, 'email_taken'],
  [new InvalidCredentialsError(), 401, 'invalid_credentials'],
  [new InvalidSessionError(), 403, 'invalid_session'],
  [new UnknownEmailError(), 403, 'unknown_email'],
  [new InvalidResetTokenError(), 403, 'invalid_reset_token'],
  [new TooManyAttemptsError(60), 429, 'too_many_attempts'],
  [new StoreUnavailableError(), 503, 'store_unavailable'],
  [new DeliveryUnavailableError(), 503, 'delivery_unavailable'],
  [new ClientGoneError(), 499, 'client_gone'],
];

describe('the error catalogue', () => {
  it('maps every domain error class to its status and code, and lists its message', () => {
    for (const [error, status, code] of DOMAIN_ERRORS) {
      expect(error.code, error.name).to.equal(code);
      const entry = ERROR_CATALOGUE[error.code];
      expect(entry.status, error.name).to.equal(status);
      expect(
        entry.messages.some((known) => known.test(error.message)),
        `${error.name}: ${error.message}`,
      ).to.equal(true);
    }
  });

  it('has unique, snake_case codes, each with a status and at least one message', () => {
    expect(new Set(ERROR_CODES).size).to.equal(ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      expect(code).to.match(/^[a-z]+(?:_[a-z]+)*$/);
      const entry = ERROR_CATALOGUE[code];
      expect(entry.status, code).to.be.within(400, 599);
      expect(entry.messages, code).not.to.be.empty;
      if (entry.message !== undefined)
        expect(
          entry.messages.some((known) => known.test(entry.message as string)),
          code,
        ).to.equal(true);
    }
  });

  it('is what the OpenAPI document lists as the codes of its ErrorMessage schema', () => {
    const schema = apiContract().document.components?.schemas?.ErrorMessage as { properties: { code: { enum: string[] } } };
    expect(schema.properties.code.enum).to.have.members(ERROR_CODES).and.to.have.length(ERROR_CODES.length);
  });
});

describe('error codes over HTTP', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { RATE_LIMIT_LOGIN_FAILURES: '2/15m' } });
  });

  after(async () => {
    await server.close();
  });

  it('401 invalid_credentials, then 429 too_many_attempts with Retry-After', async () => {
    const api = clientFor(server.url);
    const form = { email: 'nobody@example.com', password: 'not the password' };
    const first = await api.post('/sessions', { form });
    expect({ status: first.status, body: first.body }).to.deep.equal({
      status: 401,
      body: { code: 'invalid_credentials', message: 'invalid email or password' },
    });
    await api.post('/sessions', { form });
    const rateLimited = await api.post('/sessions', { form });
    expect({ status: rateLimited.status, body: rateLimited.body }).to.deep.equal({
      status: 429,
      body: { code: 'too_many_attempts', message: 'too many attempts, please retry later' },
    });
    expect(Number(rateLimited.headers.get('retry-after'))).to.be.greaterThan(0);
  });

  it('403 invalid_session', async () => {
    const reply = await request(server.url, 'GET', '/profile', { cookie: 'session_id=kq2Hn1cM3yG0cXyqH3Jd7Q0o1yB5x0Zt1Vq2sCq9b4E' });
    expect({ status: reply.status, body: reply.body }).to.deep.equal({
      status: 403,
      body: { code: 'invalid_session', message: 'invalid or expired session' },
    });
  });

  it('415 unsupported_content_type', async () => {
    const reply = await request(server.url, 'POST', '/users', { raw: { contentType: 'text/plain', body: 'email=a@b.co' } });
    expect({ status: reply.status, body: reply.body }).to.deep.equal({
      status: 415,
      body: { code: 'unsupported_content_type', message: ERROR_CATALOGUE.unsupported_content_type.message },
    });
  });

  it('a 400 Node could not parse: unparsable_request, written to the socket', async () => {
    const bytes = 'GARBAGE / NOT-HTTP\r\n\r\n';
    const reply = (await exchangeBytes(server.url, bytes)).bytes.toString('utf8');
    checkRawExchange(bytes, reply);
    const [head = '', body = ''] = reply.split('\r\n\r\n');
    expect(head).to.match(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body)).to.deep.equal({ code: 'unparsable_request', message: 'bad request' });
  });
});
