import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { extraKey, fields, formFields, formKey, hString, hValue, hostileString, type Field, type HString, type HValue } from './values.js';

// What a hostile request carries: its body, and the headers that say how to read it.

/**
 * The body limit of the server (src/app/http-server.ts), written out again rather than imported: this
 * test's own, so that generated sizes straddle it and the 413 must name it.
 */
export const BODY_LIMIT_BYTES = 16 * 1024;

export type BodyPlan =
  | {
      readonly type: 'json-object';
      readonly fields: Partial<Record<Field, HValue | undefined>>;
      readonly extra: [string, HValue][];
      readonly extraFirst: boolean;
    }
  | { readonly type: 'json-value'; readonly value: HValue }
  | { readonly type: 'json-text'; readonly text: string }
  | { readonly type: 'json-truncated'; readonly fields: Partial<Record<Field, HValue | undefined>>; readonly cut: number }
  | { readonly type: 'json-deep'; readonly open: string; readonly depth: number }
  | {
      readonly type: 'form';
      readonly fields: [string, HString][];
      readonly extra: [string, HString][];
      readonly extraFirst: boolean;
      readonly style: 'encoded' | 'raw' | 'semicolons';
    }
  | { readonly type: 'form-text'; readonly text: string }
  | { readonly type: 'oversized'; readonly as: 'json' | 'form'; readonly bytes: number; readonly unit: string }
  | { readonly type: 'bytes'; readonly bytes: Uint8Array };

const INVALID_JSON = [
  '{',
  '}',
  '{"email":',
  '{"email": "a@b.co",}',
  "{'email': 'a@b.co'}",
  '{email: "a@b.co"}',
  'NaN',
  'undefined',
  '{"email": NaN}',
  '{"email": "\\x00"}',
  '{"email": "\\u12"}',
  '{"email": "a"} trailing',
  '{"a":1}{"b":2}',
  '\uFEFF{"email": "a@b.co"}',
  '/* c */ {}',
  '{"email": "line\nbreak"}',
  '{"__proto__": {"email": "a@b.co"}}',
  '[1, 2',
  '"just a string',
  '{"email": 01}',
  '\0',
  ' ',
  'true',
  'null',
  '1e999999',
  '{"a": -}',
  '{"":""}',
  '{"email": "\ud800"}',
];

export const bodyPlan: fc.Arbitrary<BodyPlan> = fc.oneof(
  {
    arbitrary: fc.record({
      type: fc.constant('json-object' as const),
      fields,
      extra: fc.array(fc.tuple(extraKey, hValue), { maxLength: 3 }),
      extraFirst: fc.boolean(),
    }),
    weight: 10,
  },
  { arbitrary: fc.record({ type: fc.constant('json-value' as const), value: hValue }), weight: 2 },
  {
    arbitrary: fc.record({
      type: fc.constant('json-text' as const),
      text: fc.oneof(fc.constantFrom(...INVALID_JSON), fc.string({ unit: 'binary', maxLength: 30 })),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ type: fc.constant('json-truncated' as const), fields, cut: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant('json-deep' as const),
      open: fc.constantFrom('[', '{"a":'),
      depth: fc.integer({ min: 100, max: 5000 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('form' as const),
      fields: formFields,
      extra: fc.array(fc.tuple(formKey, hString), { maxLength: 3 }),
      extraFirst: fc.boolean(),
      style: fc.constantFrom('encoded', 'encoded', 'raw', 'semicolons'),
    }),
    weight: 8,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('form-text' as const),
      text: fc.oneof(
        fc.constantFrom(
          '&&&',
          '=',
          '==',
          '&=&',
          'email',
          'email=',
          '=x',
          '%',
          'a=%zz',
          'email=%E0%A4%A',
          '+=+',
          `${'a=1&'.repeat(1500)}`,
          `a${'[a]'.repeat(2000)}=1`,
        ),
        fc.string({ unit: 'binary', maxLength: 60 }),
      ),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('oversized' as const),
      as: fc.constantFrom('json' as const, 'form' as const),
      bytes: fc.oneof(
        fc.integer({ min: BODY_LIMIT_BYTES - 64, max: BODY_LIMIT_BYTES + 64 }),
        fc.integer({ min: BODY_LIMIT_BYTES + 1, max: 4 * BODY_LIMIT_BYTES }),
      ),
      unit: fc.constantFrom('x', 'é', '🔥', '\0', '%', '&'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ type: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 2000 }) }), weight: 1 },
);

/** Which Content-Type header goes with a body: the one that fits it, the other one, another, or none. */
export type ContentTypePlan =
  { readonly mode: 'fitting' | 'swapped' | 'omitted' } | { readonly mode: 'literal'; readonly values: string[] };
const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json; charset=UTF-16',
  'application/json; charset=latin1',
  'application/json; charset=bogus',
  'APPLICATION/JSON',
  'Application/X-WWW-Form-Urlencoded',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'application/x-www-form-urlencoded; charset=bogus',
  'application/json;;',
  'application/json; =',
  'application/json, application/x-www-form-urlencoded',
  'application/vnd.api+json',
  'application/json-patch+json',
  'application/csp-report',
  'text/plain',
  'text/plain; charset=utf-8',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/xml',
  'text/html',
  '*/*',
  'application/*',
  'json',
  'form',
  '',
  ';;;',
  'application/json\u00ff',
  ' application/json ',
  'application/x-www-form-urlencoded\t',
];
export const contentTypePlan: fc.Arbitrary<ContentTypePlan> = fc.oneof(
  { arbitrary: fc.constant({ mode: 'fitting' as const }), weight: 12 },
  { arbitrary: fc.constant({ mode: 'swapped' as const }), weight: 2 },
  { arbitrary: fc.constant({ mode: 'omitted' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      mode: fc.constant('literal' as const),
      values: fc.array(fc.oneof(fc.constantFrom(...CONTENT_TYPES), hostileString), { minLength: 1, maxLength: 2 }),
    }),
    weight: 3,
  },
);

const CONTENT_ENCODINGS = [
  'gzip',
  'gzip-corrupt',
  'gzip-truncated',
  'gzip-bomb',
  'deflate',
  'deflate-corrupt',
  'br',
  'br-corrupt',
  'identity',
  'bogus',
  'gzip, gzip',
  'GZIP',
] as const;
export type ContentEncoding = (typeof CONTENT_ENCODINGS)[number] | 'none';
// 1 MiB of one byte: about 1 KiB compressed, far over the body limit once inflated.
export const GZIP_BOMB = gzipSync(Buffer.alloc(1024 * 1024, 'a'));
export const contentEncoding: fc.Arbitrary<ContentEncoding> = fc.oneof(
  { arbitrary: fc.constant('none' as const), weight: 20 },
  { arbitrary: fc.constantFrom(...CONTENT_ENCODINGS), weight: 3 },
);
