import { z } from 'zod';
import 'zod-openapi';
import { InvalidInputError } from '../../domain/errors.js';

// The reasons an InvalidInputError gives for a field the body does not carry as a well-formed string.
const REQUIRED = 'is required';
const NOT_A_STRING = 'must be a string';
const NOT_WELL_FORMED = 'must be well-formed Unicode (no lone surrogates)';
const NOT_AN_OBJECT = 'must be a form or a JSON object';

/**
 * A body field that must be a string. Nested form syntax (email[$ne]=x), repeated keys and JSON objects,
 * arrays, numbers, booleans, null and ill-formed Unicode all end here as a 400, before anything reaches a
 * store. Emptiness and shape are the domain's rules, checked by the use case.
 */
export function stringField(meta: z.core.GlobalMeta): z.ZodString {
  return (
    z
      .string({ error: (issue) => (issue.input === undefined ? REQUIRED : NOT_A_STRING) })
      // JSON can carry lone surrogates ("\ud800"), which every encoder turns into U+FFFD: two different
      // passwords would become the same one. Refused here, for every field, before any rule sees them.
      .refine((value) => (value as string & { isWellFormed(): boolean }).isWellFormed(), { error: NOT_WELL_FORMED })
      .meta(meta)
  );
}

/** A request body: the fields a route reads, each under its name on the wire and its name in the domain. */
export interface RequestFields<Input extends Record<string, string>> {
  /** The body as the wire has it, for the document. */
  readonly schema: z.ZodObject;
  /** The fields under the domain's names, or the InvalidInputError of the first field (in order) that is wrong. */
  parse(body: unknown): Input;
  /** An InvalidInputError about a domain field, reworded with the field's wire name; anything else as it is. */
  onWire(error: unknown): unknown;
}

/**
 * The one home of a route's field names: `fields` maps each domain name to its wire name and schema.
 * Only this adapter knows the wire's names (`reset_token`); the use cases speak their own (`resetToken`).
 */
export function requestFields<Input extends Record<string, string>>(
  fields: { readonly [K in keyof Input]: readonly [wire: string, schema: z.ZodString] },
  meta: z.core.GlobalMeta,
): RequestFields<Input> {
  const entries = Object.entries(fields) as Array<[keyof Input & string, readonly [string, z.ZodString]]>;
  const schema = z.object(Object.fromEntries(entries.map(([, [wire, field]]) => [wire, field]))).meta(meta);
  const wireNames = new Map(entries.map(([domain, [wire]]) => [domain, wire]));
  return {
    schema,
    parse(body) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError('body', NOT_AN_OBJECT);
      // Own fields only: never one a prototype provides.
      const own = Object.fromEntries(
        entries.map(([, [wire]]) => [wire, Object.hasOwn(body, wire) ? (body as Record<string, unknown>)[wire] : undefined]),
      );
      const result = schema.safeParse(own);
      if (!result.success) {
        // Issues come in the order of the fields: the first wrong field is the one reported.
        const [issue] = result.error.issues;
        throw new InvalidInputError(String(issue?.path[0] ?? 'body'), issue?.message ?? NOT_AN_OBJECT);
      }
      const data = result.data as Record<string, string>;
      return Object.fromEntries(entries.map(([domain, [wire]]) => [domain, data[wire]])) as Input;
    },
    onWire(error) {
      if (!(error instanceof InvalidInputError)) return error;
      const wire = wireNames.get(error.field);
      return wire === undefined || wire === error.field ? error : new InvalidInputError(wire, error.reason);
    },
  };
}
