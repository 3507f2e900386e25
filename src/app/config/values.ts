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

export function writeConcern() {
  return z
    .string()
    .regex(/^(majority|[1-9]\d?)$/, { error: 'must be majority or a number of members from 1 to 99' })
    .transform((value) => (value === 'majority' ? value : Number(value)));
}
