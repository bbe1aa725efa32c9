import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, PROBLEMS, type ProblemCode, type ProblemItem } from './errors.js';

const TYPE_BASE = 'https://lockstep.dev/problems/';

/** Sends `error` as an RFC 9457 problem body. */
export function sendProblem(reply: FastifyReply, error: ApiError, request: FastifyRequest): FastifyReply {
  const body = {
    type: `${TYPE_BASE}${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: error.title,
    status: error.status,
    code: error.code,
    detail: error.message,
    instance: request.url.split('?')[0] ?? '/',
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  };
  return reply.code(error.status).type('application/problem+json').send(body);
}

// Fastify's own 4xx errors (body parsing, media type, size) mapped into the catalogue by status.
const BY_STATUS: Readonly<Record<number, ProblemCode>> = {
  400: 'MALFORMED_BODY',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Turns any thrown error into an `ApiError`: never a stack trace, never a 5xx for bad input. Pure. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors: ProblemItem[] = err.validation.map((v) => ({
      location: `${err.validationContext ?? 'request'}${v.instancePath}`,
      message: v.message ?? 'is not valid',
    }));
    return new ApiError(
      'VALIDATION_FAILED',
      `${errors.length} problem${errors.length === 1 ? '' : 's'} in the request ${err.validationContext ?? ''}`.trim(),
      { errors },
    );
  }
  const e = err as Partial<FastifyError> & { code?: unknown };
  if (e.code === 'STORE_INVALID_INPUT') return new ApiError('VALIDATION_FAILED', String(e.message));
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = BY_STATUS[status] ?? 'VALIDATION_FAILED';
    // Fastify's messages for bad bodies describe the request, never server internals.
    return new ApiError(
      code,
      typeof e.message === 'string' && e.message !== '' ? e.message : PROBLEMS[code].title,
    );
  }
  if (status === 503) return new ApiError('SERVICE_UNAVAILABLE', 'the service is temporarily unavailable');
  return new ApiError('INTERNAL', 'an internal error occurred; it has been logged', { cause: err });
}

const PARTS = [
  ['params', 'params'],
  ['querystring', 'query'],
  ['body', 'body'],
] as const;

/**
 * Every problem of every part of the request. Fastify stops at the first part that fails (params, body, query),
 * so the route's zod schemas are run on each part to list them all at once.
 */
function everyValidationProblem(request: FastifyRequest): ProblemItem[] {
  const schema = (request.routeOptions.schema ?? {}) as Record<string, unknown>;
  const items: ProblemItem[] = [];
  for (const [part, field] of PARTS) {
    const partSchema = schema[part];
    if (!(partSchema instanceof z.ZodType)) continue;
    const result = partSchema.safeParse(request[field]);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      items.push({ location: `${part}/${issue.path.map(String).join('/')}`, message: issue.message });
    }
  }
  return items;
}

/** Installs the error and not-found handlers: every error answer is a problem body from the catalogue. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    let problem = toApiError(err);
    if (problem.code === 'VALIDATION_FAILED' && hasZodFastifySchemaValidationErrors(err)) {
      const errors = everyValidationProblem(request);
      if (errors.length > (problem.errors?.length ?? 0)) {
        problem = new ApiError(
          'VALIDATION_FAILED',
          `${errors.length} problems in the request ${[...new Set(errors.map((e) => e.location.split('/')[0]))].join(', ')}`,
          { errors },
        );
      }
    }
    if (problem.status >= 500) request.log.error({ err }, 'request failed');
    return sendProblem(reply, problem, request);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new ApiError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
      request,
    ),
  );
}
