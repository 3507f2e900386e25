import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// Generated values. Strings that must reach the service as they are (header values, paths) are
// encoded at the last moment; what is generated is what a hostile client would want to say.

/** A stand-in for a value of the live store (a registered email, a session token…), resolved when sent. */
export type RealKind = 'email' | 'EMAIL' | 'otherEmail' | 'password' | 'resetToken' | 'session';
export class Real {
  constructor(readonly kind: RealKind) {}
  [fc.toStringMethod](): string {
    return `Real(${this.kind})`;
  }
}
export type HString = string | Real;
export type HValue = HString | number | boolean | null | HValue[] | { [key: string]: HValue };

const NASTY_STRINGS = [
  '',
  ' ',
  '\t\r\n',
  '\0',
  'a\0b',
  'bob@example.com\0',
  '\0@example.com',
  '\u202eevil@example.com',
  'مرحبا@example.com',
  'שלום עולם',
  'e\u0301\u0301\u0301\u0301',
  'Z\u0364\u0354\u0367\u0311a\u0308\u0356\u036dl\u036e\u0312g\u0308\u0317o\u0319\u0354',
  '🔥',
  '👩‍👩‍👧‍👦',
  '𝕒𝕕𝕞𝕚𝕟@example.com',
  '\uD800',
  '\uDFFF\uD800',
  '\uFEFF',
  '\u200B',
  'ﬃ',
  'İ@example.com',
  'ß@EXAMPLE.COM',
  '\u212A@example.com',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  'NaN',
  '[object Object]',
  '{"$ne":null}',
  '{"$gt":""}',
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '+',
  '&',
  '=',
  'a=b&c=d',
  'email[$ne]=x',
  '${7*7}',
  '{{7*7}}',
  '\\',
  '"',
  "'",
  '`',
  'x@y',
  '@',
  'a@',
  '@b.co',
  'a@b@c.de',
  'a..b@c.de',
  '.a@b.co',
  'a@-b.co',
  'a@b-.co',
  ' A@B.CO ',
  'correct horse battery',
  'short',
  '1234567',
];
const OPERATORS = ['$ne', '$gt', '$gte', '$lt', '$regex', '$where', '$exists', '$in', '$nin', '$or', '$expr', '$elemMatch', '$type'];
export const FIELDS = ['email', 'password', 'current_password', 'new_password', 'reset_token', 'new_email', 'verification_token'] as const;
export type Field = (typeof FIELDS)[number];

const longString = fc
  .tuple(fc.constantFrom('a', 'é', '🔥', '\u202e', '\0', 'x@example.com', 'e\u0301', '%', 'A'), fc.integer({ min: 60, max: 4000 }))
  .map(([unit, count]) => unit.repeat(count));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 5 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.emailAddress(), weight: 2 },
  { arbitrary: longString, weight: 1 },
);
const realValue = fc
  .constantFrom<RealKind>('email', 'EMAIL', 'otherEmail', 'password', 'resetToken', 'session')
  .map((kind) => new Real(kind));
export const hString: fc.Arbitrary<HString> = fc.oneof({ arbitrary: hostileString, weight: 5 }, { arbitrary: realValue, weight: 1 });

const operatorObject: fc.Arbitrary<HValue> = fc
  .tuple(
    fc.constantFrom(...OPERATORS),
    fc.oneof(
      fc.constant(''),
      fc.constant(null),
      fc.constant('.*'),
      fc.constant(1),
      fc.boolean(),
      fc.array(hString, { maxLength: 3 }),
      hString,
    ),
  )
  .map(([operator, operand]) => ({ [operator]: operand }));

/** A value where a string belongs: mostly strings, then every wrong JSON type and operator objects. */
export const hValue: fc.Arbitrary<HValue> = fc.oneof(
  { arbitrary: hString, weight: 8 },
  { arbitrary: operatorObject, weight: 3 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(-0), fc.constant(1e308)), weight: 1 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.array(hString, { maxLength: 4 }), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<HValue>, weight: 1 },
  { arbitrary: fc.dictionary(fc.constantFrom('email', '$ne', '0', 'length', 'toString'), hString, { maxKeys: 3 }), weight: 1 },
);

/** Something close to what the field should hold, so that validation gets past the first field. */
function plausible(field: Field): fc.Arbitrary<HString> {
  switch (field) {
    case 'email':
      return fc.oneof(
        fc.constant(new Real('email')),
        fc.constant(new Real('EMAIL')),
        fc.constant(new Real('otherEmail')),
        fc.constant('nobody@example.com'),
      );
    case 'password':
      return fc.oneof(fc.constant(new Real('password')), fc.constant('correct horse battery'));
    case 'current_password':
      return fc.oneof(fc.constant(new Real('password')), fc.constant('correct horse battery'), fc.constant('short'));
    case 'new_password':
      return fc.oneof(fc.constant('a brand new password'), fc.constant(new Real('password')));
    case 'reset_token':
      return fc.oneof(fc.constant(new Real('resetToken')), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.constant(new Real('session')));
    case 'new_email':
      return fc.oneof(fc.constant(new Real('otherEmail')), fc.constant(new Real('EMAIL')), fc.constant('nobody@example.com'));
    case 'verification_token':
      return fc.oneof(fc.constant(new Real('resetToken')), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.constant(new Real('session')));
  }
}

const fieldValue = (field: Field): fc.Arbitrary<HValue> =>
  fc.oneof({ arbitrary: plausible(field), weight: 4 }, { arbitrary: hValue, weight: 3 });
export const fields = fc.record(
  Object.fromEntries(FIELDS.map((field) => [field, fc.option(fieldValue(field), { nil: undefined, freq: 6 })])) as Record<
    Field,
    fc.Arbitrary<HValue | undefined>
  >,
);

const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  '$where',
  'Email',
  'email ',
  '',
  'email\0',
  'emai\u0301l',
  '0',
];
export const extraKey = fc.oneof(fc.constantFrom(...FIELDS), fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 8 }));

/** How a form names a field: plainly, or with qs's nested, array and prototype syntaxes (email[$ne]=x). */
const formKeyFor = (field: string): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constant(field), weight: 9 },
    {
      arbitrary: fc
        .constantFrom(
          '[$ne]',
          '[$gt]',
          '[$regex]',
          '[]',
          '[0]',
          '[1]',
          '[25]',
          '[a][b]',
          '[__proto__]',
          '[constructor]',
          '.x',
          '[',
          ']',
          '[[]]',
          '%5B%24ne%5D',
        )
        .map((suffix) => field + suffix),
      weight: 3,
    },
    { arbitrary: fc.constantFrom(`__proto__[${field}]`, `constructor[prototype][${field}]`), weight: 1 },
  );
export const formKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...FIELDS).chain(formKeyFor),
  fc.string({ unit: 'binary', maxLength: 10 }),
);
const formFieldValue = (field: Field): fc.Arbitrary<HString> =>
  fc.oneof({ arbitrary: plausible(field), weight: 4 }, { arbitrary: hString, weight: 3 });
/** One entry per field (some left out), in any key syntax; repeated keys come from the extra entries. */
export const formFields: fc.Arbitrary<[string, HString][]> = fc
  .tuple(...FIELDS.map((field) => fc.option(fc.tuple(formKeyFor(field), formFieldValue(field)), { nil: undefined, freq: 6 })))
  .map((entries) => entries.filter((entry) => entry !== undefined));
