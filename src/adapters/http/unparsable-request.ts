import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { securityHeaders } from './security-headers.js';

/**
 * For Node's `clientError`: what Node cannot parse into a request (a bad request line, headers over
 * 16 KiB, a request that took too long) never reaches Koa, and Node would answer with an empty body.
 * This answers in JSON, with the same security headers and a request id, like every other response.
 */
export function unparsableRequestHandler(https: boolean): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  const headers = securityHeaders(https)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ message: (STATUS_CODES[status] ?? 'bad request').toLowerCase() });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${randomUUID()}\r\n${headers}Connection: close\r\n\r\n${body}`,
    );
  };
}
