import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Checks HTTP responses against the service's OpenAPI 3.1 document, so that the document cannot drift
 * from the code: every response the HTTP tests receive goes through `check`, which throws a
 * ContractViolation naming the method, path, status and what does not match.
 *
 * What is checked, for the operation the method and path select:
 * - the status is documented for it (exactly, or as `4XX`, or `default`);
 * - every header the response object marks `required` is there, and every documented header that is
 *   there matches its schema (each value, for a repeated one such as Set-Cookie);
 * - the body: none when the response documents no content (and never for HEAD); otherwise its
 *   Content-Type is one documented and, for JSON, it parses and matches the schema (Ajv, JSON Schema
 *   2020-12, the dialect of OpenAPI 3.1).
 *
 * What the document says in prose of requests no operation lists (info.description), in code:
 * - a path that matches no template: 404 `NotFound`;
 * - a listed path, OPTIONS: 204 `Options`; HEAD where there is GET: GET's responses, without a body;
 *   any other method it does not list: 405 `MethodNotAllowed`. `Allow` must name exactly the methods
 *   the document lists for the path (with HEAD wherever there is GET);
 * - either way, an unsafe method may get the cross-site 403 `CrossSiteRefused`, and any request the
 *   responses Node's HTTP server writes itself, and a 500.
 * Paths match as the router matches them: case-insensitively, with or without a trailing slash,
 * without the query string.
 */

/** Where the document lives, from the repository's root. */
export const OPENAPI_FILE = 'src/adapters/http/openapi.json';
const OPENAPI_PATH = fileURLToPath(new URL(`../../${OPENAPI_FILE}`, import.meta.url));

interface Reference {
  readonly $ref: string;
}
type JsonSchema = Record<string, unknown>;
interface HeaderObject {
  readonly required?: boolean;
  readonly schema?: JsonSchema;
  readonly example?: unknown;
}
interface ExampleObject {
  readonly value?: unknown;
}
interface MediaTypeObject {
  readonly schema?: JsonSchema;
  readonly example?: unknown;
  readonly examples?: Readonly<Record<string, ExampleObject | Reference>>;
}
interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderObject | Reference>>;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
}
interface ParameterObject {
  readonly name: string;
  readonly in: string;
  readonly schema?: JsonSchema;
  readonly example?: unknown;
}
interface RequestBodyObject {
  readonly content: Readonly<Record<string, MediaTypeObject>>;
}
export interface OperationObject {
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly parameters?: ReadonlyArray<ParameterObject | Reference>;
  readonly requestBody?: RequestBodyObject | Reference;
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
}
export const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type OperationMethod = (typeof OPERATION_METHODS)[number];
export type PathItemObject = Partial<Record<OperationMethod, OperationObject>>;
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, PathItemObject>>;
  readonly components?: {
    readonly schemas?: Readonly<Record<string, JsonSchema>>;
    readonly responses?: Readonly<Record<string, ResponseObject | Reference>>;
    readonly headers?: Readonly<Record<string, HeaderObject | Reference>>;
    readonly parameters?: Readonly<Record<string, ParameterObject | Reference>>;
  };
}

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

// The methods the service's Origin check lets through from anywhere (src/adapters/http/origin-check.ts).
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Keywords of the OpenAPI 3.1 dialect that JSON Schema 2020-12 does not have.
const OAS_VOCABULARY = ['discriminator', 'xml', 'externalDocs', 'example'];
const SCHEMAS_ID = 'urn:auth-service:openapi:components:schemas';
const COMPONENT_SCHEMA_REF = '#/components/schemas/';

/** A copy of a schema whose references to component schemas point at the SCHEMAS_ID resource. */
function pointRefsAtComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pointRefsAtComponents);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (key !== '$ref' || typeof item !== 'string') return [key, pointRefsAtComponents(item)];
      if (!item.startsWith(COMPONENT_SCHEMA_REF)) throw new Error(`${OPENAPI_FILE}: a schema's $ref must name a component schema, not ${item}`);
      return [key, `${SCHEMAS_ID}#/$defs/${item.slice(COMPONENT_SCHEMA_REF.length)}`];
    }),
  );
}

const isReference = (value: unknown): value is Reference =>
  typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';

const escapePointer = (segment: string): string => segment.replaceAll('~', '~0').replaceAll('/', '~1');
const pointerOf = (segments: readonly string[]): string => segments.map((segment) => `/${escapePointer(segment)}`).join('');

function truncate(text: string, max = 400): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** The path part of a request target: no scheme and authority, query string or fragment. */
export function requestPath(target: string): string {
  let path = target;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      // Left as is: it then matches no template.
    }
  }
  return path.split(/[?#]/, 1)[0] ?? '';
}

/** A template's matcher as @koa/router builds it by default: case-insensitive, trailing slash optional. */
function templateMatcher(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}/]+\})/)
    .map((part) => (/^\{[^}/]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(template === '/' ? '^/$' : `^${pattern}/?$`, 'i');
}

function errorsText(errors: readonly ErrorObject[] | null | undefined, subject = 'the body'): string {
  return (errors ?? [])
    .map((error) => {
      const where = error.instancePath === '' ? subject : `${subject} at ${error.instancePath}`;
      const extra = 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : '';
      const allowed = 'allowedValue' in error.params ? ` (${JSON.stringify(error.params.allowedValue)})` : '';
      return `${where} ${error.message ?? 'is invalid'}${extra}${allowed}`;
    })
    .join('; ');
}

interface Resolved<T> {
  readonly value: T;
  /** Its JSON pointer in the document, for schema look-ups and messages. */
  readonly pointer: string[];
}

interface Expectation {
  /** What the response is checked against, for messages: an operation, or a rule for unlisted requests. */
  readonly source: string;
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
  readonly pointer: string[];
  /** The methods the document lists for the matched path, to compare with Allow. */
  readonly allowed?: readonly string[];
}

export class OpenApiContract {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: ReadonlyArray<{ readonly template: string; readonly matcher: RegExp; readonly item: PathItemObject }>;
  private checkedCount = 0;
  private readonly seen = new Set<string>();

  static fromFile(path = OPENAPI_PATH): OpenApiContract {
    return new OpenApiContract(JSON.parse(readFileSync(path, 'utf8')) as OpenApiDocument);
  }

  constructor(readonly document: OpenApiDocument) {
    this.ajv = new Ajv2020({ strict: true, allErrors: true });
    this.ajv.addVocabulary(OAS_VOCABULARY);
    // The component schemas as one resource, which every "#/components/schemas/…" is pointed at.
    this.ajv.addSchema({ $id: SCHEMAS_ID, $defs: pointRefsAtComponents(document.components?.schemas ?? {}) });
    this.routes = Object.entries(document.paths).map(([template, item]) => ({ template, matcher: templateMatcher(template), item }));
    // Every schema compiles now (strict: an unknown keyword or format is an error), not at first use.
    for (const pointer of this.schemaPointers()) this.validator(pointer);
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
    return Object.entries(this.document.paths).flatMap(([template, item]) =>
      OPERATION_METHODS.flatMap((method) => Object.keys(item[method]?.responses ?? {}).map((status) => `${method.toUpperCase()} ${template} ${status}`)),
    );
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
        `${method} ${observed.path} → ${observed.status} does not match ${OPENAPI_FILE} (${what}):\n` +
          `${problems.map((problem) => `  - ${problem}`).join('\n')}\n  body: ${truncate(JSON.stringify(observed.body))}`,
      );
    };
    if (key === undefined) {
      fail([`status ${status} is not documented (documented: ${Object.keys(expectation.responses).join(', ')})`], expectation.source);
    }
    const { value: response, pointer } = this.resolve<ResponseObject>(expectation.responses[key as string] as ResponseObject, [
      ...expectation.pointer,
      key as string,
    ]);
    const what = `${expectation.source}, response ${key as string}${pointer[0] === 'components' ? ` (${pointer[2] ?? ''})` : ''}`;
    const problems = [
      ...this.headerProblems(observed, response, pointer),
      ...this.allowProblems(observed, status, method, expectation),
      ...this.bodyProblems(observed, method, response, pointer),
    ];
    if (problems.length > 0) fail(problems, what);
    if (expectation.pointer[0] === 'paths') this.seen.add(`${expectation.source} ${key as string}`);
  }

  /** The example values in the document that do not match their own schema, as messages. */
  exampleProblems(): string[] {
    const problems: string[] = [];
    const checkValue = (schemaPointer: string[], value: unknown, where: string) => {
      const validate = this.validator(schemaPointer);
      if (!validate(value)) problems.push(`${where}: ${errorsText(validate.errors)}`);
    };
    this.walk({
      mediaType: (media, pointer) => {
        if (media.schema === undefined) return;
        if (media.example !== undefined) checkValue([...pointer, 'schema'], media.example, pointerOf([...pointer, 'example']));
        for (const [name, example] of Object.entries(media.examples ?? {})) {
          const { value } = this.resolve<ExampleObject>(example, [...pointer, 'examples', name]);
          checkValue([...pointer, 'schema'], value.value, pointerOf([...pointer, 'examples', name]));
        }
      },
      header: (header, pointer) => {
        if (header.schema !== undefined && header.example !== undefined) {
          checkValue([...pointer, 'schema'], header.example, pointerOf([...pointer, 'example']));
        }
      },
      parameter: (parameter, pointer) => {
        if (parameter.schema !== undefined && parameter.example !== undefined) {
          checkValue([...pointer, 'schema'], parameter.example, pointerOf([...pointer, 'example']));
        }
      },
    });
    for (const [name, schema] of Object.entries(this.document.components?.schemas ?? {})) {
      const examples = schema.examples;
      if (!Array.isArray(examples)) continue;
      examples.forEach((value, index) => checkValue(['components', 'schemas', name], value, `#/components/schemas/${name}/examples/${index}`));
    }
    return problems;
  }

  /** Every documented response, resolved, with where it is used from. */
  responses(): Array<{ readonly source: string; readonly status: string; readonly response: ResponseObject; readonly pointer: string[] }> {
    const found: Array<{ source: string; status: string; response: ResponseObject; pointer: string[] }> = [];
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of OPERATION_METHODS) {
        const operation = item[method];
        if (operation === undefined) continue;
        for (const [status, response] of Object.entries(operation.responses)) {
          const resolved = this.resolve<ResponseObject>(response, ['paths', template, method, 'responses', status]);
          found.push({ source: `${method.toUpperCase()} ${template}`, status, response: resolved.value, pointer: resolved.pointer });
        }
      }
    }
    for (const [name, response] of Object.entries(this.document.components?.responses ?? {})) {
      const resolved = this.resolve<ResponseObject>(response, ['components', 'responses', name]);
      found.push({ source: `components/responses/${name}`, status: name, response: resolved.value, pointer: resolved.pointer });
    }
    return found;
  }

  /** Follows a local $ref (and a chain of them) to its value. */
  resolve<T>(value: T | Reference, pointer: string[]): Resolved<T> {
    let current: unknown = value;
    let at = pointer;
    for (let hops = 0; isReference(current); hops += 1) {
      const ref = current.$ref;
      if (!ref.startsWith('#/') || hops > 20) throw new Error(`${OPENAPI_FILE}: unsupported or circular $ref ${ref} at ${pointerOf(at)}`);
      at = ref
        .slice(2)
        .split('/')
        .map((segment) => decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~'));
      current = at.reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], this.document);
      if (current === undefined) throw new Error(`${OPENAPI_FILE}: $ref ${ref} points at nothing`);
    }
    return { value: current as T, pointer: at };
  }

  private expectationFor(method: string, path: string): Expectation {
    const unlisted = (name: string, responses: Record<string, string>, allowed?: readonly string[]): Expectation => {
      const all: Record<string, Reference> = {};
      for (const [status, component] of Object.entries({ ...responses, ...UNLISTED_RESPONSES.anyRequest })) {
        all[status] = { $ref: `#/components/responses/${component}` };
      }
      if (!SAFE_METHODS.has(method)) all['403'] = { $ref: `#/components/responses/${UNLISTED_RESPONSES.crossSite}` };
      return { source: name, responses: all, pointer: ['x-unlisted', name], ...(allowed === undefined ? {} : { allowed }) };
    };
    const route = this.routes.find((candidate) => candidate.matcher.test(path));
    if (route === undefined) return unlisted('a path the document does not list', { '404': UNLISTED_RESPONSES.notFound });
    const listed = OPERATION_METHODS.filter((name) => route.item[name] !== undefined && name !== 'options').map((name) => name.toUpperCase());
    const allowed = listed.includes('GET') && !listed.includes('HEAD') ? ['HEAD', ...listed] : listed;
    const lower = method.toLowerCase() as OperationMethod;
    const operationMethod = route.item[lower] !== undefined ? lower : method === 'HEAD' && route.item.get !== undefined ? 'get' : undefined;
    if (operationMethod !== undefined) {
      const operation = route.item[operationMethod] as OperationObject;
      return {
        source: `${operationMethod.toUpperCase()} ${route.template}`,
        responses: operation.responses,
        pointer: ['paths', route.template, operationMethod, 'responses'],
        allowed,
      };
    }
    if (method === 'OPTIONS') return unlisted(`OPTIONS ${route.template}`, { '204': UNLISTED_RESPONSES.options }, allowed);
    return unlisted(`${method} ${route.template}, a method the path does not list`, { '405': UNLISTED_RESPONSES.methodNotAllowed }, allowed);
  }

  private headerProblems(observed: ObservedResponse, response: ResponseObject, pointer: string[]): string[] {
    const problems: string[] = [];
    const received = new Map<string, string[]>();
    for (const [name, value] of Object.entries(observed.headers)) {
      if (value === undefined) continue;
      received.set(name.toLowerCase(), typeof value === 'string' ? [value] : [...value]);
    }
    for (const [name, headerOrRef] of Object.entries(response.headers ?? {})) {
      const { value: header, pointer: headerPointer } = this.resolve<HeaderObject>(headerOrRef, [...pointer, 'headers', name]);
      const values = received.get(name.toLowerCase()) ?? [];
      if (values.length === 0) {
        if (header.required === true) problems.push(`header ${name} is required but missing`);
        continue;
      }
      if (header.schema === undefined) continue;
      const validate = this.validator([...headerPointer, 'schema']);
      for (const value of values) {
        if (!validate(headerValue(value, header.schema))) {
          problems.push(`header ${name}: ${errorsText(validate.errors, JSON.stringify(value))}`);
        }
      }
    }
    return problems;
  }

  private allowProblems(observed: ObservedResponse, status: string, method: string, expectation: Expectation): string[] {
    if (expectation.allowed === undefined || !(status === '405' || (method === 'OPTIONS' && status === '204'))) return [];
    const header = Object.entries(observed.headers).find(([name]) => name.toLowerCase() === 'allow')?.[1];
    if (header === undefined) return []; // a required header: reported as missing
    const allow = [header]
      .flat()
      .join(',')
      .split(',')
      .map((item) => item.trim().toUpperCase())
      .filter((item) => item !== '');
    const same = allow.length === expectation.allowed.length && expectation.allowed.every((item) => allow.includes(item));
    return same ? [] : [`Allow is ${JSON.stringify(String(header))} but the document lists ${expectation.allowed.join(', ')} for this path`];
  }

  private bodyProblems(observed: ObservedResponse, method: string, response: ResponseObject, pointer: string[]): string[] {
    const documented = Object.keys(response.content ?? {});
    const contentTypeHeader = Object.entries(observed.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    const contentType = [contentTypeHeader ?? ''].flat()[0] ?? '';
    const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
    if (method === 'HEAD' || documented.length === 0) {
      const problems: string[] = [];
      if (observed.body !== '') problems.push(method === 'HEAD' ? 'a response to HEAD has a body' : 'the response has a body but documents none');
      if (method === 'HEAD' && mediaType !== '' && documented.length > 0 && !documented.includes(mediaType)) {
        problems.push(`Content-Type ${JSON.stringify(contentType)} is not documented (documented: ${documented.join(', ')})`);
      }
      return problems;
    }
    if (!documented.includes(mediaType)) {
      return [`Content-Type ${JSON.stringify(contentType)} is not documented (documented: ${documented.join(', ')})`];
    }
    const media = (response.content ?? {})[mediaType] as MediaTypeObject;
    if (media.schema === undefined) return [];
    if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) return [];
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      return ['the body is not JSON'];
    }
    const validate = this.validator([...pointer, 'content', mediaType, 'schema']);
    return validate(body) ? [] : [errorsText(validate.errors)];
  }

  private validator(pointer: string[]): ValidateFunction {
    const key = pointerOf(pointer);
    let validate = this.validators.get(key);
    if (validate === undefined) {
      const schema = pointer.reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], this.document);
      if (typeof schema !== 'object' || schema === null) throw new Error(`${OPENAPI_FILE}: no schema at ${key}`);
      try {
        validate = this.ajv.compile(pointRefsAtComponents(schema) as JsonSchema);
      } catch (error) {
        throw new Error(`${OPENAPI_FILE}: the schema at ${key} does not compile: ${(error as Error).message}`, { cause: error });
      }
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** Every place in the document where a schema is, as a pointer. */
  private schemaPointers(): string[][] {
    const pointers: string[][] = [];
    this.walk({
      mediaType: (media, pointer) => {
        if (media.schema !== undefined) pointers.push([...pointer, 'schema']);
      },
      header: (header, pointer) => {
        if (header.schema !== undefined) pointers.push([...pointer, 'schema']);
      },
      parameter: (parameter, pointer) => {
        if (parameter.schema !== undefined) pointers.push([...pointer, 'schema']);
      },
    });
    for (const name of Object.keys(this.document.components?.schemas ?? {})) pointers.push(['components', 'schemas', name]);
    return pointers;
  }

  /** Visits every media type, header and parameter of every operation and component (where defined, not where referenced). */
  private walk(visit: {
    mediaType: (media: MediaTypeObject, pointer: string[]) => void;
    header: (header: HeaderObject, pointer: string[]) => void;
    parameter: (parameter: ParameterObject, pointer: string[]) => void;
  }): void {
    const visitResponse = (response: ResponseObject | Reference, pointer: string[]) => {
      if (isReference(response)) return;
      for (const [type, media] of Object.entries(response.content ?? {})) visit.mediaType(media, [...pointer, 'content', type]);
      for (const [name, header] of Object.entries(response.headers ?? {})) {
        if (!isReference(header)) visit.header(header, [...pointer, 'headers', name]);
      }
    };
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of OPERATION_METHODS) {
        const operation = item[method];
        if (operation === undefined) continue;
        const at = ['paths', template, method];
        (operation.parameters ?? []).forEach((parameter, index) => {
          if (!isReference(parameter)) visit.parameter(parameter, [...at, 'parameters', String(index)]);
        });
        const body = operation.requestBody;
        if (body !== undefined && !isReference(body)) {
          for (const [type, media] of Object.entries(body.content)) visit.mediaType(media, [...at, 'requestBody', 'content', type]);
        }
        for (const [status, response] of Object.entries(operation.responses)) visitResponse(response, [...at, 'responses', status]);
      }
    }
    const components = this.document.components ?? {};
    for (const [name, response] of Object.entries(components.responses ?? {})) visitResponse(response, ['components', 'responses', name]);
    for (const [name, header] of Object.entries(components.headers ?? {})) {
      if (!isReference(header)) visit.header(header, ['components', 'headers', name]);
    }
    for (const [name, parameter] of Object.entries(components.parameters ?? {})) {
      if (!isReference(parameter)) visit.parameter(parameter, ['components', 'parameters', name]);
    }
  }
}

/** A header's text as the value its schema describes: a number where it says integer or number. */
function headerValue(text: string, schema: JsonSchema): unknown {
  const type = schema.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
  return text;
}

let shared: OpenApiContract | undefined;

/** The document in the repository, loaded once per test run: what every HTTP test's response is checked against. */
export function apiContract(): OpenApiContract {
  shared ??= OpenApiContract.fromFile();
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
  const head = split === -1 ? replyText : replyText.slice(0, split);
  let body = split === -1 ? '' : replyText.slice(split + 4);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string | string[]> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [existing, value].flat();
  }
  if (String(headers['transfer-encoding'] ?? '').toLowerCase() === 'chunked') body = dechunk(body);
  contract.check({ method, path: target, status: Number(statusLine.split(' ')[1]), headers, body });
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
