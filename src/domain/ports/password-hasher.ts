/** Who a hash is done for, so that the hasher can share its capacity fairly and drop abandoned work. */
export interface HashRequester {
  /** The client (its address): one client cannot take more than its share of the hashing. */
  readonly client: string;
  /** Aborted when the client has gone: a hash that has not started yet is then not done at all. */
  readonly signal?: AbortSignal;
}

/**
 * A slow, salted password hash. Both methods must run off the event loop. With a requester, a hash
 * may be refused before it runs: TooManyAttemptsError when that client has too many hashes waiting,
 * ClientGoneError when its signal was aborted.
 */
export interface PasswordHasher {
  hash(password: string, requester?: HashRequester): Promise<string>;
  verify(password: string, hash: string, requester?: HashRequester): Promise<boolean>;
  /**
   * True when `hash` was not made with this hasher's current settings (another cost, later another
   * algorithm): a successful log-in then hashes the password again and stores the new hash.
   */
  needsRehash(hash: string): boolean;
}
