/** Single requests for setting up a phase (not measured): registration, log-in. */
import { form, FORM } from './load.js';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** The user of the session-check and log-in phases (bench/baseline-koa.js answers with the same email). */
export const BENCH_USER: Credentials = { email: 'bench-user@bench.example', password: 'correct horse battery staple' };

const REQUEST_TIMEOUT_MS = 30_000;

async function post(url: string, path: string, fields: Record<string, string>, signal: AbortSignal): Promise<Response> {
  const response = await fetch(new URL(path, url), {
    method: 'POST',
    headers: FORM,
    body: form(fields),
    signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
  });
  if (response.status !== 200) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  return response;
}

export async function register(url: string, user: Credentials, signal: AbortSignal): Promise<void> {
  await (await post(url, '/users', { ...user }, signal)).arrayBuffer();
}

/** Logs in and returns the Cookie header value that carries the new session. */
export async function logIn(url: string, user: Credentials, signal: AbortSignal): Promise<string> {
  const response = await post(url, '/sessions', { ...user }, signal);
  await response.arrayBuffer();
  const cookie = response.headers.getSetCookie().find((header) => header.startsWith('session_id='));
  if (cookie === undefined) throw new Error('POST /sessions set no session_id cookie');
  return cookie.split(';')[0] ?? '';
}
