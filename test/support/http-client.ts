import { apiContract, fetchHeaders } from './openapi-contract.js';

/**
 * A thin client over Node's fetch for the service's form-encoded API. Every response it receives is
 * checked against the OpenAPI document (test/support/openapi-contract.ts): one that does not match
 * makes the request throw, naming the method, path, status and the mismatch.
 */
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
  apiContract().check({ method, path: url.pathname + url.search, status: response.status, headers: fetchHeaders(response.headers), body: text });
  let parsed: unknown = text;
  if (text !== '' && (response.headers.get('content-type') ?? '').startsWith('application/json')) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed, setCookies: response.headers.getSetCookie() };
}

/** The value of the session_id cookie a reply sets, or undefined. */
export function sessionCookieOf(reply: Reply): string | undefined {
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
