import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE, errorBody, type HttpErrorCode } from './error-catalogue.js';
import { securityHeaders } from './security-headers.js';

/**
 * Resolves once every request received in full on the connection has been answered: to true if the
 * connection can then take one more answer, false if a response to the bad request itself has begun
 * and another would cut into it.
 */
export type AnswersOwed = (socket: Duplex) => Promise<boolean>;

/** For a server that tracks no responses: nothing is ever owed. */
const nothingOwed: AnswersOwed = async () => true;

// How long a connection we have answered and ended may stay half-open, waiting for the client to close
// its side: Node no longer tracks it (a CONNECT's), so a graceful stop would otherwise wait on the client.
const LINGER_MS = 5000;

/**
 * Writes the last answer of a connection that Node, not Koa, has to answer: JSON, with the same
 * security headers and a request id as every other response, and `Connection: close`. The answers the
 * connection still owes to earlier, complete requests (pipelined) go first: a bad request must not
 * take the place of a good one's answer, whose effects (a session, say) have happened.
 */
function lastAnswerWriter(https: boolean, answersOwed: AnswersOwed): (socket: Duplex, code: HttpErrorCode) => void {
  const headers = securityHeaders(https)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  // Node may report several errors on one connection (each chunk after a parse error, a timeout): one answer.
  const answering = new WeakSet<Duplex>();
  return (socket, code) => {
    if (answering.has(socket)) return;
    answering.add(socket);
    void answersOwed(socket).then(
      (free) => {
        if (!free || !socket.writable) {
          socket.destroy();
          return;
        }
        const { status } = ERROR_CATALOGUE[code];
        const body = JSON.stringify(errorBody(code));
        socket.end(
          `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
            'Content-Type: application/json; charset=utf-8\r\n' +
            `Content-Length: ${Buffer.byteLength(body)}\r\n` +
            `X-Request-Id: ${randomUUID()}\r\n${headers}Connection: close\r\n\r\n${body}`,
        );
        const linger = setTimeout(() => socket.destroy(), LINGER_MS);
        linger.unref();
        socket.once('close', () => clearTimeout(linger));
      },
      () => socket.destroy(),
    );
  };
}

/**
 * For Node's `clientError`: what Node cannot parse into a request (a bad request line, headers over
 * 16 KiB, a request that took too long) never reaches Koa, and Node would answer with an empty body.
 */
export function unparsableRequestHandler(
  https: boolean,
  answersOwed: AnswersOwed = nothingOwed,
): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  const answer = lastAnswerWriter(https, answersOwed);
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    answer(
      socket,
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers_too_large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'request_timeout'
          : 'unparsable_request',
    );
  };
}

/**
 * For Node's `connect`: CONNECT asks a proxy for a tunnel, and this service is no proxy. Unheard, Node
 * drops the connection without a word. A 400 rather than a 405: its target (`host:port`) names no
 * resource of this service, so there is none whose methods an Allow header could list.
 */
export function connectRequestHandler(
  https: boolean,
  answersOwed: AnswersOwed = nothingOwed,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const answer = lastAnswerWriter(https, answersOwed);
  return (_req, socket) => {
    // Node has handed the connection over with its listeners removed: a reset must not be an uncaught error.
    socket.on('error', () => socket.destroy());
    // Read and drop whatever the client sends for its tunnel, so that closing sends no reset.
    socket.resume();
    answer(socket, 'connect_not_supported');
  };
}
