import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

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
