/**
 * The security headers of a JSON API that serves sessions and tokens, as helmet would set them for it:
 * a policy that lets nothing load or frame, no referrer, same-origin resources, and HSTS when clients
 * come over HTTPS. helmet's headers that only ever meant something to HTML pages (opener isolation,
 * which concerns documents opened in a window; old browsers' download options, Flash's cross-domain
 * policies, the retired XSS auditor, DNS prefetching, origin-keyed agent clusters) are left out: they
 * would only make every response longer. Listed literally rather than learnt from helmet at start-up:
 * nothing here depends on the request, and test/adapters/http/security-headers.test.ts checks the list
 * against helmet's own output for the same choices, so that a helmet release that changes its defaults
 * is noticed.
 */
const HELMET_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

// Only when the service is served over HTTPS (COOKIE_SECURE): it tells browsers to use nothing else for a year.
const STRICT_TRANSPORT_SECURITY = ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as const;

/**
 * Security headers for every response, errors included: helmet's, plus `Cache-Control: no-store`, since
 * most responses carry a session, a token or an account's email.
 */
export function securityHeaders(https: boolean): ReadonlyArray<readonly [string, string]> {
  return [...HELMET_HEADERS, ...(https ? [STRICT_TRANSPORT_SECURITY] : []), ['Cache-Control', 'no-store']];
}
