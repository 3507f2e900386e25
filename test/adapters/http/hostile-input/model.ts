import { LAST_SEEN_INTERVAL_MS } from '../../../../src/app/use-cases.js';
import type { ValidPlan } from './plans.js';

// The model: what the test knows the store holds, from the valid requests it made.

export interface ModelSession {
  /** The raw token, as the cookie carries it. */
  readonly token: string;
  /** Its public handle (GET /sessions), once a listing made with this session has shown it. */
  handle: string | null;
  /** When it was started, and when the store last recorded it seen (on the test's manual clock). */
  readonly createdAt: number;
  seenAt: number;
}

export interface ModelUser {
  /** Normalised; a confirmed email change replaces it. */
  email: string;
  password: string;
  resetToken: string | null;
  /** Whether the address is verified, and the verification token last issued for it (not yet spent). */
  verified: boolean;
  verificationToken: string | null;
  /** An email change asked and not yet confirmed: the new address, its token, and the session that asked. */
  pendingEmail: { readonly email: string; readonly token: string; readonly sessionToken: string } | null;
  /** Live sessions, oldest first. */
  sessions: ModelSession[];
}

export class World {
  users: ModelUser[] = [];
  /** Session tokens that must be refused: logged out, ended, or of a password changed or an account deleted since. */
  deadTokens: string[] = [];
  /** Handles of sessions that ended: no one may end them again. */
  deadHandles: string[] = [];
  /** Reset tokens a password change or an account deletion voided. */
  deadResetTokens: Array<{ readonly email: string; readonly token: string }> = [];
  /** Emails of deleted accounts, free to register again. */
  freedEmails: string[] = [];
  private registered = 0;
  private readonly tag = Math.random().toString(36).slice(2, 8);

  freshEmail(): string {
    this.registered += 1;
    return `user${this.registered}.${this.tag}@example.com`;
  }

  pick(index: number, where: (user: ModelUser) => boolean = () => true): ModelUser | undefined {
    const candidates = this.users.filter(where);
    return candidates.length === 0 ? undefined : candidates[index % candidates.length];
  }

  /** A request not predicted by the model changed these users: stop predicting anything about them. */
  forget(users: Iterable<ModelUser>): void {
    const gone = new Set(users);
    this.users = this.users.filter((user) => !gone.has(user));
  }

  /** These sessions ended: their tokens and handles are dead. */
  endSessions(user: ModelUser, ended: readonly ModelSession[]): void {
    const gone = new Set(ended);
    user.sessions = user.sessions.filter((session) => !gone.has(session));
    this.deadTokens.push(...ended.map((session) => session.token));
    this.deadHandles.push(...ended.flatMap((session) => (session.handle === null ? [] : [session.handle])));
  }

  /** The account was deleted: every session and its reset token are dead, and the email is free. */
  deleteUser(user: ModelUser): void {
    this.endSessions(user, user.sessions);
    if (user.resetToken !== null) this.deadResetTokens.push({ email: user.email, token: user.resetToken });
    this.users = this.users.filter((candidate) => candidate !== user);
    this.freedEmails.push(user.email);
  }
}

/** Whether a use of the session at `now` makes the store record it seen. */
export const dueForSeen = (session: ModelSession, now: number): boolean => session.seenAt <= now - LAST_SEEN_INTERVAL_MS;

export function styled(email: string, style: ValidPlan['emailStyle']): string {
  if (style === 'upper') return email.toUpperCase();
  if (style === 'spaced') return ` \t${email} `;
  return email;
}
