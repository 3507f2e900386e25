import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/**
 * A request exactly as written, through node:http rather than fetch, which would normalise it (add a
 * content type, refuse a body on GET, merge repeated headers). One connection per request, so a request
 * that confuses the server cannot affect the next.
 */
export interface RawRequest {
  readonly method: string;
  /** Sent as is: percent-encode anything outside U+0021–U+00FF. */
  readonly path: string;
  /** Values in latin1 (each character one byte); an array value sends the header once per item. */
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked (in two chunks) instead of a Content-Length. */
  readonly chunked?: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as bytes, decoded as UTF-8. */
  readonly text: string;
}

export function sendRaw(baseUrl: string, raw: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers: OutgoingHttpHeaders = { ...raw.headers };
  const body = raw.body ?? Buffer.alloc(0);
  if (raw.chunked === true) headers['transfer-encoding'] = 'chunked';
  else headers['content-length'] = String(body.length);

  return new Promise<RawResponse>((resolve, reject) => {
    let answered = false;
    const req = httpRequest({ host: url.hostname, port: url.port, method: raw.method, path: raw.path, headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    // The server may answer (a 413, say) and close before it has read the whole body: once there is an
    // answer, an error writing the rest is expected.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (raw.chunked === true && body.length > 1) {
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else {
      req.end(body);
    }
  });
}

/** What came back on one raw TCP connection. */
export interface TcpExchange {
  /** Everything the server wrote, in order. */
  readonly bytes: Buffer;
  /** Whether the server closed the connection, rather than the wait running out. */
  readonly closed: boolean;
}

/**
 * Writes `bytes` in one write on a new TCP connection (node:net: no HTTP client in between, so several
 * requests can be pipelined, and anything at all sent), then collects what the server writes back
 * until it closes the connection or `timeoutMs` passes.
 */
export function exchangeBytes(baseUrl: string, bytes: string | Buffer, timeoutMs = 3000): Promise<TcpExchange> {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(bytes);
  return new Promise<TcpExchange>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed: false });
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed: true });
    };
    socket.once('end', done);
    socket.once('close', done);
    // A reset still ends the exchange: what was received is the answer.
    socket.on('error', done);
  });
}

/**
 * The responses a connection carried, in order, each as text (head and body), split by their
 * Content-Length: every response the service writes has one. What follows the last complete response
 * is returned as one more item.
 */
export function splitResponses(bytes: Buffer): string[] {
  const responses: string[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    const length = headEnd === -1 ? undefined : /^content-length:\s*(\d+)\s*$/im.exec(rest.subarray(0, headEnd).toString('latin1'))?.[1];
    if (length === undefined) {
      responses.push(rest.toString('utf8'));
      break;
    }
    const end = headEnd + 4 + Number(length);
    responses.push(rest.subarray(0, end).toString('utf8'));
    rest = rest.subarray(end);
  }
  return responses;
}
