import { expect } from 'chai';
import { bodyTooLargeMessage, ERROR_CATALOGUE, type ErrorCode } from '../../../../src/adapters/http/error-catalogue.js';
import type { Reply } from '../../../support/http-client.js';
import { apiContract, fetchHeaders } from '../../../support/openapi-contract.js';
import { truncate } from './encoding.js';
import { BODY_LIMIT_BYTES } from './bodies.js';

// Every error the service sends, exactly, from its catalogue: a code it does not list, or a message
// its code does not (a driver's or parser's message, a stack, an echo of the request), fails the test.
function isKnownError(code: unknown, message: string): boolean {
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_CATALOGUE, code)) return false;
  if (code === 'body_too_large') return message === bodyTooLargeMessage(BODY_LIMIT_BYTES);
  return ERROR_CATALOGUE[code as ErrorCode].messages.some((known) => known.test(message));
}
// Belt and braces on error bodies: traces, paths, driver and library vocabulary.
const INTERNAL_DETAIL =
  /\n\s*at |\bat .+:\d+:\d+|node_modules|\.[cm]?[jt]s\b|\/work\/|\/src\/|error|stack|errno|E11000|mongo|zlib|bcrypt\$|\$2[aby]\$/i;

/** One request and its reply, as every property sees it. */
export interface Exchange {
  /** The request, for failure messages. */
  readonly request: string;
  readonly method: string;
  /** The request target as sent. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
  /** Every header of the reply, Set-Cookie as an array: for the OpenAPI contract. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly setCookies: string[];
  readonly text: string;
}

export function describeExchange(exchange: Exchange): string {
  return `${exchange.request}\n→ ${exchange.status} ${exchange.contentType} ${truncate(exchange.text)}`;
}

export function fromReply(method: string, path: string, request: string, reply: Reply): Exchange {
  return {
    request,
    method,
    path,
    status: reply.status,
    contentType: reply.headers.get('content-type') ?? '',
    headers: fetchHeaders(reply.headers),
    setCookies: reply.setCookies,
    text: typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body),
  };
}

/** An error reply with a body to read (HEAD has none). */
const errorWithBody = (exchange: Exchange): boolean => exchange.status >= 400 && exchange.method !== 'HEAD';

/**
 * What every reply must satisfy, one property a name, each checked on every reply (valid requests and
 * hostile ones): a check throws (a chai assertion) when its reply breaks the property.
 */
export const REPLY_PROPERTIES = {
  'never answers 5xx': (exchange: Exchange): void => {
    expect(exchange.status, `5xx or nonsense status\n${describeExchange(exchange)}`).to.be.within(200, 499);
  },
  'writes nothing to the store when it rejects a request': (exchange: Exchange, writes: string[]): void => {
    if (exchange.status < 400) return;
    expect(writes, `store written during a rejected request\n${describeExchange(exchange)}`).to.deep.equal([]);
  },
  'sets no cookie when it rejects a request': (exchange: Exchange): void => {
    if (exchange.status < 400) return;
    expect(exchange.setCookies, `cookie set on a rejected request\n${describeExchange(exchange)}`).to.deep.equal([]);
  },
  'answers every error with a JSON {code, message} body': (exchange: Exchange): void => {
    const context = describeExchange(exchange);
    if (exchange.status < 400) return;
    // A HEAD reply has no body, but says what a GET's would be.
    if (exchange.method === 'HEAD') {
      expect(exchange.contentType, context).to.match(/^application\/json/);
      return;
    }
    // Only a success may come without a body: OPTIONS (204, or 200 with Allow).
    if (exchange.text === '') expect(exchange.status, `empty body\n${context}`).to.be.below(400);
    expect(exchange.contentType, context).to.match(/^application\/json/);
    const body: unknown = JSON.parse(exchange.text);
    expect(body, context).to.be.an('object').and.not.be.an('array');
    expect(body, context).to.have.all.keys('code', 'message');
    expect((body as { message: unknown }).message, context).to.be.a('string');
  },
  'says in an error only a code and a message its error catalogue lists, and nothing internal': (exchange: Exchange): void => {
    const context = describeExchange(exchange);
    if (!errorWithBody(exchange) || exchange.text === '') return;
    expect(exchange.text, `internal detail in an error\n${context}`).not.to.match(INTERNAL_DETAIL);
    const { code, message } = JSON.parse(exchange.text) as { code: unknown; message: unknown };
    expect(isKnownError(code, message as string), `unknown error code or message\n${context}`).to.equal(true);
  },
  'answers a success with the status, headers and body its OpenAPI document describes': (exchange: Exchange): void => {
    if (exchange.status >= 400) return;
    const { method, path, status, headers, text } = exchange;
    try {
      apiContract().check({ method, path, status, headers, body: text });
    } catch (error) {
      expect.fail(`${(error as Error).message}\n${describeExchange(exchange)}`);
    }
  },
} as const;

export type ReplyProperty = keyof typeof REPLY_PROPERTIES;
