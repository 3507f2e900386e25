import { InvalidInputError } from '../errors.js';

/** bcrypt reads only the first 72 bytes of its input; anything longer would be silently truncated. */
const PASSWORD_MAX_BYTES = 72;

export interface PasswordPolicy {
  readonly minLength: number;
}

const encoder = new TextEncoder();

function checkEncodable(password: string, field: string): string {
  if (password.length === 0) throw new InvalidInputError(field, 'must not be empty');
  if (password.includes('\0')) throw new InvalidInputError(field, 'must not contain a NUL character');
  // NFKC so that the same password typed on two keyboards (composed or decomposed accents) matches.
  const normalized = password.normalize('NFKC');
  if (encoder.encode(normalized).length > PASSWORD_MAX_BYTES) {
    throw new InvalidInputError(
      field,
      `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt ignores anything longer, so it is rejected rather than truncated)`,
    );
  }
  return normalized;
}

/** A password being chosen: the full policy applies. Returns the form to hash. */
export function acceptNewPassword(password: string, policy: PasswordPolicy, field = 'password'): string {
  const normalized = checkEncodable(password, field);
  if ([...normalized].length < policy.minLength) {
    throw new InvalidInputError(field, `must be at least ${policy.minLength} characters`);
  }
  return normalized;
}

/**
 * A password offered at log-in: only what could never match a stored hash is refused, so a later
 * change of the minimum length does not lock out older accounts. Returns the form to verify.
 */
export function acceptOfferedPassword(password: string, field = 'password'): string {
  return checkEncodable(password, field);
}
