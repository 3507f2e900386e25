import type { Context } from 'koa';
import type { z } from 'zod';
import type { ChangeEmail } from '../../../domain/use-cases/change-email.js';
import type { ChangePassword } from '../../../domain/use-cases/change-password.js';
import type { DeleteAccount } from '../../../domain/use-cases/delete-account.js';
import type { EndOtherSessions } from '../../../domain/use-cases/end-other-sessions.js';
import type { EndSession } from '../../../domain/use-cases/end-session.js';
import type { ListSessions } from '../../../domain/use-cases/list-sessions.js';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';
import type { GetProfile } from '../../../domain/use-cases/get-profile.js';
import type { LogIn } from '../../../domain/use-cases/log-in.js';
import type { LogOut } from '../../../domain/use-cases/log-out.js';
import type { RegisterUser } from '../../../domain/use-cases/register-user.js';
import type { RequestEmailVerification } from '../../../domain/use-cases/request-email-verification.js';
import type { RequestPasswordReset } from '../../../domain/use-cases/request-password-reset.js';
import type { ResetPassword } from '../../../domain/use-cases/reset-password.js';
import type { VerifyEmail } from '../../../domain/use-cases/verify-email.js';
import type { RequestFields } from '../request-fields.js';
import type { SessionCookieOptions } from '../session-cookie.js';

export interface HttpUseCases {
  readonly registerUser: RegisterUser;
  readonly logIn: LogIn;
  readonly logOut: LogOut;
  readonly getProfile: GetProfile;
  readonly requestPasswordReset: RequestPasswordReset;
  readonly resetPassword: ResetPassword;
  readonly changePassword: ChangePassword;
  readonly requestEmailVerification: RequestEmailVerification;
  readonly verifyEmail: VerifyEmail;
  readonly changeEmail: ChangeEmail;
  readonly listSessions: ListSessions;
  readonly endSession: EndSession;
  readonly endOtherSessions: EndOtherSessions;
  readonly deleteAccount: DeleteAccount;
}

/** What a route's handler may use besides its request. */
export interface RouteDependencies {
  readonly useCases: HttpUseCases;
  readonly cookie: SessionCookieOptions;
  /** Resolves when the service can serve (its store answers); rejects, saying why, when not. */
  readonly readiness: () => Promise<void>;
  /** The API's OpenAPI document, as served. */
  readonly openApiDocument: () => object;
}

type RouteMethod = 'get' | 'post' | 'put' | 'delete';

/** A request body: its fields, and what the document says of it. */
interface RouteBody<Input extends Record<string, string>> {
  readonly fields: RequestFields<Input>;
  readonly description: string;
  readonly examples: Readonly<Record<string, { readonly summary: string; readonly value: Readonly<Record<string, string>> }>>;
}

/**
 * One operation of the API: how it is documented, the body it reads, the answers it gives and its handler.
 * The router (http-app.ts) and the OpenAPI document (openapi-document.ts) are both made from the table of
 * these (routes/index.ts): adding a route is adding one.
 */
export interface Route<Input extends Record<string, string> = Record<string, string>> {
  readonly method: RouteMethod;
  readonly path: string;
  /** The operation's id, tags, summary, description and security, as the document shows them. */
  readonly doc: Pick<ZodOpenApiOperationObject, 'operationId' | 'tags' | 'summary' | 'description' | 'security'> & {
    readonly operationId: string;
    readonly summary: string;
    readonly description: string;
  };
  readonly body?: RouteBody<Input>;
  /** The parameters in the path (`{id}` in `/sessions/{id}`), as the document shows them; read with pathParameter(). */
  readonly pathParameters?: z.ZodObject<Record<string, z.ZodString>>;
  /**
   * The answers particular to this operation (its successes, and errors such as a 401). The ones every operation
   * shares (400, 408, 431, 500; 403 for a state-changing one; 413 and 415 for one with a body) are added to these.
   */
  readonly responses: Readonly<Record<string, ZodOpenApiResponseObject>>;
  /** Answers the request; throws a domain or catalogued error for the error answers. */
  handle(ctx: Context, input: Input, deps: RouteDependencies): Promise<void> | void;
}

/** Declares a route, inferring its body's fields for the handler. */
export const route = <Input extends Record<string, string>>(definition: Route<Input>): Route<Input> => definition;

/** The methods a browser may send cross-site to change something: these go through the Origin check (origin-check.ts). */
const STATE_CHANGING: ReadonlySet<RouteMethod> = new Set(['post', 'put', 'delete']);

export const changesState = (definition: Pick<Route, 'method'>): boolean => STATE_CHANGING.has(definition.method);

/** The router's path for a route: `{name}`, the document's way of writing a parameter, becomes `:name`. */
export const routerPath = (definition: Pick<Route, 'path'>): string => definition.path.replace(/\{(\w+)\}/g, ':$1');

/** A parameter of the request's path, as the router decoded it. */
export function pathParameter(ctx: Context, name: string): string {
  return (ctx as Context & { params?: Record<string, string> }).params?.[name] ?? '';
}
