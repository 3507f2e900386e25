import fc from 'fast-check';
import { METHODS } from 'node:http';
import { bodyPlan, contentEncoding, contentTypePlan, type BodyPlan, type ContentEncoding, type ContentTypePlan } from './bodies.js';
import { percentEncode } from './encoding.js';
import { hostileString } from './values.js';

/** A session_id value: garbage, huge, forged, or the real thing, as is or tampered with. */
export type CookieValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'huge'; readonly unit: string; readonly count: number }
  | { readonly kind: 'forged'; readonly value: string }
  | { readonly kind: 'real'; readonly tamper: 'none' | 'append' | 'truncate' | 'upper' | 'quoted' | 'encoded' | 'spaced' | 'doubled' };
const cookieValue: fc.Arbitrary<CookieValue> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('string' as const), value: hostileString }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      unit: fc.constantFrom('a', '%', '\u00ff', '; ', '=', 'é'),
      count: fc.integer({ min: 100, max: 5000 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('forged' as const), value: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('real' as const),
      // The real thing as is, often: a valid session with a hostile body or path must be refused without a write too.
      tamper: fc.oneof(
        { arbitrary: fc.constant('none' as const), weight: 5 },
        { arbitrary: fc.constantFrom('append', 'truncate', 'upper', 'quoted', 'encoded', 'spaced', 'doubled'), weight: 7 },
      ),
    }),
    weight: 3,
  },
);

type CookiePlan =
  | { readonly type: 'none' }
  | { readonly type: 'session'; readonly value: CookieValue }
  | { readonly type: 'many'; readonly count: number; readonly session: CookieValue | null; readonly at: number }
  | { readonly type: 'syntax'; readonly text: string }
  | { readonly type: 'headers'; readonly values: CookieValue[] };
const BAD_COOKIE_SYNTAX = [
  ';;;=;',
  'session_id',
  '=session_id',
  'session_id=;',
  'session_id="unterminated',
  'session_id=a=b=c',
  ' session_id = x ',
  'session_id=\t',
  'SESSION_ID=x',
  'session_id=x;session_id=y',
  'session_id=%',
  'session_id=%E0%A4%A',
  'session_id=%00',
  '=;=;=',
  'session_id=\u00ff\u00fe',
  '$Version=1; session_id=x; $Path=/',
  ',',
  'session_id=x, session_id=y',
  'session_id="',
  'session_id=""',
  '; session_id=',
  'session_id=\\"',
];
const cookiePlan: fc.Arbitrary<CookiePlan> = fc.oneof(
  { arbitrary: fc.constant({ type: 'none' as const }), weight: 4 },
  { arbitrary: fc.record({ type: fc.constant('session' as const), value: cookieValue }), weight: 5 },
  {
    arbitrary: fc.record({
      type: fc.constant('many' as const),
      count: fc.integer({ min: 2, max: 400 }),
      session: fc.option(cookieValue, { nil: null }),
      at: fc.nat(),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ type: fc.constant('syntax' as const), text: fc.constantFrom(...BAD_COOKIE_SYNTAX) }), weight: 2 },
  {
    arbitrary: fc.record({ type: fc.constant('headers' as const), values: fc.array(cookieValue, { minLength: 2, maxLength: 4 }) }),
    weight: 1,
  },
);

const ROUTES = [
  ['GET', '/'],
  ['POST', '/users'],
  ['DELETE', '/users/me'],
  ['POST', '/sessions'],
  ['DELETE', '/sessions'],
  ['GET', '/sessions'],
  ['DELETE', '/sessions/others'],
  ['DELETE', '/sessions/{id}'],
  ['GET', '/profile'],
  ['PUT', '/password'],
  ['POST', '/reset_password'],
  ['PUT', '/reset_password'],
  ['POST', '/email_verification'],
  ['PUT', '/email_verification'],
  ['PUT', '/email'],
] as const;
// Every method Node's parser accepts, but CONNECT, which asks for a tunnel rather than a resource.
const ALL_METHODS = METHODS.filter((method) => method !== 'CONNECT');
const KNOWN_PATHS = [...new Set(ROUTES.map(([, path]) => path))];
const ODD_PATHS = [
  '/nowhere',
  '/users/',
  '/USERS',
  '//users',
  '/users/..',
  '/./users',
  '/%2e%2e/users',
  '/profile%00',
  '/%',
  '/%zz',
  '/%E0%A4%A',
  '/users?email=a@b.co&password=hunter2hunter2',
  '/profile?session_id=x',
  '/users#x',
  '/users;a=b',
  '/reset_password/',
  '/email_verification/',
  '/EMAIL',
  '/sessions/1',
  '/index.html',
  '/.env',
  '/api/users',
  '/users%2F',
  '/%2Fusers',
  'http://127.0.0.1/users',
  '/users/%2e%2e/profile',
];

/**
 * What `{id}` in `/sessions/{id}` becomes: a session handle of the store's (the one of the cookie's
 * session, another of the user's, another user's, one that ended), as is or tampered with, the raw
 * session token, or a path segment as written (percent-encoding edge cases, `others` look-alikes, long).
 */
export type PathId =
  | {
      readonly kind: 'real';
      readonly which: 'own' | 'sibling' | 'other' | 'dead' | 'token';
      readonly tamper: 'none' | 'encoded' | 'upper' | 'append' | 'truncate' | 'slash';
    }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'encoded'; readonly value: string }
  | { readonly kind: 'long'; readonly unit: string; readonly count: number };
const ODD_IDS = [
  '%',
  '%%',
  '%E0%A4%A',
  '%E0%A4%A4',
  '%zz',
  '%00',
  '%2F',
  'a%2Fb',
  '%2e%2e',
  '..',
  '.',
  'others',
  'OTHERS',
  'others%00',
  'others%20',
  '%6Fthers',
  'me',
  'undefined',
  'null',
  '%24ne',
  '%7B%22%24ne%22%3Anull%7D',
  '*',
  "'%20OR%20'1'%3D'1",
  '%C0%AE',
  '%FF%FE',
  '%EF%BB%BF',
  '%ED%A0%80',
  '+',
  ';',
];
const pathId: fc.Arbitrary<PathId> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('real' as const),
      which: fc.constantFrom('own', 'sibling', 'other', 'dead', 'token'),
      tamper: fc.constantFrom('none', 'none', 'none', 'encoded', 'upper', 'append', 'truncate', 'slash'),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('text' as const), value: fc.constantFrom(...ODD_IDS) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('encoded' as const), value: hostileString }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('long' as const),
      unit: fc.constantFrom('a', '%41', '%', '%E0%A4%A', 'é'),
      count: fc.integer({ min: 44, max: 6000 }),
    }),
    weight: 1,
  },
);

/** A route: `path` may hold `{id}`, which `id` says what to make of when the request is sent. */
interface Route {
  readonly method: string;
  readonly path: string;
  readonly id?: PathId;
}
const withId = ({ method, path }: { method: string; path: string }): fc.Arbitrary<Route> =>
  path.includes('{id}') ? pathId.map((id) => ({ method, path, id })) : fc.constant({ method, path });
const route: fc.Arbitrary<Route> = fc.oneof(
  { arbitrary: fc.constantFrom(...ROUTES).chain(([method, path]) => withId({ method, path })), weight: 12 },
  {
    arbitrary: fc.record({ method: fc.constantFrom(...ALL_METHODS), path: fc.constantFrom(...KNOWN_PATHS) }).chain(withId),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      method: fc.constantFrom(...ALL_METHODS),
      path: fc.oneof(
        fc.constantFrom(...ODD_PATHS),
        hostileString.map((text) => `/${percentEncode(text)}`),
        fc.integer({ min: 100, max: 6000 }).map((length) => `/${'a'.repeat(length)}`),
      ),
    }),
    weight: 2,
  },
);

// Not generated: what Node's HTTP server answers itself, before the app sees the request, with an
// empty body (an Expect other than 100-continue: 417; headers over 16 KiB: 431; unparseable: 400).
const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constant('origin'), fc.constantFrom('http://evil.example', 'null', 'http://127.0.0.1', '')),
  fc.tuple(fc.constant('x-forwarded-for'), fc.constantFrom('1.2.3.4', 'garbage', '', '::1, 10.0.0.1')),
  fc.tuple(fc.constant('accept'), fc.constantFrom('text/html', '*/*', 'application/xml', '')),
);

export interface HostilePlan {
  readonly kind: 'hostile';
  readonly route: Route;
  readonly body: BodyPlan | null;
  readonly contentType: ContentTypePlan;
  readonly contentEncoding: ContentEncoding;
  readonly chunked: boolean;
  readonly cookie: CookiePlan;
  readonly headers: [string, string][];
  readonly target: number;
}
const hostilePlan: fc.Arbitrary<HostilePlan> = fc.record({
  kind: fc.constant('hostile' as const),
  route,
  body: fc.option(bodyPlan, { nil: null, freq: 8 }),
  contentType: contentTypePlan,
  contentEncoding,
  chunked: fc.boolean().chain((on) => (on ? fc.boolean() : fc.constant(false))),
  cookie: cookiePlan,
  headers: fc.oneof(
    { arbitrary: fc.constant<[string, string][]>([]), weight: 5 },
    { arbitrary: fc.array(extraHeader, { minLength: 1, maxLength: 2 }), weight: 1 },
  ),
  target: fc.nat(),
});

const VALID_ACTIONS = [
  'register',
  'register',
  'register',
  'registerTaken',
  'logIn',
  'logIn',
  'logIn',
  'logInWrongPassword',
  'profile',
  'profile',
  'logOut',
  'requestReset',
  'requestReset',
  'resetPassword',
  'resetPassword',
  'resetPasswordTooShort',
  'listSessions',
  'listSessions',
  'endSession',
  'endSession',
  'endSessionNotOwn',
  'endOtherSessions',
  'changePassword',
  'changePassword',
  'changePasswordWrong',
  'changePasswordTooShort',
  'deleteAccount',
  'deleteAccountWrong',
  'registerFreed',
  'deadSession',
  'deadResetToken',
  'requestVerification',
  'verifyEmail',
  'changeEmail',
  'changeEmailWrong',
  'confirmEmailChange',
] as const;
export type ValidAction = (typeof VALID_ACTIONS)[number];
export interface ValidPlan {
  readonly kind: 'valid';
  readonly action: ValidAction;
  readonly as: 'form' | 'json';
  readonly emailStyle: 'plain' | 'upper' | 'spaced';
  /** A password the policy accepts: 8 to 24 printable ASCII characters, then some Unicode. */
  readonly password: string;
  readonly target: number;
  /** How long the clock moves before the request: mostly not at all, sometimes past the interval at which a use of a session is recorded. */
  readonly wait: number;
}
const validPlan: fc.Arbitrary<ValidPlan> = fc.record({
  kind: fc.constant('valid' as const),
  action: fc.constantFrom(...VALID_ACTIONS),
  as: fc.constantFrom('form' as const, 'json' as const),
  emailStyle: fc.constantFrom('plain' as const, 'upper' as const, 'spaced' as const),
  password: fc
    .tuple(
      fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 24 }),
      fc.constantFrom('', '🔑', 'שלום', 'e\u0301', 'ﬃ', 'Ω', '\u202e'),
    )
    .map(([ascii, unicode]) => ascii + unicode),
  target: fc.nat(),
  wait: fc.oneof(
    { arbitrary: fc.constant(0), weight: 30 },
    { arbitrary: fc.integer({ min: 1_000, max: 59_000 }), weight: 1 },
    { arbitrary: fc.integer({ min: 60_000, max: 5 * 60_000 }), weight: 2 },
  ),
});

export type Plan = ValidPlan | HostilePlan;
export const plan: fc.Arbitrary<Plan> = fc.oneof({ arbitrary: validPlan, weight: 1 }, { arbitrary: hostilePlan, weight: 3 });
