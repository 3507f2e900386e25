import { expect } from 'chai';
import type { PasswordHasher } from '../../../src/domain/ports/password-hasher.js';
import { TOKENS } from '../../../src/app/tokens.js';
import { exchangeBytes, formBody, request, splitResponses } from '../../support/http-client.js';
import { checkRawExchange } from '../../support/openapi-contract.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

/** Sends raw bytes and returns everything the server wrote back before closing. */
async function raw(server: TestServer, bytes: string): Promise<string> {
  const reply = (await exchangeBytes(server.url, bytes)).bytes.toString('utf8');
  checkRawExchange(bytes, reply);
  return reply;
}

function parse(reply: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = reply.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

/**
 * Sends the requests pipelined, in one write on one connection; returns each response, parsed, in
 * the order they came, each checked against the document with the request it answers, and whether
 * the server then closed the connection.
 */
async function pipelined(
  url: string,
  requests: readonly string[],
): Promise<{ replies: ReturnType<typeof parse>[]; raw: string[]; closed: boolean }> {
  const { bytes, closed } = await exchangeBytes(url, requests.join(''));
  const responses = splitResponses(bytes);
  responses.forEach((response, index) => checkRawExchange(requests[index] ?? '', response));
  return { replies: responses.map(parse), raw: responses, closed };
}

function expectEnvelope(headers: string): void {
  expect(headers).to.contain('content-type: application/json');
  expect(headers).to.contain('x-content-type-options: nosniff').and.to.contain("content-security-policy: default-src 'none'");
  expect(headers).to.contain('cache-control: no-store');
  expect(headers).to.match(/x-request-id: [0-9a-f-]{36}/);
}

const GARBAGE = 'GARBAGE\r\n\r\n';
const HEALTHZ = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
const CONNECT = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n';

describe('requests Node cannot parse', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server.close();
  });

  it('answer a malformed request line with 400 in JSON', async () => {
    const reply = parse(await raw(server, 'GARBAGE / NOT-HTTP\r\n\r\n'));
    expect(reply.status).to.equal(400);
    expectEnvelope(reply.headers);
    expect(reply.body).to.deep.equal({ code: 'unparsable_request', message: 'bad request' });
  });

  it('answer headers over the limit with 431 in JSON', async () => {
    const reply = parse(await raw(server, `GET / HTTP/1.1\r\nHost: x\r\nCookie: session_id=${'a'.repeat(20_000)}\r\n\r\n`));
    expect(reply.status).to.equal(431);
    expect(reply.body).to.deep.equal({ code: 'headers_too_large', message: 'request header fields too large' });
  });

  it('serve a request with an unknown Expect as if it were absent, in JSON', async () => {
    const reply = parse(await raw(server, 'GET / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nConnection: close\r\n\r\n'));
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ message: 'Bienvenue' });
    expect(reply.headers).to.contain('x-content-type-options: nosniff');
  });

  it("answer an HTTP/1.1 request without Host with 400 in JSON, not Node's bare 400 (RFC 9112 §3.2)", async () => {
    const reply = parse(await raw(server, 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n'));
    expect(reply.status).to.equal(400);
    expectEnvelope(reply.headers);
    expect(reply.body).to.deep.equal({ code: 'missing_host', message: 'Host header is required' });
  });

  it('serve an HTTP/1.0 request without Host, which needs none', async () => {
    const reply = parse(await raw(server, 'GET / HTTP/1.0\r\n\r\n'));
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ message: 'Bienvenue' });
  });

  it('answer CONNECT with 400 in JSON and close the connection, rather than drop it unanswered', async () => {
    const { replies, closed } = await pipelined(server.url, [CONNECT]);
    expect(replies.map((reply) => reply.status)).to.deep.equal([400]);
    expectEnvelope(replies[0]?.headers ?? '');
    expect(replies[0]?.headers).to.contain('connection: close');
    expect(replies[0]?.body).to.deep.equal({ code: 'connect_not_supported', message: 'bad request' });
    expect(closed).to.equal(true);
  });

  describe('after complete requests on the same connection', () => {
    it('answer each complete request before the 400, then close: [GET /healthz][garbage]', async () => {
      const { replies, closed } = await pipelined(server.url, [HEALTHZ, GARBAGE]);
      expect(replies.map((reply) => reply.status)).to.deep.equal([200, 400]);
      expect(replies[0]?.body).to.deep.equal({ status: 'ok' });
      expect(replies[1]?.headers).to.contain('connection: close');
      expect(replies[1]?.body).to.deep.equal({ code: 'unparsable_request', message: 'bad request' });
      expect(closed).to.equal(true);
    });

    it("answer each complete request before CONNECT's 400, then close: [GET /healthz][GET /healthz][CONNECT]", async () => {
      const { replies, closed } = await pipelined(server.url, [HEALTHZ, HEALTHZ, CONNECT]);
      expect(replies.map((reply) => reply.status)).to.deep.equal([200, 200, 400]);
      expect(closed).to.equal(true);
    });
  });
});

describe('a malformed request pipelined after a log-in still being served', () => {
  const EMAIL = 'pipelined@example.com';
  const PASSWORD = 'correct horse battery';
  let server: TestServer;
  // The log-in's password comparison, held open until the test lets it go.
  let verifying: Promise<void>;
  let release: () => void;

  before(async () => {
    let started: () => void = () => undefined;
    verifying = new Promise<void>((resolve) => (started = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    server = await startTestServer({
      configure: (container) => {
        const real = container.get(TOKENS.PasswordHasher);
        const held: PasswordHasher = {
          hash: (password, requester) => real.hash(password, requester),
          needsRehash: (hash) => real.needsRehash(hash),
          verify: async (password, hash, requester) => {
            started();
            await released;
            return real.verify(password, hash, requester);
          },
        };
        container.rebind(TOKENS.PasswordHasher).toConstantValue(held);
      },
    });
    expect((await request(server.url, 'POST', '/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
  });

  after(async () => {
    release();
    await server.close();
  });

  it('answers the log-in (200, its Set-Cookie) first, then the 400, then closes', async () => {
    const body = formBody({ email: EMAIL, password: PASSWORD });
    const logIn =
      'POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const exchange = pipelined(server.url, [logIn, GARBAGE]);
    // Both requests went in one write: by the time the comparison runs, Node has parsed the garbage too.
    await verifying;
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    const { replies, raw: responses, closed } = await exchange;

    expect(replies.map((reply) => reply.status)).to.deep.equal([200, 400]);
    expect(replies[0]?.body).to.deep.equal({ email: EMAIL, message: 'logged in' });
    const cookie = /^set-cookie: (session_id=[^;]+)/im.exec(responses[0] ?? '')?.[1];
    expect(cookie, 'the log-in sets its session cookie').to.be.a('string');
    expectEnvelope(replies[1]?.headers ?? '');
    expect(replies[1]?.headers).to.contain('connection: close');
    expect(replies[1]?.body).to.deep.equal({ code: 'unparsable_request', message: 'bad request' });
    expect(closed).to.equal(true);
    // The cookie the client got is the live session.
    const profile = await request(server.url, 'GET', '/profile', { cookie: cookie ?? '' });
    expect(profile.body).to.deep.equal({ email: EMAIL, email_verified: false });
  });
});
