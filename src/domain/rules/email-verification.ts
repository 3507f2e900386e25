/**
 * EMAIL_VERIFICATION: `off` (the seed's behaviour) sends nothing at sign-up; `optional` mails a new
 * account its verification link; `required` does too, and refuses the log-in of an account whose
 * address is not verified (after the right password only). Verifying an address works in every mode.
 */
export type EmailVerificationMode = 'off' | 'optional' | 'required';

export interface EmailVerificationSettings {
  readonly emailVerification: EmailVerificationMode;
  /** How long a verification or email-change token stays valid. */
  readonly verificationTokenTtlMs: number;
}
