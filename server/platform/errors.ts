// One error type with a stable snake_case code, an HTTP status and a user-safe detail; one middleware renders it.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'AppError';
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new AppError(400, 'bad_request', detail, errors);
export const unauthorized = (detail = 'Authentication required') => new AppError(401, 'unauthorized', detail);
export const forbidden = (detail = 'You are not allowed to do this') => new AppError(403, 'forbidden', detail);
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, detail: string) => new AppError(409, code, detail);

export function zodFieldErrors(err: z.ZodError): FieldError[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** Parses input with a zod schema; failures become 422 validation_failed listing each field path and reason. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new AppError(422, 'validation_failed', `The request ${where} is invalid`, zodFieldErrors(result.error));
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'route_not_found', `No route for ${req.method} ${req.path}`));
};

/** Renders { code, detail, errors? }. Unknown errors become an opaque 500, logged once with their cause. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let appErr: AppError;
  if (err instanceof AppError) appErr = err;
  else if (err?.type === 'entity.parse.failed') appErr = badRequest('The request body is not valid JSON');
  else if (err?.type === 'entity.too.large') appErr = new AppError(413, 'payload_too_large', 'The request body is too large');
  else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported')
    appErr = new AppError(415, 'unsupported_encoding', 'The request body encoding is not supported');
  else {
    req.log?.error({ err }, 'request.failed');
    appErr = new AppError(500, 'internal_error', 'Something went wrong on our side. It has been logged.');
  }
  if (appErr.headers) res.set(appErr.headers);
  if (res.headersSent) return;
  res.status(appErr.status).json({
    code: appErr.code,
    detail: appErr.detail,
    ...(appErr.errors ? { errors: appErr.errors } : {}),
  });
};
