/** Unpredictable identifiers and secrets. */
export interface TokenGenerator {
  /** A fresh URL-safe token with at least 128 bits from a cryptographically secure generator. */
  generate(): string;
}
