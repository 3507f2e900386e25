import { z } from 'zod';

/** A whole number from `min` to `max`, digits only: no sign, no fraction, no exponent, no spaces. */
export function integer(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.string().regex(/^\d+$/, { error }).pipe(z.coerce.number<string>().min(min, { error }).max(max, { error }));
}

/** Exactly `true` or `false`, as written in the README: not `1`, `yes` or `TRUE`. */
export function boolean() {
  return z.stringbool({ truthy: ['true'], falsy: ['false'], case: 'sensitive', error: 'must be true or false' });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of: ${values.join(', ')}` });
}

export function databaseName() {
  return z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'must be 1 to 63 letters, digits, _ or -' });
}

/** A PostgreSQL schema name as written unquoted: lower-case letters, digits and _, at most 63 bytes. */
export function schemaName() {
  return z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be 1 to 63 lower-case letters, digits or _, not starting with a digit' });
}

/** A file path: not empty, no NUL byte (the one character no file system takes). */
export function filePath() {
  return z.string().regex(/^[^\0]+$/, { error: 'must be a file path' });
}

export function writeConcern() {
  return z
    .string()
    .regex(/^(majority|[1-9]\d?)$/, { error: 'must be majority or a number of members from 1 to 99' })
    .transform((value) => (value === 'majority' ? value : Number(value)));
}
