import type { Context } from 'koa';

/** More than anyone lists; a header with hundreds of entries is not worth sorting for a message's language. */
const MAX_LANGUAGES = 10;

/**
 * The languages of the request's Accept-Language, most preferred first (`*` and refused ones left out):
 * what a message it causes is written in, when the templates have one of them (see MAIL_LOCALE).
 */
export function requestLanguages(ctx: Context): readonly string[] {
  const header = ctx.get('Accept-Language');
  if (header === '') return [];
  return ctx
    .acceptsLanguages()
    .filter((language) => language !== '*')
    .slice(0, MAX_LANGUAGES);
}
