import { z } from 'zod';

/** What the README's configuration table says of a variable; the table is generated from it. */
export interface VariableDoc {
  /** The value used when the variable is unset or empty, as it would be written in the environment. */
  readonly fallback?: string;
  /** The default column when it is not simply the fallback (a computed one, or Node's own). */
  readonly shownDefault?: string;
  /** The meaning column, in markdown. */
  readonly meaning: string;
}

/** Every variable's documentation, keyed by its schema: the one home of what the README says of it. */
export const variableDocs = z.registry<VariableDoc>();

type StringSchema = z.ZodType<unknown, string>;

/**
 * One environment variable: its value schema, defaulted to `doc.fallback` (validated like any value
 * given) or optional, and registered with its documentation.
 */
export function variable<S extends StringSchema>(
  value: S,
  doc: VariableDoc & { fallback: string },
): z.ZodPipe<z.ZodDefault<z.ZodString>, S>;
export function variable<S extends StringSchema>(value: S, doc: VariableDoc & { fallback?: undefined }): z.ZodOptional<S>;
export function variable<S extends StringSchema>(value: S, doc: VariableDoc): z.ZodType {
  const schema = doc.fallback === undefined ? value.optional() : z.string().default(doc.fallback).pipe(value);
  variableDocs.add(schema, doc);
  return schema;
}
