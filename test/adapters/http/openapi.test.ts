import { expect } from 'chai';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OPENAPI_DOCUMENT } from '../../../src/adapters/http/openapi-document.js';
import { buildHttpApp } from '../../../src/app/http-server.js';
import { clientFor, request, sendRaw } from '../../support/http-client.js';
import {
  apiContract,
  checkRawExchange,
  ContractViolation,
  OPENAPI_SOURCE,
  OPERATION_METHODS,
  OpenApiContract,
  UNLISTED_RESPONSES,
  type ObservedResponse,
  type OpenApiDocument,
  type OperationObject,
} from '../../support/openapi-contract.js';
import { rejection } from '../../support/rejection.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

// The document as the service serves it: JSON, as a client reads it.
const documentText = JSON.stringify(OPENAPI_DOCUMENT);
const freshDocument = (): OpenApiDocument => JSON.parse(documentText) as OpenApiDocument;

// Every response that test/support/http-client.ts and the raw-HTTP tests received in this run was
// checked against the document: say how many, once, after the last test of the run.
after(() => {
  const contract = apiContract();
  const documented = contract.operationResponses();
  const seen = documented.filter((response) => contract.operationResponsesSeen.has(response));
  console.log(
    `\n  OpenAPI contract: ${contract.checked.toLocaleString('en-US')} responses checked against ${OPENAPI_SOURCE}; ` +
      `${seen.length} of the ${documented.length} responses its operations document were seen`,
  );
  if (process.env.OPENAPI_UNSEEN === '1') console.log(documented.filter((response) => !seen.includes(response)).join('\n'));
});

function operations(document: OpenApiDocument): Array<{ method: string; path: string; operation: OperationObject }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    OPERATION_METHODS.flatMap((method) => {
      const operation = item[method];
      return operation === undefined ? [] : [{ method: method.toUpperCase(), path, operation }];
    }),
  );
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator), all of whose $refs resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(freshDocument());
    expect(result.errors, JSON.stringify(result.errors, null, 2)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
    expect(() => validator.resolveRefs()).not.to.throw();
  });

  it('is refused by that validator when broken (a response without its description, an unknown field)', async () => {
    const broken = freshDocument() as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>>;
    };
    delete broken.paths['/']?.get?.responses['200']?.description;
    expect((await new Validator().validate(broken)).valid).to.equal(false);
    const unknownField = { ...freshDocument(), colour: 'blue' };
    expect((await new Validator().validate(unknownField)).valid).to.equal(false);
  });

  it('has schemas that compile as JSON Schema 2020-12 in strict mode, and examples that match them', () => {
    const contract = new OpenApiContract(freshDocument());
    expect(contract.exampleProblems()).to.deep.equal([]);
  });

  it('as served at /openapi.json, lists exactly the routes and methods the router has, and is valid OpenAPI 3.1', async () => {
    const server = await startTestServer();
    try {
      const served = (await clientFor(server.url).get('/openapi.json')).body as OpenApiDocument;
      expect((await new Validator().validate(served)).valid).to.equal(true);
      const app = buildHttpApp(server.container);
      const routers = app.middleware
        .map((middleware) => (middleware as { router?: { stack: Array<{ path: string | RegExp; methods: string[] }> } }).router)
        .filter((router) => router !== undefined);
      expect(routers).to.have.length(1);
      const inCode = (routers[0]?.stack ?? []).flatMap((layer) =>
        layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`),
      );
      const documented = operations(served).map(({ method, path }) => `${method} ${path}`);
      expect(inCode).to.have.length.above(0);
      expect([...inCode].sort()).to.deep.equal([...documented].sort());
    } finally {
      await server.close();
    }
  });

  it('reads well: every operation has an id, tags, a summary and a description, every response a description', () => {
    const document = freshDocument();
    const contract = new OpenApiContract(document);
    for (const { method, path, operation } of operations(document)) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).to.be.a('string');
      expect(operation.summary, where).to.be.a('string').and.not.equal('');
      expect(operation.description, where).to.be.a('string').and.not.equal('');
      expect((operation as { tags?: unknown }).tags, where).to.be.an('array').that.is.not.empty;
    }
    for (const { source, status, response } of contract.responses())
      expect(response.description, `${source} ${status}`).to.be.a('string').and.not.equal('');
  });

  describe('states the contract on every operation', () => {
    const document = freshDocument();
    const contract = new OpenApiContract(document);
    const ops = operations(document);
    const statuses = (operation: OperationObject) => Object.keys(operation.responses);
    const resolved = (operation: OperationObject, status: string, path: string[]) =>
      contract.resolve(operation.responses[status] as never, [...path, 'responses', status]);

    it('every success body is an object with exactly its keys (additionalProperties: false)', () => {
      const closed = (schema: unknown, where: string): void => {
        const { value } = contract.resolve(schema as Record<string, unknown>, []) as { value: Record<string, unknown> };
        for (const branch of (value.oneOf ?? value.anyOf ?? []) as unknown[]) closed(branch, where);
        if (value.oneOf !== undefined || value.anyOf !== undefined) return;
        expect(value.type, where).to.equal('object');
        expect(value.additionalProperties, where).to.equal(false);
      };
      for (const { method, path, operation } of ops) {
        if (path === '/openapi.json') continue; // the document itself is open to extensions
        for (const status of statuses(operation).filter((code) => code < '400')) {
          const { value } = resolved(operation, status, ['paths', path, method.toLowerCase()]);
          const media = (value as { content?: Record<string, { schema: unknown }> }).content?.['application/json'];
          expect(media, `${method} ${path} ${status}`).not.to.equal(undefined);
          closed(media?.schema, `${method} ${path} ${status}`);
        }
      }
    });

    it('every error is {"code": string, "message": string}: the ErrorMessage schema, in JSON', () => {
      const errorResponses = contract
        .responses()
        .filter(({ status, source }) => (source.startsWith('components/') ? status !== UNLISTED_RESPONSES.options : /^[45]/.test(status)));
      expect(errorResponses.length).to.be.above(20);
      for (const { source, status, response } of errorResponses) {
        expect(Object.keys(response.content ?? {}), `${source} ${status}`).to.deep.equal(['application/json']);
        expect(response.content?.['application/json']?.schema, `${source} ${status}`).to.deep.equal({
          $ref: '#/components/schemas/ErrorMessage',
        });
      }
      expect(document.components?.schemas?.ErrorMessage).to.deep.include({ required: ['code', 'message'], additionalProperties: false });
    });

    it('every response carries X-Request-Id, a required header: what Node cannot parse too (unparsable-request.ts writes one)', () => {
      for (const { source, status, response } of contract.responses()) {
        expect(response.headers?.['X-Request-Id'], `${source} ${status}`).to.deep.equal({ $ref: '#/components/headers/X-Request-Id' });
      }
      expect(document.components?.headers?.['X-Request-Id']).to.deep.include({ required: true });
    });

    it("Node's own answers and a bug (400, 408, 431, 500) on every operation; 403 on every unsafe one", () => {
      for (const { method, path, operation } of ops) {
        expect(statuses(operation), `${method} ${path}`).to.include.members(['400', '408', '431', '500']);
        if (['POST', 'PUT', 'DELETE'].includes(method)) expect(statuses(operation), `${method} ${path}`).to.include('403');
      }
    });

    it('a body (both media types, 400, 413, 415) on exactly the routes that read one', () => {
      const withBody = ops.filter(({ operation }) => operation.requestBody !== undefined).map(({ method, path }) => `${method} ${path}`);
      expect(withBody.sort()).to.deep.equal([
        'DELETE /users/me',
        'POST /email_verification',
        'POST /reset_password',
        'POST /sessions',
        'POST /users',
        'PUT /email',
        'PUT /email_verification',
        'PUT /password',
        'PUT /reset_password',
      ]);
      for (const { method, path, operation } of ops.filter(({ operation }) => operation.requestBody !== undefined)) {
        const body = operation.requestBody as { required?: boolean; content: Record<string, unknown> };
        expect(body.required, `${method} ${path}`).to.equal(true);
        expect(Object.keys(body.content).sort(), `${method} ${path}`).to.deep.equal([
          'application/json',
          'application/x-www-form-urlencoded',
        ]);
        expect(statuses(operation), `${method} ${path}`).to.include.members(['400', '413', '415']);
      }
    });

    it('429 with Retry-After on exactly the nine rate-limited routes; 503 with Retry-After wherever the store is used', () => {
      const rateLimited = ops.filter(({ operation }) => '429' in operation.responses).map(({ method, path }) => `${method} ${path}`);
      expect(rateLimited.sort()).to.deep.equal([
        'DELETE /users/me',
        'POST /email_verification',
        'POST /reset_password',
        'POST /sessions',
        'POST /users',
        'PUT /email',
        'PUT /email_verification',
        'PUT /password',
        'PUT /reset_password',
      ]);
      const storeUsers = ops.filter(({ operation }) => '503' in operation.responses).map(({ method, path }) => `${method} ${path}`);
      expect(storeUsers.sort()).to.deep.equal([
        'DELETE /sessions',
        'DELETE /sessions/others',
        'DELETE /sessions/{id}',
        'DELETE /users/me',
        'GET /profile',
        'GET /readyz',
        'GET /sessions',
        'POST /email_verification',
        'POST /reset_password',
        'POST /sessions',
        'POST /users',
        'PUT /email',
        'PUT /email_verification',
        'PUT /password',
        'PUT /reset_password',
      ]);
      for (const { method, path, operation } of ops) {
        for (const status of ['429', '503'].filter((code) => code in operation.responses)) {
          const { value } = resolved(operation, status, ['paths', path, method.toLowerCase()]);
          expect((value as { headers?: Record<string, unknown> }).headers?.['Retry-After'], `${method} ${path} ${status}`).to.deep.equal({
            $ref: '#/components/headers/Retry-After',
          });
        }
      }
    });

    it('the session cookie: a security scheme on every route of a logged-in user, set by POST /sessions and PUT /password, cleared by DELETE /sessions, DELETE /users/me and (for its own session) DELETE /sessions/{id}', () => {
      expect(document.components)
        .to.have.nested.property('securitySchemes.sessionCookie')
        .that.deep.includes({ type: 'apiKey', in: 'cookie', name: 'session_id' });
      const secured = ops
        .filter(({ operation }) => ((operation as { security?: unknown[] }).security ?? []).length > 0)
        .map(({ method, path }) => `${method} ${path}`);
      expect(secured.sort()).to.deep.equal([
        'DELETE /sessions',
        'DELETE /sessions/others',
        'DELETE /sessions/{id}',
        'DELETE /users/me',
        'GET /profile',
        'GET /sessions',
        'PUT /email',
        'PUT /password',
      ]);
      expect(document.paths['/sessions']?.post?.responses['200']).to.have.nested.property('headers.Set-Cookie');
      expect(document.paths['/password']?.put?.responses['200']).to.have.nested.property('headers.Set-Cookie');
      expect(document.paths['/sessions']?.delete?.responses['302']).to.have.nested.property('headers.Set-Cookie');
      expect(document.paths['/sessions']?.delete?.responses['302']).to.have.nested.property('headers.Location');
      expect(document.paths['/users/me']?.delete?.responses['200']).to.have.nested.property('headers.Set-Cookie');
      expect(document.paths['/sessions/{id}']?.delete?.responses['200']).to.have.nested.property('headers.Set-Cookie');
    });
  });
});

describe('checking responses against the OpenAPI document', () => {
  const contract = new OpenApiContract(freshDocument());
  const REQUEST_ID = '6f1c2a4e-3b7d-4f0a-9c1e-8d2b5a7e9f10';
  const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': REQUEST_ID };
  const COOKIE = 'session_id=3sKUXQZH7NDjz5DK7eim4YBXzyTptN8G0anBEaIseuU; Max-Age=1209600; Path=/; HttpOnly; SameSite=Lax';

  const response = (
    method: string,
    path: string,
    status: number,
    body: unknown,
    headers: Record<string, string | string[]> = {},
  ): ObservedResponse => ({
    method,
    path,
    status,
    headers: { ...JSON_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  /** The ContractViolation's message for a response the document does not describe. */
  function violation(observed: ObservedResponse): string {
    try {
      contract.check(observed);
    } catch (error) {
      expect(error).to.be.instanceOf(ContractViolation);
      return (error as Error).message;
    }
    throw new Error(`accepted, but should not be: ${JSON.stringify(observed)}`);
  }

  describe('accepts what the document describes', () => {
    const accepted: Array<[string, ObservedResponse]> = [
      ['GET / 200', response('GET', '/', 200, { message: 'Bienvenue' })],
      ['POST /users 200', response('POST', '/users', 200, { email: 'bob@example.com', message: 'user created' })],
      ['POST /users 400', response('POST', '/users', 400, { code: 'invalid_input', message: 'email is required' })],
      [
        'POST /sessions 200 with its cookie',
        response('POST', '/sessions', 200, { email: 'bob@example.com', message: 'logged in' }, { 'set-cookie': [COOKIE] }),
      ],
      ['POST /sessions 401', response('POST', '/sessions', 401, { code: 'invalid_credentials', message: 'invalid email or password' })],
      [
        'DELETE /sessions 302',
        response(
          'DELETE',
          '/sessions',
          302,
          { message: 'logged out' },
          { location: '/', 'set-cookie': 'session_id=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax' },
        ),
      ],
      ['GET /profile 200', response('GET', '/profile', 200, { email: 'bob@example.com', email_verified: false })],
      [
        'POST /reset_password 200 (delivery response)',
        response('POST', '/reset_password', 200, { email: 'bob@example.com', reset_token: 'kq2Hn1cM3yG0cXyqH3Jd7Q0o1yB5x0Zt1Vq2sCq9b4E' }),
      ],
      [
        'POST /reset_password 200 (delivery email)',
        response('POST', '/reset_password', 200, { email: 'bob@example.com', message: 'reset instructions sent' }),
      ],
      [
        'PUT /reset_password 429',
        response(
          'PUT',
          '/reset_password',
          429,
          { code: 'too_many_attempts', message: 'too many attempts, please retry later' },
          { 'retry-after': '120' },
        ),
      ],
      [
        'GET /profile 503',
        response(
          'GET',
          '/profile',
          503,
          { code: 'store_unavailable', message: 'the service is temporarily unavailable, please retry' },
          { 'retry-after': '5' },
        ),
      ],
      [
        'GET /readyz 503',
        response('GET', '/readyz', 503, { code: 'not_ready', message: 'not ready: the store does not answer' }, { 'retry-after': '5' }),
      ],
      ['GET /healthz 200', response('GET', '/healthz', 200, { status: 'ok' })],
      ['GET / 431 from Node', response('GET', '/', 431, { code: 'headers_too_large', message: 'request header fields too large' })],
      ['an unknown path: 404', response('GET', '/nowhere', 404, { code: 'not_found', message: 'not found' })],
      [
        'an unknown path, POST from another site: 403',
        response('POST', '/nowhere', 403, { code: 'cross_site_refused', message: 'cross-site request refused' }),
      ],
      [
        'a method the path does not list: 405 with the right Allow',
        response(
          'PATCH',
          '/sessions',
          405,
          { code: 'method_not_allowed', message: 'method not allowed' },
          { allow: 'HEAD, GET, POST, DELETE' },
        ),
      ],
      ['HEAD on a GET path: as GET, without a body', response('HEAD', '/profile', 403, '')],
      ['HEAD on a path without GET: 405, without a body', response('HEAD', '/users', 405, '', { allow: 'POST' })],
      [
        'OPTIONS on a listed path: 204 with Allow',
        { method: 'OPTIONS', path: '/', status: 204, headers: { 'x-request-id': REQUEST_ID, allow: 'HEAD, GET' }, body: '' },
      ],
      [
        'a path as the router matches it: any case, a trailing slash, a query, absolute form',
        response('POST', 'http://127.0.0.1:5000/USERS/?x=1#y', 400, { code: 'invalid_input', message: 'email is required' }),
      ],
    ];
    for (const [title, observed] of accepted) {
      it(title, () => {
        expect(() => contract.check(observed)).not.to.throw();
      });
    }
  });

  describe('throws, naming method, path, status and the mismatch, on', () => {
    it('an extra key on a success body', () => {
      const message = violation(response('GET', '/profile', 200, { email: 'bob@example.com', password_hash: 'x' }));
      expect(message).to.match(/^GET \/profile → 200 does not match the OpenAPI document \(src\/adapters\/http\/openapi-document\.ts\)/);
      expect(message).to.contain('must NOT have additional properties (password_hash)');
    });

    it('a missing key, a wrong constant, a value of the wrong shape', () => {
      expect(violation(response('POST', '/users', 200, { email: 'bob@example.com' }))).to.contain("must have required property 'message'");
      expect(violation(response('POST', '/users', 200, { email: 'bob@example.com', message: 'created' }))).to.contain(
        'must be equal to constant',
      );
      expect(violation(response('GET', '/profile', 200, { email: 'Bob@Example.com' }))).to.contain('/email must match pattern');
    });

    it('a reset answer that mixes both deliveries', () => {
      const message = violation(
        response('POST', '/reset_password', 200, {
          email: 'bob@example.com',
          reset_token: 'kq2Hn1cM3yG0cXyqH3Jd7Q0o1yB5x0Zt1Vq2sCq9b4E',
          message: 'reset instructions sent',
        }),
      );
      expect(message).to.contain('must match exactly one schema in oneOf');
    });

    it('an undocumented status', () => {
      const message = violation(response('GET', '/', 418, { message: "I'm a teapot" }));
      expect(message).to.match(/^GET \/ → 418 /);
      expect(message).to.contain('status 418 is not documented (documented: 200, 400, 408, 431, 500)');
      expect(violation(response('GET', '/profile', 401, { message: 'no' }))).to.contain('status 401 is not documented');
    });

    it('an error body with another key, or a message that is not a string', () => {
      expect(violation(response('POST', '/sessions', 401, { message: 'invalid email or password', stack: 'at x' }))).to.contain('(stack)');
      expect(violation(response('POST', '/sessions', 401, { message: 401 }))).to.contain('/message must be string');
      expect(violation(response('POST', '/sessions', 401, { error: 'invalid' }))).to.contain("must have required property 'message'");
    });

    it('a missing required header, or one of the wrong shape', () => {
      expect(violation(response('POST', '/sessions', 200, { email: 'bob@example.com', message: 'logged in' }))).to.contain(
        'header Set-Cookie is required but missing',
      );
      expect(
        violation(
          response(
            'POST',
            '/sessions',
            200,
            { email: 'bob@example.com', message: 'logged in' },
            { 'set-cookie': COOKIE.replace('; HttpOnly', '') },
          ),
        ),
      ).to.contain('header Set-Cookie');
      expect(violation(response('POST', '/users', 429, { message: 'slow down' }))).to.contain('header Retry-After is required but missing');
      expect(
        violation(response('POST', '/users', 429, { message: 'slow down' }, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' })),
      ).to.contain('must be integer');
      expect(
        violation(
          response(
            'DELETE',
            '/sessions',
            302,
            { message: 'logged out' },
            { location: '/profile', 'set-cookie': 'session_id=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax' },
          ),
        ),
      ).to.contain('header Location');
      const withoutId = { ...response('GET', '/', 200, { message: 'Bienvenue' }), headers: { 'content-type': 'application/json' } };
      expect(violation(withoutId)).to.contain('header X-Request-Id is required but missing');
      const nodeWithoutId = {
        ...response('GET', '/', 431, { code: 'headers_too_large', message: 'request header fields too large' }),
        headers: { 'content-type': 'application/json' },
      };
      expect(violation(nodeWithoutId)).to.contain('header X-Request-Id is required but missing');
    });

    it('a body that is not JSON, of another content type, or where none is documented', () => {
      expect(violation(response('GET', '/', 200, 'Bienvenue'))).to.contain('the body is not JSON');
      expect(violation(response('GET', '/', 200, '<p>Bienvenue</p>', { 'content-type': 'text/html' }))).to.contain(
        'Content-Type "text/html" is not documented',
      );
      expect(violation(response('HEAD', '/', 200, '{"message":"Bienvenue"}'))).to.contain('a response to HEAD has a body');
      expect(
        violation({ method: 'OPTIONS', path: '/', status: 204, headers: { 'x-request-id': REQUEST_ID, allow: 'HEAD, GET' }, body: '{}' }),
      ).to.contain('has a body but documents none');
    });

    it('an unknown path answered with anything but an error of the documented shape', () => {
      expect(violation(response('GET', '/nowhere', 200, { message: 'Bienvenue' }))).to.contain('status 200 is not documented');
      expect(violation(response('GET', '/nowhere', 403, { message: 'cross-site request refused' }))).to.contain(
        'status 403 is not documented',
      );
      expect(violation(response('GET', '/users/1', 404, { message: 'not found', path: '/users/1' }))).to.contain('(path)');
      expect(violation(response('GET', '//users', 405, { message: 'method not allowed' }, { allow: 'POST' }))).to.contain(
        'status 405 is not documented',
      );
    });

    it('a 405 or OPTIONS whose Allow is not what the document lists for the path', () => {
      expect(violation(response('PUT', '/profile', 405, { message: 'method not allowed' }, { allow: 'HEAD, GET, PUT' }))).to.contain(
        'Allow is "HEAD, GET, PUT" but the document lists HEAD, GET for this path',
      );
      expect(violation(response('PATCH', '/users', 405, { message: 'method not allowed' }))).to.contain(
        'header Allow is required but missing',
      );
      expect(
        violation({
          method: 'OPTIONS',
          path: '/reset_password',
          status: 204,
          headers: { 'x-request-id': REQUEST_ID, allow: 'POST' },
          body: '',
        }),
      ).to.contain('Allow is "POST"');
    });
  });

  describe('request() in test/support/http-client.ts', () => {
    let offContract: Server;
    let url: string;

    before(async () => {
      // A server that answers GET / with one key too many.
      offContract = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': REQUEST_ID });
        res.end(JSON.stringify({ message: 'Bienvenue', debug: 'x' }));
      });
      await new Promise<void>((resolve) => offContract.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(offContract.address() as AddressInfo).port}`;
    });

    after(async () => {
      await new Promise<void>((resolve) => offContract.close(() => resolve()));
    });

    it('throws on a response that does not match, so that no HTTP test can pass on one', async () => {
      const before = apiContract().checked;
      const error = await rejection(request(url, 'GET', '/?lang=fr'));
      expect(error).to.be.instanceOf(ContractViolation);
      expect(error.message).to.match(/^GET \/\?lang=fr → 200 does not match/);
      expect(error.message).to.contain('must NOT have additional properties (debug)');
      expect(apiContract().checked).to.equal(before + 1);
    });
  });

  describe('checkRawExchange (raw HTTP tests)', () => {
    it('reads the method and path from the request line, status, headers and body from the reply', () => {
      const ok = 'HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: abc\r\n\r\n{"message":"Bienvenue"}';
      expect(() => checkRawExchange('GET /?a=1 HTTP/1.1\r\nHost: x\r\n\r\n', ok, contract)).not.to.throw();
      const chunked =
        'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: abc\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"sta\r\n9\r\ntus":"ok"\r\n1\r\n}\r\n0\r\n\r\n';
      expect(() => checkRawExchange('GET /healthz HTTP/1.1\r\n\r\n', chunked, contract)).not.to.throw();
      const nodeAnswer =
        'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: abc\r\nConnection: close\r\n\r\n{"code":"unparsable_request","message":"bad request"}';
      expect(() => checkRawExchange('GARBAGE / NOT-HTTP\r\n\r\n', nodeAnswer, contract)).not.to.throw();
      expect(() => checkRawExchange('GET /healthz HTTP/1.1\r\n\r\n', ok, contract)).to.throw(ContractViolation, /GET \/healthz → 200/);
    });
  });
});

describe('GET /openapi.json', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server.close();
  });

  it('serves exactly the document generated from the routes, as JSON', async () => {
    const reply = await clientFor(server.url).get('/openapi.json');
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-type')).to.match(/^application\/json/);
    expect(reply.body).to.deep.equal(JSON.parse(documentText));
  });

  it('answers HEAD and OPTIONS as every path does, and refuses other methods with 405', async () => {
    const api = clientFor(server.url);
    expect((await api.send('HEAD', '/openapi.json')).status).to.equal(200);
    const options = await api.send('OPTIONS', '/openapi.json');
    expect(options.status).to.equal(204);
    expect(options.headers.get('allow')).to.equal('HEAD, GET');
    expect((await api.post('/openapi.json')).status).to.equal(405);
    const raw = await sendRaw(server.url, { method: 'PROPFIND', path: '/OpenAPI.json' });
    expect(() =>
      apiContract().check({ method: 'PROPFIND', path: '/OpenAPI.json', status: raw.status, headers: raw.headers, body: raw.text }),
    ).not.to.throw();
    expect(raw.status).to.equal(405);
  });
});
