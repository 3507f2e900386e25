import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { RawRequest } from '../../../support/http-client.js';
import { headerSafe, percentEncode, truncate } from './encoding.js';
import { GZIP_BOMB } from './bodies.js';
import type { CookieValue, HostilePlan, PathId } from './plans.js';
import { FIELDS, Real, type Field, type HString, type HValue } from './values.js';

// How a generated hostile request becomes bytes on the wire. Strings that must reach the service as
// they are (header values, paths) are encoded here, at the last moment.

// Node's HTTP server answers a request head over 16 KiB itself (431, empty body) before the app sees
// it; generated heads are cut to fit, leaving room for what Node adds (Host, Connection, Content-Length).
const HEAD_BUDGET_BYTES = 16 * 1024 - 512;

/** Cuts the longest of the path and the header values until the request head fits Node's limit. */
function fitHead(method: string, path: string, headers: Record<string, string | string[]>): string {
  const size = (): number =>
    method.length +
    path.length +
    11 +
    Object.entries(headers).reduce(
      (sum, [name, value]) => sum + [value].flat().reduce((bytes, item) => bytes + name.length + item.length + 4, 0),
      0,
    );
  for (let excess = size() - HEAD_BUDGET_BYTES; excess > 0; excess = size() - HEAD_BUDGET_BYTES) {
    let longest: { length: number; cut: (length: number) => void } = {
      length: path.length,
      cut: (length) => (path = path.slice(0, Math.max(1, length))),
    };
    for (const [name, value] of Object.entries(headers)) {
      const items = [value].flat();
      items.forEach((item, index) => {
        if (item.length <= longest.length) return;
        longest = {
          length: item.length,
          cut: (length) => {
            items[index] = item.slice(0, Math.max(0, length));
            headers[name] = Array.isArray(value) ? items : (items[0] as string);
          },
        };
      });
    }
    if (longest.length === 0) break;
    longest.cut(longest.length - excess);
  }
  return path;
}

/** What a plan's stand-ins for live values (Real) become: the caller knows the store. */
export interface LiveValues {
  readonly resolve: (value: HString) => string;
  /** A session token of the user the request is aimed at (or one that does not exist). */
  readonly session: () => string;
  /** What `{id}` in the route's path becomes, percent-encoded as it goes on the wire. */
  readonly pathId: (id: PathId) => string;
}

/** The request a hostile plan describes, and a description of it for failure messages. */
export function rawRequestFor(step: HostilePlan, { resolve, session, pathId }: LiveValues): { raw: RawRequest; description: string } {
  const toJson = (value: HValue | undefined): string =>
    JSON.stringify(value, (_key, item: unknown) => (item instanceof Real ? resolve(item) : item)) ?? 'null';
  const objectText = (entries: [string, HValue | undefined][]): string =>
    `{${entries
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${JSON.stringify(key)}:${toJson(value)}`)
      .join(',')}}`;
  const fieldEntries = (values: Partial<Record<Field, HValue | undefined>>): [string, HValue | undefined][] =>
    FIELDS.map((field) => [field, values[field]]);

  // The body, and which content type would fit it.
  let body: Buffer | undefined;
  let fitting = 'application/json';
  if (step.body !== null) {
    const plan_ = step.body;
    switch (plan_.type) {
      case 'json-object': {
        const entries = plan_.extraFirst
          ? [...plan_.extra, ...fieldEntries(plan_.fields)]
          : [...fieldEntries(plan_.fields), ...plan_.extra];
        body = Buffer.from(objectText(entries));
        break;
      }
      case 'json-value':
        body = Buffer.from(toJson(plan_.value));
        break;
      case 'json-text':
        body = Buffer.from(plan_.text);
        break;
      case 'json-truncated': {
        const text = objectText(fieldEntries(plan_.fields));
        body = Buffer.from(text.slice(0, plan_.cut % Math.max(1, text.length)));
        break;
      }
      case 'json-deep':
        body = Buffer.from(plan_.open.repeat(plan_.depth));
        break;
      case 'form': {
        const entries = plan_.extraFirst ? [...plan_.extra, ...plan_.fields] : [...plan_.fields, ...plan_.extra];
        const pairs = entries.map(([key, value]): [string, string] => [key, resolve(value)]);
        body = Buffer.from(
          plan_.style === 'encoded'
            ? pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&')
            : pairs.map(([key, value]) => `${key}=${value}`).join(plan_.style === 'raw' ? '&' : ';'),
        );
        fitting = 'application/x-www-form-urlencoded';
        break;
      }
      case 'form-text':
        body = Buffer.from(plan_.text);
        fitting = 'application/x-www-form-urlencoded';
        break;
      case 'oversized': {
        const unitBytes = Buffer.byteLength(plan_.unit);
        const filler = plan_.unit.repeat(Math.ceil(plan_.bytes / unitBytes));
        body = Buffer.from(
          plan_.as === 'json' ? `{"email":"a@b.co","password":${JSON.stringify(filler)}}` : `email=a%40b.co&password=${filler}`,
        ).subarray(0, plan_.bytes);
        fitting = plan_.as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
        break;
      }
      case 'bytes':
        body = Buffer.from(plan_.bytes);
        fitting = 'application/octet-stream';
        break;
    }
  }

  const headers: Record<string, string | string[]> = {};
  if (body !== undefined || step.contentType.mode === 'literal') {
    const ct = step.contentType;
    if (ct.mode === 'fitting') headers['content-type'] = fitting;
    else if (ct.mode === 'swapped')
      headers['content-type'] = fitting === 'application/json' ? 'application/x-www-form-urlencoded' : 'application/json';
    else if (ct.mode === 'literal')
      headers['content-type'] = ct.values.length === 1 ? headerSafe(ct.values[0] as string) : ct.values.map(headerSafe);
  }
  if (body !== undefined && step.contentEncoding !== 'none') {
    const encoding = step.contentEncoding;
    const garbage = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), body]);
    if (encoding === 'gzip' || encoding === 'GZIP') body = gzipSync(body);
    else if (encoding === 'gzip-corrupt') body = garbage;
    else if (encoding === 'gzip-truncated') body = gzipSync(body).subarray(0, 12);
    else if (encoding === 'gzip-bomb') body = GZIP_BOMB;
    else if (encoding === 'deflate') body = deflateSync(body);
    else if (encoding === 'deflate-corrupt') body = Buffer.concat([Buffer.from([0x78, 0x9c, 0xff]), body]);
    else if (encoding === 'br') body = brotliCompressSync(body);
    else if (encoding === 'br-corrupt') body = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), body]);
    headers['content-encoding'] = encoding.replace(/-(corrupt|truncated|bomb)$/, '');
  }

  const cookieText = (value: CookieValue): string => {
    switch (value.kind) {
      case 'string':
        return headerSafe(value.value);
      case 'huge':
        return headerSafe(value.unit.repeat(value.count));
      case 'forged':
        return value.value;
      case 'real': {
        const token = session();
        switch (value.tamper) {
          case 'none':
            return token;
          case 'append':
            return `${token}A`;
          case 'truncate':
            return token.slice(0, -1);
          case 'upper':
            return token.toUpperCase();
          case 'quoted':
            return `"${token}"`;
          case 'encoded':
            return percentEncode(token).replace(/[A-Za-z0-9]/g, (char) => `%${char.charCodeAt(0).toString(16)}`);
          case 'spaced':
            return ` ${token} `;
          case 'doubled':
            return `${token}; session_id=${token}`;
        }
      }
    }
  };
  const cookie = step.cookie;
  if (cookie.type === 'session') headers.cookie = `session_id=${cookieText(cookie.value)}`;
  else if (cookie.type === 'syntax') headers.cookie = headerSafe(cookie.text);
  else if (cookie.type === 'headers') headers.cookie = cookie.values.map((value) => `session_id=${cookieText(value)}`);
  else if (cookie.type === 'many') {
    const pairs = Array.from({ length: cookie.count }, (_, index) => `c${index}=v${index}`);
    if (cookie.session !== null) pairs.splice(cookie.at % (pairs.length + 1), 0, `session_id=${cookieText(cookie.session)}`);
    headers.cookie = pairs.join('; ');
  }
  for (const [name, value] of step.headers) headers[name] = value;

  const routePath = step.route.id === undefined ? step.route.path : step.route.path.replace('{id}', pathId(step.route.id));
  const path = fitHead(step.route.method, routePath, headers);
  const raw: RawRequest = { method: step.route.method, path, headers, body, chunked: step.chunked };
  const bodyText = body === undefined ? '(none)' : truncate(JSON.stringify(body.toString('latin1')));
  const chunked = raw.chunked === true ? ' (chunked)' : '';
  const description = `${raw.method} ${raw.path} (generated)\nheaders ${truncate(JSON.stringify(headers))}\nbody ${bodyText}${chunked}`;
  return { raw, description };
}
