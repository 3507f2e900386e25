import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's settings for a JSON API that serves sessions and tokens: a policy that lets nothing load or
 * frame, no referrer, same-origin resources, and HSTS when clients come over HTTPS. The headers that
 * only ever meant something to HTML pages in old browsers (IE's download options, Flash's
 * cross-domain policies, the retired XSS auditor, DNS prefetching, origin-keyed agent clusters) are
 * left out: they would only make every response longer.
 */
function helmetOptions(https: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // Opener isolation concerns documents opened in a window; a JSON response never is one.
    crossOriginOpenerPolicy: false,
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    xDnsPrefetchControl: false,
    originAgentCluster: false,
  };
}

/**
 * The headers helmet sets with these options. They depend on nothing in the request, so helmet runs
 * once, at start-up, against a recording response; each request then gets the recorded headers, which
 * costs a few assignments instead of helmet's chain of middleware on every response.
 */
export function helmetHeaders(https: boolean): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  } as unknown as ServerResponse;
  let done = false;
  helmet(helmetOptions(https))({} as IncomingMessage, recorder, (error?: unknown) => {
    if (error !== undefined) throw error instanceof Error ? error : new Error('helmet rejected its options');
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously');
  return [...headers];
}

/**
 * Security headers for every response, errors included: helmet's, plus `Cache-Control: no-store`, since
 * most responses carry a session, a token or an account's email.
 */
export function securityHeaders(https: boolean): ReadonlyArray<readonly [string, string]> {
  return [...helmetHeaders(https), ['Cache-Control', 'no-store']];
}
