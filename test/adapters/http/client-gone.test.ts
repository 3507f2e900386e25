import { expect } from 'chai';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { clientGoneSignal } from '../../../src/adapters/http/client-gone.js';
import { respondWithError } from '../../../src/adapters/http/error-responses.js';
import { ClientGoneError } from '../../../src/domain/errors.js';
import { sendRaw } from '../../support/http-client.js';

interface Outcome {
  readonly aborted: boolean;
  readonly reason: unknown;
  readonly status: number;
}

describe('clientGoneSignal', () => {
  const logged: string[] = [];
  const logger = {
    error: (_: object, message: string) => logged.push(message),
    warn: (_: object, message: string) => logged.push(message),
  };
  let server: Server;
  let port: number;
  // Per request path: resolved when the handler has started, and with what became of the request.
  let entered: Promise<void>;
  let enter: () => void;
  let outcome: Promise<Outcome>;
  let settle: (outcome: Outcome) => void;

  beforeEach(() => {
    logged.length = 0;
    entered = new Promise((resolve) => (enter = resolve));
    outcome = new Promise((resolve) => (settle = resolve));
  });

  before(async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        respondWithError(ctx, error, logger);
      }
      // Once the response is over, whichever way it ended.
      const status = ctx.status;
      const report = (): void => {
        const signal = clientGoneSignal(ctx);
        settle({ aborted: signal.aborted, reason: signal.reason, status });
      };
      if (ctx.res.closed) report();
      else ctx.res.once('close', report);
    });
    app.use(async (ctx) => {
      if (ctx.path === '/late') {
        // Asks for the signal only after the client has gone: it is aborted from the start.
        enter();
        await once(ctx.res, 'close');
        const signal = clientGoneSignal(ctx);
        if (signal.aborted) throw signal.reason;
        ctx.body = { ok: true };
        return;
      }
      const signal = clientGoneSignal(ctx);
      expect(clientGoneSignal(ctx), 'one signal per request').to.equal(signal);
      enter();
      if (ctx.path === '/wait') {
        await once(signal, 'abort');
        throw signal.reason;
      }
      ctx.body = { ok: true };
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  /** Sends a GET, waits until the handler runs, then closes the connection without reading an answer. */
  async function abandon(path: string): Promise<void> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await entered;
    socket.destroy();
  }

  it('aborts, with a ClientGoneError, when the client closes the connection before its answer', async () => {
    await abandon('/wait');
    const { aborted, reason, status } = await outcome;
    expect(aborted).to.equal(true);
    expect(reason).to.be.instanceOf(ClientGoneError);
    expect(status, "recorded as nginx's 499").to.equal(499);
    expect(logged, 'not logged as an unexpected error').to.deep.equal([]);
  });

  it('is aborted already when asked for after the client has gone', async () => {
    await abandon('/late');
    const { aborted, status } = await outcome;
    expect(aborted).to.equal(true);
    expect(status).to.equal(499);
  });

  it('does not abort for a request that was answered', async () => {
    // Not the service's API, so not through the contract-checked client.
    const response = await sendRaw(`http://127.0.0.1:${port}`, { method: 'GET', path: '/done' });
    expect(response.status).to.equal(200);
    expect(JSON.parse(response.text)).to.deep.equal({ ok: true });
    const { aborted, status } = await outcome;
    expect(aborted).to.equal(false);
    expect(status).to.equal(200);
  });
});
