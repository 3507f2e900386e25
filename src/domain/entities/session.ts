/** One logged-in device. A user may hold several at once. */
export interface Session {
  /** SHA-256 digest of the session token: the raw token lives only in the client's cookie. */
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export function isSessionActive(session: Session, now: Date): boolean {
  return session.expiresAt.getTime() > now.getTime();
}
