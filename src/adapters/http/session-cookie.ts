import type { Context } from 'koa';
import { stringifySetCookie } from 'cookie';

export const SESSION_COOKIE = 'session_id';

export interface SessionCookieOptions {
  readonly secure: boolean;
  readonly maxAgeSeconds: number;
}

export function readSessionToken(ctx: Context): string {
  return ctx.cookies.get(SESSION_COOKIE) ?? '';
}

export function setSessionCookie(ctx: Context, token: string, options: SessionCookieOptions): void {
  // Written by hand rather than with ctx.cookies.set, which refuses Secure cookies when TLS ends at a proxy.
  ctx.append(
    'Set-Cookie',
    stringifySetCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: options.secure,
      maxAge: options.maxAgeSeconds,
    }),
  );
}

export function clearSessionCookie(ctx: Context, options: Pick<SessionCookieOptions, 'secure'>): void {
  ctx.append(
    'Set-Cookie',
    stringifySetCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', secure: options.secure, maxAge: 0 }),
  );
}
