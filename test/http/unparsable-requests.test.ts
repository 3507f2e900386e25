import { expect } from 'chai';
import net from 'node:net';
import { checkRawExchange } from '../support/openapi-contract.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Sends raw bytes and returns everything the server wrote back before closing. */
async function raw(server: TestServer, bytes: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  const socket = net.connect(Number(port), hostname);
  socket.setEncoding('utf8');
  let reply = '';
  socket.on('data', (chunk: string) => (reply += chunk));
  socket.write(bytes);
  await new Promise<void>((resolve) => {
    socket.on('end', resolve);
    socket.on('close', resolve);
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, 3000);
  });
  checkRawExchange(bytes, reply);
  return reply;
}

function parse(reply: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = reply.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

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
    expect(reply.headers).to.contain('content-type: application/json');
    expect(reply.headers).to.contain('x-content-type-options: nosniff').and.to.contain("content-security-policy: default-src 'none'");
    expect(reply.headers).to.match(/x-request-id: [0-9a-f-]{36}/);
    expect(reply.body).to.deep.equal({ message: 'bad request' });
  });

  it('answer headers over the limit with 431 in JSON', async () => {
    const reply = parse(await raw(server, `GET / HTTP/1.1\r\nHost: x\r\nCookie: session_id=${'a'.repeat(20_000)}\r\n\r\n`));
    expect(reply.status).to.equal(431);
    expect(reply.body).to.deep.equal({ message: 'request header fields too large' });
  });

  it('serve a request with an unknown Expect as if it were absent, in JSON', async () => {
    const reply = parse(await raw(server, 'GET / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nConnection: close\r\n\r\n'));
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ message: 'Bienvenue' });
    expect(reply.headers).to.contain('x-content-type-options: nosniff');
  });
});
