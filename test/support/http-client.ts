import { expect } from 'chai';
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { apiContract, fetchHeaders } from './openapi-contract.js';

/**
 * How tests speak HTTP to the service, in three ways for three needs:
 * - `request` / `clientFor`: fetch, for the API as a browser would use it; every response is checked
 *   against the OpenAPI document (test/support/openapi-contract.ts).
 * - `agentRequest`: node:http with an Agent of the caller's, for tests that decide how many connections
 *   there are and whether they are kept alive (load, shutdown).
 * - `sendRaw` / `exchangeBytes`: a request exactly as written, or bytes on a bare socket, for malformed input.
 */

// ---------------------------------------------------------------------------------------------
// fetch, checked against the contract.

/** A response to `request`; one that does not match the contract makes the request throw, naming the mismatch. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly setCookies: string[];
}

export type Form = Record<string, string | string[]>;

export interface RequestOptions {
  readonly form?: Form;
  readonly json?: unknown;
  readonly raw?: { readonly body: string; readonly contentType: string };
  readonly cookie?: string;
  readonly headers?: Record<string, string>;
}

export function formBody(form: Form): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  return params.toString();
}

export async function request(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = formBody(options.form);
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.raw !== undefined) {
    headers['content-type'] = options.raw.contentType;
    body = options.raw.body;
  }
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  const url = new URL(path, baseUrl);
  const response = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  apiContract().check({
    method,
    path: url.pathname + url.search,
    status: response.status,
    headers: fetchHeaders(response.headers),
    body: text,
  });
  let parsed: unknown = text;
  if (text !== '' && (response.headers.get('content-type') ?? '').startsWith('application/json')) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed, setCookies: response.headers.getSetCookie() };
}

/** The value of the session_id cookie a reply (of `request` or `agentRequest`) sets, or undefined. */
export function sessionCookieOf(reply: { readonly setCookies: readonly string[] }): string | undefined {
  for (const header of reply.setCookies) {
    const match = /^session_id=([^;]*)/.exec(header);
    if (match) return match[1];
  }
  return undefined;
}

/** A client bound to one server, for readable tests. */
export function clientFor(baseUrl: string) {
  return {
    get: (path: string, options?: RequestOptions) => request(baseUrl, 'GET', path, options),
    post: (path: string, options?: RequestOptions) => request(baseUrl, 'POST', path, options),
    put: (path: string, options?: RequestOptions) => request(baseUrl, 'PUT', path, options),
    delete: (path: string, options?: RequestOptions) => request(baseUrl, 'DELETE', path, options),
    send: (method: string, path: string, options?: RequestOptions) => request(baseUrl, method, path, options),
  };
}

export type Client = ReturnType<typeof clientFor>;

// ---------------------------------------------------------------------------------------------
// node:http with the caller's Agent: fetch pools connections by itself. Not checked against the
// contract: these tests are about connections and timing, and their requests are the ordinary ones.

export interface AgentReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly setCookies: string[];
  /** When the whole body had arrived (Date.now()). */
  readonly receivedAt: number;
}

export interface AgentRequest {
  readonly form?: Form;
  readonly cookie?: string;
}

export function agentRequest(
  agent: http.Agent,
  baseUrl: string,
  method: string,
  path: string,
  options: AgentRequest = {},
): Promise<AgentReply> {
  const body = options.form === undefined ? undefined : formBody(options.form);
  const headers: Record<string, string> = {};
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  return new Promise<AgentReply>((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const declared = res.headers['content-length'];
        if (declared !== undefined && Number(declared) !== Buffer.byteLength(text)) {
          reject(new Error(`incomplete body: ${Buffer.byteLength(text)} of ${declared} bytes`));
          return;
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          setCookies: res.headers['set-cookie'] ?? [],
          receivedAt: Date.now(),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends a form request and hangs up after `afterMs` unless the answer's head came first: a client gone
 * before its answer. Resolves either way, and on a connection error too: nothing is to be read.
 */
export function abandonedRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: { form: Form; headers?: Record<string, string> },
  afterMs: number,
): Promise<void> {
  return new Promise((resolve) => {
    const body = formBody(options.form);
    const req = http.request(new URL(path, baseUrl), {
      method,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...options.headers },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.end(body);
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

/** The JSON body of a reply (throws, with the text, when it is not JSON). */
export function jsonOf(reply: AgentReply): unknown {
  try {
    return JSON.parse(reply.text);
  } catch {
    throw new Error(`not JSON (status ${reply.status}): ${reply.text.slice(0, 200)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Raw requests, for malformed input; not checked here, since what was sent is not what the contract
// describes: callers check what they can (checkRawExchange, or apiContract().check).

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
    const req = http.request({ host: url.hostname, port: url.port, method: raw.method, path: raw.path, headers, agent: false }, (res) => {
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
  const socket = net.connect(Number(url.port), url.hostname);
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

/** Whether a new TCP connection to the service is refused (ECONNREFUSED) rather than accepted. */
export async function connectionRefused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  try {
    await once(socket, 'connect');
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return true;
    throw error;
  } finally {
    socket.destroy();
  }
}

/** An error reply with this status and stable `code`, and a body of exactly `code` and `message`. */
export function expectErrorCode(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: (reply.body as { code?: string }).code }, JSON.stringify(reply.body)).to.deep.equal({
    status,
    code,
  });
  expect(reply.body).to.have.all.keys('code', 'message');
}
