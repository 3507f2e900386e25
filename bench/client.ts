/** Single requests for setting up a phase (not measured): registration, log-in. */
import { form, FORM } from './load.js';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** The user of the session-check and log-in phases (bench/baseline-koa.js answers with the same email). */
export const BENCH_USER: Credentials = { email: 'bench-user@bench.example', password: 'correct horse battery staple' };
/**
 * The account the log-in loads log in to, thousands of times: not BENCH_USER, whose session the session
 * checks use and which the service's cap on sessions per user (MAX_SESSIONS_PER_USER) would end.
 */
export const LOAD_USER: Credentials = { email: 'load-user@bench.example', password: 'correct horse battery staple' };

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

/** Asks for a reset token for the user (the default `response` delivery returns it in the body). */
export async function resetToken(url: string, email: string, signal: AbortSignal): Promise<string> {
  const response = await post(url, '/reset_password', { email }, signal);
  const body = (await response.json()) as { reset_token?: unknown };
  if (typeof body.reset_token !== 'string') throw new Error('POST /reset_password returned no reset_token');
  return body.reset_token;
}

/** Runs `task` over `items`, at most `concurrency` at a time. */
export async function inParallel<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
