import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import { OPENAPI_INFO } from './openapi-info.js';
import { SHARED_RESPONSES } from './openapi-responses.js';
import { OriginHeader, SESSION_SECURITY_SCHEME } from './openapi-schemas.js';
import { ROUTES } from './routes/index.js';
import { changesState, type Route } from './routes/route.js';

const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'] as const;

/** The answers a route gives besides its own: what Node, the envelope, the Origin check and the body parser may answer. */
function sharedResponses(definition: Route): Record<string, ZodOpenApiResponseObject> {
  return {
    400: definition.body === undefined ? SHARED_RESPONSES.malformedRequest : SHARED_RESPONSES.badRequest,
    408: SHARED_RESPONSES.requestTimeout,
    431: SHARED_RESPONSES.headersTooLarge,
    500: SHARED_RESPONSES.internalError,
    ...(changesState(definition) ? { 403: SHARED_RESPONSES.crossSiteRefused } : {}),
    ...(definition.body === undefined ? {} : { 413: SHARED_RESPONSES.payloadTooLarge, 415: SHARED_RESPONSES.unsupportedMediaType }),
  };
}

function operationOf(definition: Route): ZodOpenApiOperationObject {
  const { body } = definition;
  return {
    ...definition.doc,
    requestParams: {
      ...(changesState(definition) ? { header: z.object({ Origin: OriginHeader }) } : {}),
      ...(definition.pathParameters === undefined ? {} : { path: definition.pathParameters }),
    },
    ...(body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            description: body.description,
            content: Object.fromEntries(BODY_TYPES.map((type) => [type, { schema: body.fields.schema, examples: body.examples }])),
          },
        }),
    responses: { ...sharedResponses(definition), ...definition.responses },
  };
}

/** The OpenAPI 3.1 document of the routes: generated from their definitions, never written by hand. */
function buildOpenApiDocument(routes: readonly Route[]): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const definition of routes) paths[definition.path] = { ...paths[definition.path], [definition.method]: operationOf(definition) };
  return createDocument({
    openapi: '3.1.1',
    ...OPENAPI_INFO,
    paths,
    components: {
      securitySchemes: { sessionCookie: SESSION_SECURITY_SCHEME },
      // What the info's prose says of requests no operation lists: an unknown path, a method a path does not have, OPTIONS.
      responses: {
        NotFound: SHARED_RESPONSES.notFound,
        MethodNotAllowed: SHARED_RESPONSES.methodNotAllowed,
        Options: SHARED_RESPONSES.options,
      },
    },
  });
}

/** The API's document, made once, when the module loads. */
export const OPENAPI_DOCUMENT = buildOpenApiDocument(ROUTES);
