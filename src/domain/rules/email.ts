import { InvalidInputError } from '../errors.js';

const EMAIL_MAX_LENGTH = 254;
const LOCAL_PART_MAX_LENGTH = 64;

// The HTML standard's "valid e-mail address" (what browsers accept in <input type=email>):
// a deliberate, well-known subset of RFC 5322 without quoted local parts or comments.
const EMAIL_SHAPE = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Trims and lower-cases an email (the account's identity), and rejects what is not an address. */
export function normalizeEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (email.length === 0) throw new InvalidInputError(field, 'must not be empty');
  if (email.length > EMAIL_MAX_LENGTH) {
    throw new InvalidInputError(field, `must be at most ${EMAIL_MAX_LENGTH} characters`);
  }
  const at = email.lastIndexOf('@');
  if (!EMAIL_SHAPE.test(email) || at > LOCAL_PART_MAX_LENGTH) {
    throw new InvalidInputError(field, 'must be an email address of the form local@domain');
  }
  return email;
}
