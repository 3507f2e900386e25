import type { Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { bodyTooLargeMessage, CataloguedHttpError } from './error-catalogue.js';

/**
 * The service's body limit, which its OpenAPI document states: small enough that a request body can
 * never be a memory problem, large enough for any real form.
 */
export const BODY_LIMIT_BYTES = 16 * 1024;

const SUPPORTED_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

function translateParseError(error: unknown, limitBytes: number, isJson: boolean, isCompressed: boolean): Error {
  const { status, errno } = error as { status?: unknown; errno?: unknown };
  // Our own messages only: a parser's message may quote the body, which may hold a password.
  if (status === 413) return new CataloguedHttpError('body_too_large', bodyTooLargeMessage(limitBytes));
  if (status === 415) return new CataloguedHttpError('unsupported_body_encoding');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new CataloguedHttpError(isJson ? 'malformed_json' : 'malformed_form');
  }
  // A gzip, deflate or br body that does not decompress: zlib's error (Z_DATA_ERROR, Z_BUF_ERROR…)
  // comes through the parser as is, with an errno and no status.
  if (isCompressed && status === undefined && typeof errno === 'number') {
    return new CataloguedHttpError('undecompressable_body');
  }
  return error instanceof Error ? error : new Error('body parser failed');
}

/** Parses a form-encoded or JSON body of at most `limitBytes`; anything else is a 415. */
export function parseRequestBody(limitBytes: number): Middleware {
  const parse = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: limitBytes.toString(),
    formLimit: limitBytes.toString(),
    strict: true,
  });
  const noop = async (): Promise<void> => {};
  return async (ctx, next) => {
    // An empty POST is a request with missing fields (400), not one of an unsupported type.
    const hasContent = ctx.get('transfer-encoding') !== '' || (ctx.request.length ?? 0) > 0;
    if (hasContent && ctx.is(SUPPORTED_TYPES) === false) {
      throw new CataloguedHttpError('unsupported_content_type');
    }
    try {
      await parse(ctx, noop);
    } catch (error) {
      const encoding = ctx.get('content-encoding').trim().toLowerCase();
      throw translateParseError(error, limitBytes, ctx.is('application/json') !== false, encoding !== '' && encoding !== 'identity');
    }
    await next();
  };
}
