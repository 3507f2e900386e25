import type { HashRequester } from '../ports/password-hasher.js';

/** Who a request's hashes are done for: its client address, and its signal when the client may hang up. */
export function hashRequester(input: { readonly clientAddress: string; readonly signal?: AbortSignal }): HashRequester {
  return { client: input.clientAddress, ...(input.signal === undefined ? {} : { signal: input.signal }) };
}
