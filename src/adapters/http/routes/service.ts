import { z } from 'zod';
import { ERROR_CATALOGUE, errorBody } from '../error-catalogue.js';
import { errorResponse, jsonResponse } from '../openapi-responses.js';
import { messageBody } from '../openapi-schemas.js';
import { route } from './route.js';

/** The service's own routes: its greeting, liveness, readiness and the API's document. */

const WELCOME = 'Bienvenue';
const status = <const S extends string>(value: S) => z.object({ status: z.literal(value) });

const welcome = route({
  method: 'get',
  path: '/',
  doc: {
    operationId: 'welcome',
    tags: ['service'],
    summary: 'Welcome message',
    description: "The seed service's greeting. Touches no store.",
    security: [],
  },
  responses: {
    200: jsonResponse('The greeting.', messageBody(WELCOME).meta({ id: 'Welcome' }), {
      welcome: { summary: 'The greeting', value: { message: WELCOME } },
    }),
  },
  handle(ctx) {
    ctx.body = { message: WELCOME };
  },
});

const liveness = route({
  method: 'get',
  path: '/healthz',
  doc: {
    operationId: 'liveness',
    security: [],
    tags: ['service'],
    summary: 'Liveness',
    description: 'The process is up and its event loop turns. Never touches the store, never rate-limited.',
  },
  responses: { 200: jsonResponse('Alive.', status('ok').meta({ id: 'Alive' }), { alive: { summary: 'Alive', value: { status: 'ok' } } }) },
  handle(ctx) {
    ctx.body = { status: 'ok' };
  },
});

const readiness = route({
  method: 'get',
  path: '/readyz',
  doc: {
    operationId: 'readiness',
    security: [],
    tags: ['service'],
    summary: 'Readiness',
    description: 'Whether the store answers: a load balancer should stop sending traffic while this is a 503. Never rate-limited.',
  },
  responses: {
    200: jsonResponse('Ready: the store answers.', status('ready').meta({ id: 'Ready' }), {
      ready: { summary: 'Ready', value: { status: 'ready' } },
    }),
    503: errorResponse(
      'Not ready: the store does not answer (within MONGODB_TIMEOUT). `Retry-After` says when to ask again.',
      [['notReady', 'Not ready', 'not_ready']],
      {
        retryAfter: true,
      },
    ),
  },
  async handle(ctx, _input, { readiness: ready }) {
    try {
      await ready();
      ctx.body = { status: 'ready' };
    } catch {
      const notReady = ERROR_CATALOGUE.not_ready;
      ctx.status = notReady.status;
      ctx.body = errorBody('not_ready');
      if (notReady.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(notReady.retryAfterSeconds));
    }
  },
});

const OpenApiDocument = z
  .looseObject({ openapi: z.string().regex(/^3\.1\.[0-9]+$/), info: z.looseObject({}), paths: z.looseObject({}) })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document (this one).' });

const document = route({
  method: 'get',
  path: '/openapi.json',
  doc: {
    operationId: 'openApiDocument',
    security: [],
    tags: ['service'],
    summary: 'This document',
    description: 'The OpenAPI document of the service, generated from the definitions of its routes (src/adapters/http/routes/).',
  },
  responses: { 200: jsonResponse('This OpenAPI 3.1 document.', OpenApiDocument, {}) },
  handle(ctx, _input, deps) {
    ctx.body = deps.openApiDocument();
  },
});

export const SERVICE_ROUTES = [welcome, liveness, readiness, document];
