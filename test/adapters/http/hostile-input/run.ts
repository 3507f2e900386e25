import { expect } from 'chai';
import fc from 'fast-check';
import { request, sendRaw } from '../../../support/http-client.js';
import { ContractViolation, apiContract } from '../../../support/openapi-contract.js';
import type { WriteRecorder } from '../../../support/recording-repositories.js';
import { World, styled, type ModelUser } from './model.js';
import { plan, type HostilePlan, type ValidAction, type ValidPlan } from './plans.js';
import type { HString } from './values.js';
import { REPLY_PROPERTIES, describeExchange, fromReply, type Exchange, type ReplyProperty } from './properties.js';
import { rawRequestFor } from './raw-request.js';

/** Properties that stop the run when they break: fast-check then shrinks the request and reports its seed. */
export type RunProperty = 'model' | 'contract';

/** What one run of generated requests found, for the tests to assert on, one property each. */
export interface RunOutcome {
  readonly sent: number;
  /** Replies per status, for the summary line. */
  readonly statuses: ReadonlyMap<number, number>;
  readonly elapsedMs: number;
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
export async function runGeneratedRequests(url: string, writes: WriteRecorder, runs: number): Promise<RunOutcome> {
  const world = new World();
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
      fromReply(method, request_, reply),
    );
  }

  function expectOutcome(result: { exchange: Exchange; writes: string[] }, status: number, body: unknown, expectedWrites: string[]): void {
    const context = describeExchange(result.exchange);
    expect(result.exchange.status, context).to.equal(status);
    if (body !== undefined) expect(JSON.parse(result.exchange.text), context).to.deep.equal(body);
    expect(result.writes, `store writes\n${context}`).to.deep.equal(expectedWrites);
  }

  async function runValid(step: ValidPlan): Promise<void> {
    const { as } = step;
    let action: ValidAction = step.action;
    // Fall back to the step that creates what this one needs.
    if (action !== 'register' && world.users.length === 0) action = 'register';
    if ((action === 'profile' || action === 'logOut') && world.pick(0, (user) => user.sessions.length > 0) === undefined) action = 'logIn';
    if (action === 'resetPassword' || action === 'resetPasswordTooShort') {
      if (world.pick(0, (user) => user.resetToken !== null) === undefined) action = 'requestReset';
    }

    switch (action) {
      case 'register': {
        const email = world.freshEmail();
        const result = await exchange(() =>
          sendValid('POST', '/users', { as, fields: { email: styled(email, step.emailStyle), password: step.password } }),
        );
        expectOutcome(result, 200, { email, message: 'user created' }, ['users.add']);
        world.users.push({ email, password: step.password, resetToken: null, sessions: [] });
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
        const token = result.exchange.setCookies
          .map((header) => /^session_id=([^;]*)/.exec(header)?.[1])
          .find((value) => value !== undefined);
        expect(token, describeExchange(result.exchange)).to.match(/^[A-Za-z0-9_-]{43}$/);
        user.sessions.push(token as string);
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
        const user = world.pick(step.target, (candidate) => candidate.sessions.length > 0) as ModelUser;
        const token = user.sessions[step.target % user.sessions.length] as string;
        const result = await exchange(() => sendValid('GET', '/profile', { cookie: `session_id=${token}` }));
        expectOutcome(result, 200, { email: user.email }, []);
        return;
      }
      case 'logOut': {
        const user = world.pick(step.target, (candidate) => candidate.sessions.length > 0) as ModelUser;
        const [token] = user.sessions.splice(step.target % user.sessions.length, 1) as [string];
        const result = await exchange(() => sendValid('DELETE', '/sessions', { cookie: `session_id=${token}` }));
        expectOutcome(result, 302, { message: 'logged out' }, ['sessions.delete']);
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
        user.sessions = [];
        return;
      }
    }
  }

  async function runHostile(step: HostilePlan): Promise<void> {
    const target = world.pick(step.target);
    const other = world.pick(step.target + 1);
    const touched = new Set<ModelUser>();
    const session = (): string => {
      if (target !== undefined && target.sessions.length > 0) touched.add(target);
      return target?.sessions[0] ?? 'no-such-session-0000000000000000000000000000';
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
    const { raw, description } = rawRequestFor(step, { resolve, session });
    const result = await exchange(async () => {
      const response = await sendRaw(url, raw);
      apiContract().check({ method: raw.method, path: raw.path, status: response.status, headers: response.headers, body: response.text });
      const setCookie = response.headers['set-cookie'] ?? [];
      return {
        request: description,
        method: raw.method,
        status: response.status,
        contentType: response.headers['content-type'] ?? '',
        setCookies: setCookie,
        text: response.text,
      };
    });
    // A hostile request that happened to be acceptable changed the store in a way the model did
    // not predict: forget the users it named.
    if (result.exchange.status < 400) world.forget(touched);
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
  return { sent, statuses, elapsedMs: Date.now() - started, broken, ...(stopped === undefined ? {} : { stopped }) };
}
