import http, { type IncomingHttpHeaders } from 'node:http';
import { formBody, type Form } from './http-client.js';

/**
 * A client on node:http with an Agent of the caller's, so a test decides how many connections there are
 * and whether they are kept alive (fetch pools connections by itself). Made for load and shutdown tests.
 */
export interface AgentReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
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
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, receivedAt: Date.now() });
      });
    });
    req.on('error', reject);
    req.end(body);
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

/** The session_id cookie a reply sets, or undefined. */
export function sessionCookieFrom(reply: AgentReply): string | undefined {
  for (const header of reply.headers['set-cookie'] ?? []) {
    const match = /^session_id=([^;]*)/.exec(header);
    if (match) return match[1];
  }
  return undefined;
}
