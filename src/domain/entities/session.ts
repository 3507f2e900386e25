/** One logged-in device. A user may hold several at once. */
export interface Session {
  /** SHA-256 digest of the session token: the raw token lives only in the client's cookie. */
  readonly id: string;
  readonly userId: string;
  /**
   * The user's passwordVersion read before the password was checked: the credential this session was
   * issued for. A session whose version is no longer the user's is refused, whatever its timestamps.
   */
  readonly passwordVersion: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export function isSessionActive(session: Session, now: Date): boolean {
  return session.expiresAt.getTime() > now.getTime();
}
