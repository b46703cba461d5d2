import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

/** An error the API answers with its own status and code; the message is safe to show (no secrets). */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(statusCode: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

export const unauthenticated = (message = 'authentication required: send Authorization: Bearer <token> or log in') =>
  new ApiError(401, 'Unauthenticated', message);

export const permissionDenied = (permission: { resource: string; action: string; object: string }) =>
  new ApiError(403, 'PermissionDenied', `permission denied: ${permission.resource}, ${permission.action}, ${permission.object}`, { permission });

export const notFound = (what: string) => new ApiError(404, 'NotFound', `${what} not found`);

export const invalidInput = (field: string, message: string) => new ApiError(400, 'InvalidArgument', `${field}: ${message}`, { field });

export const conflict = (message: string) => new ApiError(409, 'FailedPrecondition', message);

export const unavailable = (message: string) => new ApiError(503, 'Unavailable', message);

export const timedOut = (message: string) => new ApiError(504, 'DeadlineExceeded', message);

export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds });

/** The body of every error answer: `{ error, code, message, … }` (`field` for 400, `permission` for 403). */
export interface ErrorBody {
  error: string;
  code: number;
  message: string;
  [key: string]: unknown;
}

/** Maps errors to HTTP in one place: ApiError as it says, request validation 400 naming the field, anything else 500. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.statusCode === 429) void reply.header('retry-after', String(error.details.retryAfterSeconds ?? 60));
      return reply.code(error.statusCode).send({ error: error.code, code: error.statusCode, message: error.message, ...error.details });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const [issue] = error.validation;
      const where = error.validationContext ?? 'body';
      const path = issue?.instancePath ? issue.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
      const field = path ? `${where}.${path}` : where;
      return reply.code(400).send({ error: 'InvalidArgument', code: 400, message: `${field}: ${issue?.message ?? 'invalid'}`, field });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ reason: error.message, url: request.url }, 'response does not match its schema');
      return reply.code(500).send({ error: 'Internal', code: 500, message: 'internal error' });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: error.code ?? 'BadRequest', code: error.statusCode, message: error.message });
    }
    request.log.error({ reason: error.message }, 'API request failed');
    return reply.code(500).send({ error: 'Internal', code: 500, message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'NotFound', code: 404, message: `no route ${request.method} ${request.url.split('?')[0]}` }));
}
