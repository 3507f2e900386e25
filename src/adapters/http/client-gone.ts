import type { ServerResponse } from 'node:http';
import type { Context } from 'koa';
import { ClientGoneError } from '../../domain/errors.js';

const signals = new WeakMap<ServerResponse, AbortSignal>();

/**
 * Aborted when the client closes the connection before its response was sent, so that work queued for it
 * (a bcrypt hash, a fifth of a second at cost 12) is dropped rather than done for nobody. Every call for
 * one request returns the same signal.
 */
export function clientGoneSignal(ctx: Context): AbortSignal {
  const { res } = ctx;
  const known = signals.get(res);
  if (known !== undefined) return known;
  const controller = new AbortController();
  const gone = (): void => {
    if (!res.writableFinished) controller.abort(new ClientGoneError());
  };
  if (res.closed) gone();
  else res.once('close', gone);
  signals.set(res, controller.signal);
  return controller.signal;
}
