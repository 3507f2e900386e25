import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { oas31 } from 'zod-openapi';
import { OPENAPI_DOCUMENT } from '../../src/adapters/http/openapi-document.js';

/**
 * Checks HTTP responses against the service's OpenAPI 3.1 document (the one it generates and serves),
 * so that the document cannot drift from the code: every response the HTTP tests receive goes through
 * `check`, which throws a ContractViolation naming the method, path, status and what does not match.
 *
 * For the operation the method and path select: the status is documented for it (exactly, as `4XX`, or
 * `default`); every header the response marks `required` is there, and every documented one that is
 * there matches its schema (each value, for Set-Cookie); no body where none is documented (never for
 * HEAD), otherwise a documented Content-Type and, for JSON, a body its schema accepts (Ajv, JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1).
 *
 * What the document says in prose of requests no operation lists (info.description): a path that
 * matches no template is a 404 `NotFound`; on a listed path, OPTIONS is a 204 `Options`, HEAD where there
 * is GET is GET without a body, any other method a 405 `MethodNotAllowed`, with `Allow` naming exactly
 * the methods listed (and HEAD wherever there is GET); an unsafe method may get the cross-site 403, and any
 * request what Node answers itself and a 500. Paths match as the router matches them: case-insensitively,
 * with or without a trailing slash, without the query string.
 */

/** What violations name as the document checked against. */
export const OPENAPI_SOURCE = 'the OpenAPI document (src/adapters/http/openapi-document.ts)';

export const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type Reference = oas31.ReferenceObject;
type ResponseObject = oas31.ResponseObject;
export type OperationObject = oas31.OperationObject & { readonly responses: Readonly<Record<string, ResponseObject | Reference>> };
type PathItemObject = Partial<Record<(typeof OPERATION_METHODS)[number], OperationObject>>;
export type OpenApiDocument = Omit<oas31.OpenAPIObject, 'paths'> & { readonly paths: Readonly<Record<string, PathItemObject>> };
type Json = Record<string, unknown>;

/** A response as received: header names in any case, a repeated header (Set-Cookie) as an array. */
export interface ObservedResponse {
  readonly method: string;
  /** The request target as sent: may carry a query string or a fragment, or be in absolute form. */
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: string;
}

export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

/** The component responses that stand for what the document says of requests no operation lists. */
export const UNLISTED_RESPONSES = {
  notFound: 'NotFound',
  methodNotAllowed: 'MethodNotAllowed',
  options: 'Options',
  crossSite: 'CrossSiteRefused',
  /** Any request, any route: Node's own answers (not valid HTTP, headers too large, too slow) and a bug. */
  anyRequest: { '400': 'MalformedRequest', '408': 'RequestTimeout', '431': 'HeadersTooLarge', '500': 'InternalError' },
} as const;

// The methods the service's Origin check lets through from anywhere (src/adapters/http/routes/route.ts).
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Keywords of the OpenAPI 3.1 dialect that JSON Schema 2020-12 does not have.
const OAS_VOCABULARY = ['discriminator', 'xml', 'externalDocs', 'example'];
const SCHEMAS_ID = 'urn:auth-service:openapi:components:schemas';
// The document's references to component schemas, pointed at the one Ajv resource that holds them all.
const withComponentRefs = (schema: unknown): Json =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/$defs/`)) as Json;

const isReference = (value: unknown): value is Reference =>
  typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
const pointerOf = (segments: readonly string[]): string =>
  segments.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
const truncate = (text: string, max = 400): string => (text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`);
const headerOf = (observed: ObservedResponse, name: string) =>
  Object.entries(observed.headers).find(([key]) => key.toLowerCase() === name)?.[1];

/** The path part of a request target: no scheme and authority, query string or fragment. */
function requestPath(target: string): string {
  let path = target;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) path = URL.canParse(path) ? new URL(path).pathname : path;
  return path.split(/[?#]/, 1)[0] ?? '';
}

/** A template's matcher as @koa/router builds it by default: case-insensitive, trailing slash optional. */
function templateMatcher(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}/]+\})/)
    .map((part) => (/^\{[^}/]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(template === '/' ? '^/$' : `^${pattern.join('')}/?$`, 'i');
}

function errorsText(errors: readonly ErrorObject[] | null | undefined, subject = 'the body'): string {
  return (errors ?? [])
    .map((error) => {
      const extra = 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : '';
      const allowed = 'allowedValue' in error.params ? ` (${JSON.stringify(error.params.allowedValue)})` : '';
      const where = error.instancePath === '' ? subject : `${subject} at ${error.instancePath}`;
      return `${where} ${error.message ?? 'is invalid'}${extra}${allowed}`;
    })
    .join('; ');
}

interface Expectation {
  /** What the response is checked against, for messages: an operation, or a rule for unlisted requests. */
  readonly source: string;
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
  readonly listed: boolean;
  /** The methods the document lists for the matched path, to compare with Allow. */
  readonly allowed?: readonly string[];
}

export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true });
  private readonly validators = new Map<object, ValidateFunction>();
  private readonly routes: ReadonlyArray<{ readonly template: string; readonly matcher: RegExp; readonly item: PathItemObject }>;
  private checkedCount = 0;
  private readonly seen = new Set<string>();

  constructor(readonly document: OpenApiDocument) {
    this.ajv.addVocabulary(OAS_VOCABULARY);
    this.ajv.addSchema({ $id: SCHEMAS_ID, $defs: withComponentRefs(document.components?.schemas ?? {}) });
    this.routes = Object.entries(document.paths).map(([template, item]) => ({ template, matcher: templateMatcher(template), item }));
    // Every schema compiles now (strict: an unknown keyword or format is an error), not at first use.
    for (const { site } of this.schemaSites()) this.validator(site.schema);
    for (const schema of Object.values(document.components?.schemas ?? {})) this.validator(schema);
  }

  /** How many responses were checked. */
  get checked(): number {
    return this.checkedCount;
  }

  /** The responses of operations ("METHOD /path status") that checked responses matched so far. */
  get operationResponsesSeen(): ReadonlySet<string> {
    return this.seen;
  }

  /** Every response an operation documents, as "METHOD /path status". */
  operationResponses(): string[] {
    return this.responses()
      .filter(({ source }) => !source.startsWith('components/'))
      .map(({ source, status }) => `${source} ${status}`);
  }

  /** Throws a ContractViolation unless the response is one the document describes for the request. */
  check(observed: ObservedResponse): void {
    this.checkedCount += 1;
    const method = observed.method.toUpperCase();
    const expectation = this.expectationFor(method, requestPath(observed.path));
    const status = String(observed.status);
    const key = [status, `${status[0] ?? ''}XX`, 'default'].find((candidate) => candidate in expectation.responses);
    const fail = (problems: string[], what: string): never => {
      throw new ContractViolation(
        `${method} ${observed.path} → ${observed.status} does not match ${OPENAPI_SOURCE} (${what}):\n` +
          `${problems.map((problem) => `  - ${problem}`).join('\n')}\n  body: ${truncate(JSON.stringify(observed.body))}`,
      );
    };
    if (key === undefined) {
      fail([`status ${status} is not documented (documented: ${Object.keys(expectation.responses).join(', ')})`], expectation.source);
    }
    const { value: response, pointer } = this.resolve(expectation.responses[key as string] as ResponseObject, []);
    const problems = [
      ...this.headerProblems(observed, response),
      ...this.allowProblems(observed, status, method, expectation),
      ...this.bodyProblems(observed, method, response),
    ];
    if (problems.length > 0) {
      fail(problems, `${expectation.source}, response ${key as string}${pointer.length > 0 ? ` (${pointer[2] ?? ''})` : ''}`);
    }
    if (expectation.listed) this.seen.add(`${expectation.source} ${key as string}`);
  }

  /** The example values in the document that do not match their own schema, as messages. */
  exampleProblems(): string[] {
    const problems: string[] = [];
    const checkValue = (schema: unknown, value: unknown, where: string[]) => {
      const validate = this.validator(schema);
      if (!validate(value)) problems.push(`#${pointerOf(where)}: ${errorsText(validate.errors)}`);
    };
    for (const { site, pointer } of this.schemaSites()) {
      if (site.example !== undefined) checkValue(site.schema, site.example, [...pointer, 'example']);
      const schemaExample = (site.schema as Json).example;
      if (schemaExample !== undefined) checkValue(site.schema, schemaExample, [...pointer, 'schema', 'example']);
      for (const [name, example] of Object.entries(site.examples ?? {})) {
        checkValue(site.schema, this.resolve(example, []).value.value, [...pointer, 'examples', name]);
      }
    }
    for (const [name, schema] of Object.entries(this.document.components?.schemas ?? {})) {
      const { examples } = schema as Json;
      if (!Array.isArray(examples)) continue;
      examples.forEach((value, index) => checkValue(schema, value, ['components', 'schemas', name, 'examples', String(index)]));
    }
    return problems;
  }

  /** Every documented response, resolved, with where it is used from. */
  responses(): Array<{ readonly source: string; readonly status: string; readonly response: ResponseObject; readonly pointer: string[] }> {
    const found = Object.entries(this.document.paths).flatMap(([template, item]) =>
      OPERATION_METHODS.flatMap((method) =>
        Object.entries<ResponseObject | Reference>(item[method]?.responses ?? {}).map(([status, response]) => {
          const { value, pointer } = this.resolve(response, ['paths', template, method, 'responses', status]);
          return { source: `${method.toUpperCase()} ${template}`, status, response: value, pointer };
        }),
      ),
    );
    const components = Object.entries(this.document.components?.responses ?? {}).map(([name, response]) => {
      const { value, pointer } = this.resolve(response, ['components', 'responses', name]);
      return { source: `components/responses/${name}`, status: name, response: value, pointer };
    });
    return [...found, ...components];
  }

  /** Follows a local $ref (and a chain of them) to its value, and its JSON pointer in the document. */
  resolve<T>(value: T | Reference, pointer: string[]): { readonly value: T; readonly pointer: string[] } {
    let current: unknown = value;
    let at = pointer;
    for (let hops = 0; isReference(current); hops += 1) {
      const ref = current.$ref;
      if (!ref.startsWith('#/') || hops > 20) throw new Error(`${OPENAPI_SOURCE}: unsupported or circular $ref ${ref}`);
      at = ref
        .slice(2)
        .split('/')
        .map((segment) => decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~'));
      current = at.reduce<unknown>((node, segment) => (node as Json | undefined)?.[segment], this.document);
      if (current === undefined) throw new Error(`${OPENAPI_SOURCE}: $ref ${ref} points at nothing`);
    }
    return { value: current as T, pointer: at };
  }

  private expectationFor(method: string, path: string): Expectation {
    const unlisted = (source: string, responses: Record<string, string>, allowed?: readonly string[]): Expectation => {
      const names: Record<string, string> = {
        ...responses,
        ...UNLISTED_RESPONSES.anyRequest,
        ...(SAFE_METHODS.has(method) ? {} : { 403: UNLISTED_RESPONSES.crossSite }),
      };
      const all = Object.fromEntries(Object.entries(names).map(([status, name]) => [status, { $ref: `#/components/responses/${name}` }]));
      return { source, responses: all, listed: false, ...(allowed === undefined ? {} : { allowed }) };
    };
    const route = this.routes.find((candidate) => candidate.matcher.test(path));
    if (route === undefined) return unlisted('a path the document does not list', { '404': UNLISTED_RESPONSES.notFound });
    const listed = OPERATION_METHODS.filter((name) => route.item[name] !== undefined && name !== 'options').map((name) =>
      name.toUpperCase(),
    );
    const allowed = listed.includes('GET') && !listed.includes('HEAD') ? ['HEAD', ...listed] : listed;
    const lower = method.toLowerCase() as (typeof OPERATION_METHODS)[number];
    const operationMethod = route.item[lower] !== undefined ? lower : method === 'HEAD' && route.item.get !== undefined ? 'get' : undefined;
    if (operationMethod !== undefined) {
      const { responses } = route.item[operationMethod] as OperationObject;
      return { source: `${operationMethod.toUpperCase()} ${route.template}`, responses, listed: true, allowed };
    }
    if (method === 'OPTIONS') return unlisted(`OPTIONS ${route.template}`, { '204': UNLISTED_RESPONSES.options }, allowed);
    return unlisted(
      `${method} ${route.template}, a method the path does not list`,
      { '405': UNLISTED_RESPONSES.methodNotAllowed },
      allowed,
    );
  }

  private headerProblems(observed: ObservedResponse, response: ResponseObject): string[] {
    return Object.entries(response.headers ?? {}).flatMap(([name, headerOrRef]) => {
      const header = this.resolve(headerOrRef, []).value;
      const values = [headerOf(observed, name.toLowerCase()) ?? []].flat();
      if (values.length === 0) return header.required === true ? [`header ${name} is required but missing`] : [];
      if (header.schema === undefined) return [];
      const validate = this.validator(header.schema);
      // A header's text as the value its schema describes: a number where it says integer.
      const typed = (text: string) => ((header.schema as Json).type === 'integer' && /^-?\d+$/.test(text.trim()) ? Number(text) : text);
      return values
        .filter((value) => !validate(typed(value)))
        .map((value) => `header ${name}: ${errorsText(validate.errors, JSON.stringify(value))}`);
    });
  }

  private allowProblems(observed: ObservedResponse, status: string, method: string, expectation: Expectation): string[] {
    if (expectation.allowed === undefined || !(status === '405' || (method === 'OPTIONS' && status === '204'))) return [];
    const header = headerOf(observed, 'allow');
    if (header === undefined) return []; // a required header: reported as missing
    const allow = [header]
      .flat()
      .join(',')
      .split(',')
      .map((item) => item.trim().toUpperCase())
      .filter((item) => item !== '');
    const same = allow.length === expectation.allowed.length && expectation.allowed.every((item) => allow.includes(item));
    return same
      ? []
      : [`Allow is ${JSON.stringify(String(header))} but the document lists ${expectation.allowed.join(', ')} for this path`];
  }

  private bodyProblems(observed: ObservedResponse, method: string, response: ResponseObject): string[] {
    const documented = Object.keys(response.content ?? {});
    const contentType = [headerOf(observed, 'content-type') ?? ''].flat()[0] ?? '';
    const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
    const undocumentedType = `Content-Type ${JSON.stringify(contentType)} is not documented (documented: ${documented.join(', ')})`;
    if (method === 'HEAD' || documented.length === 0) {
      const body =
        observed.body === '' ? [] : [method === 'HEAD' ? 'a response to HEAD has a body' : 'the response has a body but documents none'];
      return [
        ...body,
        ...(method === 'HEAD' && mediaType !== '' && documented.length > 0 && !documented.includes(mediaType) ? [undocumentedType] : []),
      ];
    }
    if (!documented.includes(mediaType)) return [undocumentedType];
    const schema = response.content?.[mediaType]?.schema;
    if (schema === undefined || (mediaType !== 'application/json' && !mediaType.endsWith('+json'))) return [];
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      return ['the body is not JSON'];
    }
    const validate = this.validator(schema);
    return validate(body) ? [] : [errorsText(validate.errors)];
  }

  /** One compiled validator per schema object of the document. */
  private validator(schema: unknown): ValidateFunction {
    let validate = this.validators.get(schema as object);
    if (validate === undefined) {
      try {
        validate = this.ajv.compile(withComponentRefs(schema));
      } catch (error) {
        throw new Error(`${OPENAPI_SOURCE}: a schema does not compile: ${(error as Error).message}\n${truncate(JSON.stringify(schema))}`, {
          cause: error,
        });
      }
      this.validators.set(schema as object, validate);
    }
    return validate;
  }

  /** Every media type, header and parameter (where defined, not where referenced): whatever has a schema. */
  private schemaSites(): Array<{ readonly site: oas31.MediaTypeObject & { readonly schema: object }; readonly pointer: string[] }> {
    const found: Array<{ site: oas31.MediaTypeObject & { schema: object }; pointer: string[] }> = [];
    const visit = (node: unknown, pointer: string[]): void => {
      if (typeof node !== 'object' || node === null || isReference(node)) return;
      if (typeof (node as Json).schema === 'object') found.push({ site: node as oas31.MediaTypeObject & { schema: object }, pointer });
      for (const [key, value] of Object.entries(node))
        if (!['schema', 'schemas', 'example', 'examples'].includes(key)) visit(value, [...pointer, key]);
    };
    visit(this.document.paths, ['paths']);
    visit(this.document.components, ['components']);
    return found;
  }
}

let shared: OpenApiContract | undefined;

/** The service's document, as it serves it: what every HTTP test's response is checked against. */
export function apiContract(): OpenApiContract {
  shared ??= new OpenApiContract(OPENAPI_DOCUMENT as OpenApiDocument);
  return shared;
}

/** Headers of a fetch Response, with every Set-Cookie kept apart. */
export function fetchHeaders(headers: Headers): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = Object.fromEntries(headers.entries());
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) result['set-cookie'] = cookies;
  return result;
}

/**
 * Checks a raw exchange (the bytes of a request, and everything the server wrote back) against the
 * document: the method and target from the request line, the status, headers and body from the reply.
 */
export function checkRawExchange(requestText: string, replyText: string, contract = apiContract()): void {
  const [method = '', target = '/'] = (requestText.split('\r\n', 1)[0] ?? '').split(' ');
  const split = replyText.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = (split === -1 ? replyText : replyText.slice(0, split)).split('\r\n');
  const body = split === -1 ? '' : replyText.slice(split + 4);
  const headers: Record<string, string | string[]> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const existing = headers[name];
    headers[name] = existing === undefined ? line.slice(colon + 1).trim() : [existing, line.slice(colon + 1).trim()].flat();
  }
  const chunked = String(headers['transfer-encoding'] ?? '').toLowerCase() === 'chunked';
  contract.check({ method, path: target, status: Number(statusLine.split(' ')[1]), headers, body: chunked ? dechunk(body) : body });
}

/** The body of a chunked message (chunk sizes count bytes). */
function dechunk(text: string): string {
  let rest = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = lineEnd === -1 ? Number.NaN : Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) return Buffer.concat(chunks).toString('utf8');
    chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
    rest = rest.subarray(lineEnd + 2 + size + 2);
  }
}
