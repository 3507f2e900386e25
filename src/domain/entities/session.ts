/** One logged-in device. A user may hold several at once. */
export interface Session {
  /** SHA-256 digest of the session token: the raw token lives only in the client's cookie. */
  readonly id: string;
  /**
   * The session's public name, shown in the user's list of sessions and used to end one: random, unrelated
   * to the token and its digest, so knowing it gives no access.
   */
  readonly handle: string;
  readonly userId: string;
  /**
   * The user's passwordVersion read before the password was checked: the credential this session was
   * issued for. A session whose version is no longer the user's is refused, whatever its timestamps.
   */
  readonly passwordVersion: number;
  readonly createdAt: Date;
  /** The absolute end, from the log-in: never extended. */
  readonly expiresAt: Date;
  /** When the session was last used, to within the settings' lastSeenIntervalMs: what the idle timeout counts from. */
  readonly lastSeenAt: Date;
  /** The User-Agent of the log-in, truncated (see USER_AGENT_MAX_LENGTH); null when none was sent. */
  readonly userAgent: string | null;
  /** The client address of the log-in, as the service saw it; null for a session recorded before it was kept. */
  readonly address: string | null;
}
