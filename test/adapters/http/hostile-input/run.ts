import { expect } from 'chai';
import fc from 'fast-check';
import { request, sendRaw } from '../../../support/http-client.js';
import { ContractViolation, apiContract } from '../../../support/openapi-contract.js';
import type { WriteRecorder } from '../../../support/recording-repositories.js';
import { InvalidResetTokenError, InvalidSessionError, SessionNotFoundError, WrongPasswordError } from '../../../../src/domain/errors.js';
import type { ManualClock } from '../../../support/manual-clock.js';
import { percentEncode } from './encoding.js';
import { World, dueForSeen, styled, type ModelSession, type ModelUser } from './model.js';
import { plan, type HostilePlan, type PathId, type ValidAction, type ValidPlan } from './plans.js';
import type { HString } from './values.js';
import { REPLY_PROPERTIES, describeExchange, fromReply, type Exchange, type ReplyProperty } from './properties.js';
import { rawRequestFor } from './raw-request.js';

/** The session lifetimes the test server runs with: the defaults (SESSION_TTL 14d, SESSION_IDLE_TTL 24h). */
const SESSION_TTL_MS = 14 * 24 * 60 * 60_000;
const SESSION_IDLE_TTL_MS = 24 * 60 * 60_000;

/** Where a dead session token is tried: every route that wants a session. */
const DEAD_SESSION_ROUTES = [
  ['GET', '/profile'],
  ['GET', '/sessions'],
  ['DELETE', '/sessions'],
  ['DELETE', '/sessions/others'],
] as const;

/** Properties that stop the run when they break: fast-check then shrinks the request and reports its seed. */
export type RunProperty = 'model' | 'contract';

/** What one run of generated requests found, for the tests to assert on, one property each. */
export interface RunOutcome {
  readonly sent: number;
  /** Replies per status, for the summary line. */
  readonly statuses: ReadonlyMap<number, number>;
  readonly elapsedMs: number;
  /** How many times each valid action ran (after falling back to what it needs). */
  readonly actions: ReadonlyMap<ValidAction, number>;
  /** Per reply property, the failures of its check, in the order of the requests. */
  readonly broken: ReadonlyMap<ReplyProperty, readonly Error[]>;
  /** Why the run stopped before its end, and which property that breaks. */
  readonly stopped?: { readonly property: RunProperty; readonly error: Error };
}

/**
 * Sends `runs` generated requests to the service at `url`, one at a time, one per fast-check run, on one
 * store whose writes `writes` records. The reply properties are checked on every reply and their
 * failures collected rather than thrown, so that each test names the property it holds; a reply the
 * model did not predict, or one outside the contract, ends the run (see RunProperty).
 */
export async function runGeneratedRequests(url: string, writes: WriteRecorder, clock: ManualClock, runs: number): Promise<RunOutcome> {
  const world = new World();
  const actions = new Map<ValidAction, number>();
  const statuses = new Map<number, number>();
  const broken = new Map<ReplyProperty, Error[]>();
  let sent = 0;

  /** Sends one request, checks the reply and the store writes it caused, and returns them. */
  async function exchange(send: () => Promise<Exchange>): Promise<{ exchange: Exchange; writes: string[] }> {
    const mark = writes.mark();
    const result = await send();
    sent += 1;
    statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    const during = writes.since(mark);
    for (const [name, check] of Object.entries(REPLY_PROPERTIES) as [ReplyProperty, (typeof REPLY_PROPERTIES)[ReplyProperty]][]) {
      try {
        check(result, during);
      } catch (error) {
        broken.set(name, [...(broken.get(name) ?? []), error as Error]);
      }
    }
    return { exchange: result, writes: during };
  }

  function sendValid(
    method: string,
    path: string,
    options: { as?: 'form' | 'json'; fields?: Record<string, string>; cookie?: string },
  ): Promise<Exchange> {
    const fieldsText = options.fields === undefined ? '' : JSON.stringify(options.fields);
    const cookieText = options.cookie === undefined ? '' : ` cookie ${options.cookie}`;
    const request_ = `${method} ${path} (valid, ${options.as ?? 'no body'}) ${fieldsText}${cookieText}`;
    const body = options.fields === undefined ? {} : options.as === 'json' ? { json: options.fields } : { form: options.fields };
    return request(url, method, path, { ...body, ...(options.cookie === undefined ? {} : { cookie: options.cookie }) }).then((reply) =>
      fromReply(method, path, request_, reply),
    );
  }

  function expectOutcome(result: { exchange: Exchange; writes: string[] }, status: number, body: unknown, expectedWrites: string[]): void {
    const context = describeExchange(result.exchange);
    expect(result.exchange.status, context).to.equal(status);
    if (body !== undefined) expect(JSON.parse(result.exchange.text), context).to.deep.equal(body);
    expect(result.writes, `store writes\n${context}`).to.deep.equal(expectedWrites);
  }

  const now = (): number => clock.now().getTime();
  /**
   * The write a successful use of the session makes (its lastSeenAt, at most once a minute), and the model
   * updated for it. A refused request records no use (it writes nothing), nor does one that ends the session.
   */
  function use(session: ModelSession): string[] {
    if (!dueForSeen(session, now())) return [];
    session.seenAt = now();
    return ['sessions.recordSeen'];
  }
  /** After a hostile request, which the model does not predict the writes of: the session's use, as the store recorded it or not. */
  function observeSeen(session: ModelSession | undefined, during: readonly string[]): void {
    if (session !== undefined && during.includes('sessions.recordSeen')) session.seenAt = now();
  }
  const cookieOf = (session: ModelSession): string => `session_id=${session.token}`;
  const tokenSet = (result: { exchange: Exchange }): string | undefined =>
    result.exchange.setCookies.map((header) => /^session_id=([^;]*)/.exec(header)?.[1]).find((value) => value !== undefined);
  function expectNewSession(result: { exchange: Exchange }): ModelSession {
    const token = tokenSet(result);
    expect(token, describeExchange(result.exchange)).to.match(/^[A-Za-z0-9_-]{43}$/);
    return { token: token as string, handle: null, createdAt: now(), seenAt: now() };
  }
  function expectCookieCleared(result: { exchange: Exchange }, cleared: boolean): void {
    expect(tokenSet(result) ?? null, `the session cookie cleared or not\n${describeExchange(result.exchange)}`).to.equal(
      cleared ? '' : null,
    );
  }
  const iso = (ms: number): string => new Date(ms).toISOString();
  const withSessions = (user: ModelUser): boolean => user.sessions.length > 0;
  const withHandle = (user: ModelUser): boolean => user.sessions.some((session) => session.handle !== null);
  const sessionOf = (user: ModelUser, index: number): ModelSession => user.sessions[index % user.sessions.length] as ModelSession;

  async function runValid(step: ValidPlan): Promise<void> {
    const { as } = step;
    if (step.wait > 0) clock.advance(step.wait);
    let action: ValidAction = step.action;
    // Fall back to the step that creates what this one needs.
    if (action === 'registerFreed' && world.freedEmails.length === 0) action = 'register';
    if (action === 'deadSession' && world.deadTokens.length === 0) action = 'logOut';
    if (action === 'deadResetToken' && world.deadResetTokens.length === 0) action = 'changePassword';
    if (action === 'endSession' && world.pick(0, withHandle) === undefined) action = 'listSessions';
    if (action !== 'register' && action !== 'registerFreed' && action !== 'deadSession' && action !== 'deadResetToken') {
      if (world.users.length === 0) action = 'register';
    }
    const needsSession = [
      'profile',
      'logOut',
      'listSessions',
      'endSession',
      'endSessionNotOwn',
      'endOtherSessions',
      'changePassword',
      'changePasswordWrong',
      'changePasswordTooShort',
      'deleteAccount',
      'deleteAccountWrong',
      'changeEmail',
      'changeEmailWrong',
    ] as const satisfies readonly ValidAction[];
    if ((needsSession as readonly ValidAction[]).includes(action) && world.pick(0, withSessions) === undefined) action = 'logIn';
    if (action === 'resetPassword' || action === 'resetPasswordTooShort') {
      if (world.pick(0, (user) => user.resetToken !== null) === undefined) action = 'requestReset';
    }
    if (action === 'verifyEmail' && world.pick(0, (user) => user.verificationToken !== null) === undefined) action = 'requestVerification';
    if (action === 'confirmEmailChange' && world.pick(0, (user) => user.pendingEmail !== null) === undefined) {
      action = world.pick(0, withSessions) === undefined ? 'logIn' : 'changeEmail';
    }
    actions.set(action, (actions.get(action) ?? 0) + 1);

    switch (action) {
      case 'register':
      case 'registerFreed': {
        const email = action === 'register' ? world.freshEmail() : (world.freedEmails.shift() as string);
        const result = await exchange(() =>
          sendValid('POST', '/users', { as, fields: { email: styled(email, step.emailStyle), password: step.password } }),
        );
        expectOutcome(result, 200, { email, message: 'user created' }, ['users.add']);
        world.users.push({
          email,
          password: step.password,
          resetToken: null,
          sessions: [],
          verified: false,
          verificationToken: null,
          pendingEmail: null,
        });
        return;
      }
      case 'registerTaken': {
        const user = world.pick(step.target) as ModelUser;
        const result = await exchange(() =>
          sendValid('POST', '/users', { as, fields: { email: styled(user.email, step.emailStyle), password: step.password } }),
        );
        expectOutcome(result, 400, { code: 'email_taken', message: 'email already registered' }, []);
        return;
      }
      case 'logIn': {
        const user = world.pick(step.target) as ModelUser;
        const result = await exchange(() =>
          sendValid('POST', '/sessions', { as, fields: { email: styled(user.email, step.emailStyle), password: user.password } }),
        );
        expectOutcome(result, 200, { email: user.email, message: 'logged in' }, ['sessions.add']);
        user.sessions.push(expectNewSession(result));
        return;
      }
      case 'logInWrongPassword': {
        const user = world.pick(step.target) as ModelUser;
        const result = await exchange(() =>
          sendValid('POST', '/sessions', { as, fields: { email: user.email, password: `${user.password}!` } }),
        );
        expectOutcome(result, 401, { code: 'invalid_credentials', message: 'invalid email or password' }, []);
        return;
      }
      case 'profile': {
        const user = world.pick(step.target, withSessions) as ModelUser;
        const session = sessionOf(user, step.target);
        const result = await exchange(() => sendValid('GET', '/profile', { cookie: cookieOf(session) }));
        expectOutcome(result, 200, { email: user.email, email_verified: user.verified }, use(session));
        return;
      }
      case 'logOut': {
        const user = world.pick(step.target, withSessions) as ModelUser;
        const session = sessionOf(user, step.target);
        // A log-out reads the session without authenticating it: no lastSeenAt.
        const result = await exchange(() => sendValid('DELETE', '/sessions', { cookie: cookieOf(session) }));
        expectOutcome(result, 302, { message: 'logged out' }, ['sessions.delete']);
        world.endSessions(user, [session]);
        return;
      }
      case 'listSessions': {
        const user = world.pick(step.target, withSessions) as ModelUser;
        const session = sessionOf(user, step.target);
        const result = await exchange(() => sendValid('GET', '/sessions', { cookie: cookieOf(session) }));
        expectOutcome(result, 200, undefined, use(session));
        const context = describeExchange(result.exchange);
        const { sessions: listed } = JSON.parse(result.exchange.text) as {
          sessions: Array<{ id: string; created_at: string; last_seen_at: string; expires_at: string; current: boolean }>;
        };
        expect(listed.length, `every live session of the user, and no other\n${context}`).to.equal(user.sessions.length);
        expect(new Set(listed.map((entry) => entry.id)).size, `one handle each\n${context}`).to.equal(listed.length);
        const createdAt = listed.map((entry) => entry.created_at);
        expect(createdAt, `newest first\n${context}`).to.deep.equal([...createdAt].sort().reverse());
        const current = listed.filter((entry) => entry.current);
        expect(current.length, `one current session\n${context}`).to.equal(1);
        const [mine] = current as [(typeof listed)[number]];
        if (session.handle !== null) expect(mine.id, `the current session's handle\n${context}`).to.equal(session.handle);
        session.handle = mine.id;
        for (const known of user.sessions) {
          const entry = listed.find((candidate) => candidate.id === known.handle);
          if (known.handle === null) continue;
          expect(entry, `a live session of the user missing from the list\n${context}`).not.to.equal(undefined);
          expect(entry, `what the list says of a session\n${context}`).to.deep.include({
            created_at: iso(known.createdAt),
            last_seen_at: iso(known.seenAt),
            expires_at: iso(Math.min(known.createdAt + SESSION_TTL_MS, known.seenAt + SESSION_IDLE_TTL_MS)),
            current: known === session,
          });
        }
        return;
      }
      case 'endSession': {
        const user = world.pick(step.target, withHandle) as ModelUser;
        const known = user.sessions.filter((session) => session.handle !== null);
        const ended = known[step.target % known.length] as ModelSession;
        // The caller: the session ended itself, or another of the user's.
        const caller = step.emailStyle === 'plain' ? ended : sessionOf(user, step.target >> 1);
        const result = await exchange(() => sendValid('DELETE', `/sessions/${ended.handle as string}`, { cookie: cookieOf(caller) }));
        // The caller's use is recorded after the delete, and not at all when it ended itself.
        expectOutcome(result, 200, { message: 'session ended' }, ['sessions.delete', ...(caller === ended ? [] : use(caller))]);
        expectCookieCleared(result, caller === ended);
        world.endSessions(user, [ended]);
        return;
      }
      case 'endSessionNotOwn': {
        const user = world.pick(step.target, withSessions) as ModelUser;
        const caller = sessionOf(user, step.target);
        const othersHandles = world.users
          .filter((candidate) => candidate !== user)
          .flatMap((candidate) => candidate.sessions.flatMap((session) => (session.handle === null ? [] : [session.handle])));
        const choices = [
          othersHandles[step.target % Math.max(1, othersHandles.length)],
          world.deadHandles[step.target % Math.max(1, world.deadHandles.length)],
          caller.token,
          'no-such-handle-000000000000000000000000000',
        ].filter((choice) => choice !== undefined);
        const id = choices[(step.target >> 2) % choices.length] as string;
        const result = await exchange(() => sendValid('DELETE', `/sessions/${id}`, { cookie: cookieOf(caller) }));
        expectOutcome(result, 404, { code: 'session_not_found', message: new SessionNotFoundError().message }, []);
        return;
      }
      case 'endOtherSessions': {
        const user = world.pick(step.target, withSessions) as ModelUser;
        const caller = sessionOf(user, step.target);
        const others = user.sessions.filter((session) => session !== caller);
        const result = await exchange(() => sendValid('DELETE', '/sessions/others', { cookie: cookieOf(caller) }));
        expectOutcome(result, 200, { ended: others.length }, [...others.map(() => 'sessions.delete'), ...use(caller)]);
        world.endSessions(user, others);
        return;
      }
      case 'changePassword':
      case 'changePasswordWrong':
      case 'changePasswordTooShort': {
        const user = world.pick(step.target, withSessions) as ModelUser;
        const caller = sessionOf(user, step.target);
        const fields = {
          current_password: action === 'changePasswordWrong' ? `${user.password}!` : user.password,
          new_password: action === 'changePasswordTooShort' ? 'short' : step.password,
        };
        const result = await exchange(() => sendValid('PUT', '/password', { as, fields, cookie: cookieOf(caller) }));
        if (action === 'changePasswordWrong') {
          expectOutcome(result, 401, { code: 'wrong_password', message: new WrongPasswordError().message }, []);
          return;
        }
        if (action === 'changePasswordTooShort') {
          const message = 'new_password must be at least 8 characters';
          expectOutcome(result, 400, { code: 'invalid_input', message }, []);
          return;
        }
        // No record of the caller's use: every session of the user ends.
        expectOutcome(result, 200, { email: user.email, message: 'Password updated' }, [
          'users.changePassword',
          'sessions.deleteAllForUser',
          'sessions.add',
        ]);
        const fresh = expectNewSession(result);
        world.endSessions(user, user.sessions);
        user.sessions = [fresh];
        if (user.resetToken !== null) world.deadResetTokens.push({ email: user.email, token: user.resetToken });
        user.resetToken = null;
        user.pendingEmail = null;
        user.password = step.password;
        return;
      }
      case 'deleteAccount':
      case 'deleteAccountWrong': {
        const user = world.pick(step.target, withSessions) as ModelUser;
        const caller = sessionOf(user, step.target);
        const password = action === 'deleteAccount' ? user.password : `${user.password}!`;
        const result = await exchange(() => sendValid('DELETE', '/users/me', { as, fields: { password }, cookie: cookieOf(caller) }));
        if (action === 'deleteAccountWrong') {
          expectOutcome(result, 401, { code: 'wrong_password', message: new WrongPasswordError().message }, []);
          return;
        }
        expectOutcome(result, 200, { message: 'account deleted' }, ['users.delete', 'sessions.deleteAllForUser']);
        expectCookieCleared(result, true);
        world.deleteUser(user);
        return;
      }
      case 'deadSession': {
        const token = world.deadTokens[step.target % world.deadTokens.length] as string;
        const [method, path] = DEAD_SESSION_ROUTES[step.target % DEAD_SESSION_ROUTES.length] as (typeof DEAD_SESSION_ROUTES)[number];
        const result = await exchange(() => sendValid(method, path, { cookie: `session_id=${token}` }));
        expectOutcome(result, 403, { code: 'invalid_session', message: new InvalidSessionError().message }, []);
        return;
      }
      case 'deadResetToken': {
        const { email, token } = world.deadResetTokens[step.target % world.deadResetTokens.length] as { email: string; token: string };
        const result = await exchange(() =>
          sendValid('PUT', '/reset_password', {
            as,
            fields: { email: styled(email, step.emailStyle), reset_token: token, new_password: `${step.password}#void` },
          }),
        );
        expectOutcome(result, 403, { code: 'invalid_reset_token', message: new InvalidResetTokenError().message }, []);
        return;
      }
      case 'requestReset': {
        const user = world.pick(step.target) as ModelUser;
        const result = await exchange(() =>
          sendValid('POST', '/reset_password', { as, fields: { email: styled(user.email, step.emailStyle) } }),
        );
        expectOutcome(result, 200, undefined, ['users.setResetToken']);
        const body = JSON.parse(result.exchange.text) as { email: string; reset_token: string };
        expect(body.email).to.equal(user.email);
        expect(body.reset_token).to.match(/^[A-Za-z0-9_-]{43}$/);
        user.resetToken = body.reset_token;
        return;
      }
      case 'resetPassword':
      case 'resetPasswordTooShort': {
        const user = world.pick(step.target, (candidate) => candidate.resetToken !== null) as ModelUser;
        const newPassword = action === 'resetPassword' ? step.password : 'short';
        const result = await exchange(() =>
          sendValid('PUT', '/reset_password', {
            as,
            fields: { email: styled(user.email, step.emailStyle), reset_token: user.resetToken as string, new_password: newPassword },
          }),
        );
        if (action === 'resetPasswordTooShort') {
          // Refused before the token is touched: it must still work (a later resetPassword step uses it).
          expectOutcome(result, 400, { code: 'invalid_input', message: 'new_password must be at least 8 characters' }, []);
          return;
        }
        const ended = user.sessions.length > 0 ? ['sessions.deleteAllForUser'] : [];
        expectOutcome(result, 200, { email: user.email, message: 'Password updated' }, ['users.consumeResetToken', ...ended]);
        user.password = newPassword;
        user.resetToken = null;
        user.pendingEmail = null;
        world.endSessions(user, user.sessions);
        return;
      }
      case 'requestVerification': {
        const user = world.pick(step.target) as ModelUser;
        const result = await exchange(() =>
          sendValid('POST', '/email_verification', { as, fields: { email: styled(user.email, step.emailStyle) } }),
        );
        expectOutcome(result, 200, undefined, ['users.setVerificationToken']);
        const body = JSON.parse(result.exchange.text) as { email: string; verification_token: string };
        expect(body.email).to.equal(user.email);
        expect(body.verification_token).to.match(/^[A-Za-z0-9_-]{43}$/);
        user.verificationToken = body.verification_token;
        return;
      }
      case 'verifyEmail': {
        const user = world.pick(step.target, (candidate) => candidate.verificationToken !== null) as ModelUser;
        const fields = { email: styled(user.email, step.emailStyle), verification_token: user.verificationToken as string };
        const result = await exchange(() => sendValid('PUT', '/email_verification', { as, fields }));
        expectOutcome(result, 200, { email: user.email, message: 'Email verified' }, ['users.consumeVerificationToken']);
        user.verified = true;
        user.verificationToken = null;
        return;
      }
      case 'changeEmail':
      case 'changeEmailWrong': {
        const user = world.pick(step.target, withSessions) as ModelUser;
        const caller = sessionOf(user, step.target);
        const newEmail = world.freshEmail();
        const password = action === 'changeEmail' ? user.password : `${user.password}!`;
        const fields = { password, new_email: styled(newEmail, step.emailStyle) };
        const result = await exchange(() => sendValid('PUT', '/email', { as, fields, cookie: cookieOf(caller) }));
        if (action === 'changeEmailWrong') {
          expectOutcome(result, 401, { code: 'wrong_password', message: new WrongPasswordError().message }, []);
          return;
        }
        expectOutcome(result, 200, undefined, ['users.requestEmailChange']);
        const body = JSON.parse(result.exchange.text) as { email: string; verification_token: string };
        expect(body.email).to.equal(newEmail);
        user.pendingEmail = { email: newEmail, token: body.verification_token, sessionToken: caller.token };
        return;
      }
      case 'confirmEmailChange': {
        const user = world.pick(step.target, (candidate) => candidate.pendingEmail !== null) as ModelUser;
        const pending = user.pendingEmail as NonNullable<ModelUser['pendingEmail']>;
        const fields = { email: styled(pending.email, step.emailStyle), verification_token: pending.token };
        const result = await exchange(() => sendValid('PUT', '/email_verification', { as, fields }));
        const others = user.sessions.filter((session) => session.token !== pending.sessionToken);
        expectOutcome(result, 200, { email: pending.email, message: 'Email verified' }, [
          'users.consumeEmailChange',
          ...others.map(() => 'sessions.delete'),
        ]);
        world.endSessions(user, others);
        if (user.resetToken !== null) world.deadResetTokens.push({ email: pending.email, token: user.resetToken });
        world.freedEmails.push(user.email);
        user.email = pending.email;
        user.verified = true;
        user.resetToken = null;
        user.verificationToken = null;
        user.pendingEmail = null;
        return;
      }
    }
  }

  async function runHostile(step: HostilePlan): Promise<void> {
    // Every other request aimed at a user with a session, so that a real cookie is often a live one.
    const target = (step.target % 2 === 0 ? world.pick(step.target >> 1, withSessions) : undefined) ?? world.pick(step.target);
    const other = world.pick(step.target + 1);
    const touched = new Set<ModelUser>();
    const session = (): string => {
      if (target !== undefined && target.sessions.length > 0) touched.add(target);
      return target?.sessions[0]?.token ?? 'no-such-session-0000000000000000000000000000';
    };
    const resolve = (value: HString): string => {
      if (typeof value === 'string') return value;
      if (value.kind !== 'otherEmail' && target !== undefined) touched.add(target);
      if (value.kind === 'otherEmail' && other !== undefined) touched.add(other);
      switch (value.kind) {
        case 'email':
          return target?.email ?? 'nobody@example.com';
        case 'EMAIL':
          return (target?.email ?? 'nobody@example.com').toUpperCase();
        case 'otherEmail':
          return other?.email ?? 'nobody@example.com';
        case 'password':
          return target?.password ?? 'correct horse battery';
        case 'resetToken':
          return target?.resetToken ?? 'no-such-token-000000000000000000000000000000';
        case 'session':
          return session();
      }
    };
    // Whether the path names a session no cookie of this request may end: another user's, one that
    // ended, or a session token (not a handle). Another user is left out of `touched` on purpose: their
    // session must survive, and later valid requests check that it did.
    let namesForeign = false;
    const pathId = (id: PathId): string => {
      switch (id.kind) {
        case 'text':
          return id.value;
        case 'encoded':
          return percentEncode(id.value);
        case 'long':
          return id.unit.repeat(id.count);
        case 'real': {
          let handle: string | undefined;
          if (id.which === 'own' || id.which === 'sibling') {
            const known = (target?.sessions ?? []).filter((candidate) => candidate.handle !== null);
            const chosen = id.which === 'own' ? target?.sessions[0] : known[step.target % Math.max(1, known.length)];
            handle = chosen?.handle ?? undefined;
            if (handle !== undefined && target !== undefined) touched.add(target);
          } else if (id.which === 'other') {
            const known = other === undefined || other === target ? [] : other.sessions.filter((candidate) => candidate.handle !== null);
            handle = known[step.target % Math.max(1, known.length)]?.handle ?? undefined;
          } else if (id.which === 'dead') {
            handle = world.deadHandles[step.target % Math.max(1, world.deadHandles.length)];
          } else {
            handle = session();
          }
          if (handle === undefined) return 'no-such-handle-000000000000000000000000000';
          if (id.which !== 'own' && id.which !== 'sibling') namesForeign = true;
          switch (id.tamper) {
            case 'none':
              return handle;
            case 'encoded':
              return [...handle].map((char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`).join('');
            case 'upper':
              return handle.toUpperCase();
            case 'append':
              return `${handle}A`;
            case 'truncate':
              return handle.slice(0, -1);
            case 'slash':
              return `${handle}/`;
          }
        }
      }
    };
    const { raw, description } = rawRequestFor(step, { resolve, session, pathId });
    const result = await exchange(async () => {
      const response = await sendRaw(url, raw);
      apiContract().check({ method: raw.method, path: raw.path, status: response.status, headers: response.headers, body: response.text });
      const setCookie = response.headers['set-cookie'] ?? [];
      return {
        request: description,
        method: raw.method,
        path: raw.path,
        status: response.status,
        contentType: response.headers['content-type'] ?? '',
        headers: response.headers,
        setCookies: setCookie,
        text: response.text,
      };
    });
    if (namesForeign && raw.method === 'DELETE' && result.exchange.status < 400) {
      expect.fail(`ended a session that is not the caller's\n${describeExchange(result.exchange)}`);
    }
    // A hostile request that changed the store other than recording a session's use (which the model
    // follows) did so in a way the model did not predict: forget the users it named. (On a rejected
    // request any write breaks 'writes nothing to the store when it rejects a request'.)
    if (result.writes.some((write) => write !== 'sessions.recordSeen')) world.forget(touched);
    else if (target !== undefined && touched.has(target)) observeSeen(target.sessions[0], result.writes);
  }

  const started = Date.now();
  let stopped: RunOutcome['stopped'];
  try {
    await fc.assert(
      fc.asyncProperty(plan, async (step) => {
        if (step.kind === 'valid') await runValid(step);
        else await runHostile(step);
      }),
      { numRuns: runs },
    );
  } catch (error) {
    // fast-check's error names the seed and the shrunk request; its cause is what the check threw.
    const cause = (error as Error).cause;
    stopped = { property: cause instanceof ContractViolation ? 'contract' : 'model', error: error as Error };
  }
  return { sent, statuses, elapsedMs: Date.now() - started, actions, broken, ...(stopped === undefined ? {} : { stopped }) };
}
