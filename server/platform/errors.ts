// One error type with a stable snake_case code, an HTTP status and a user-safe detail; one middleware renders it.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import '../../shared/zod-messages.ts';

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
    /** More fields of the error body for the caller to act on (e.g. which limit and when it resets). */
    readonly extra?: Record<string, unknown>,
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

/**
 * The body parsers' errors (http-errors with a `type`, or zlib's on a corrupt gzip/deflate body) as the client's
 * fault they are: 4xx with a stable code, never the opaque 500.
 */
function bodyReadError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { type?: unknown; field?: unknown; reason?: unknown };
  switch (e.type) {
    case 'entity.parse.failed':
      return badRequest('The request body is not valid JSON');
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', 'The request body is too large');
    case 'parameters.too.many':
      return new AppError(413, 'too_many_parameters', 'The request body has too many parameters (at most 200)', [{ path: '(body)', message: 'has more than 200 parameters' }]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_encoding', 'The request body encoding is not supported');
    case 'entity.invalid_text':
      return new AppError(422, 'invalid_text', 'The request contains characters that cannot be stored', [{ path: String(e.field), message: String(e.reason) }]);
    case 'request.aborted':
    case 'request.size.invalid':
      return badRequest('The request body was incomplete');
  }
  // A corrupt gzip/deflate/br stream: the parser tags the decompressor's error with status 400.
  const x = err as { status?: unknown; expose?: unknown };
  if (typeof x.status === 'number' && x.status >= 400 && x.status < 500 && x.expose === true) {
    return new AppError(x.status, 'unreadable_body', 'The request body could not be read (is it valid for its Content-Encoding?)');
  }
  return undefined;
}

/** Renders { code, detail, errors? }. Unknown errors become an opaque 500, logged once with their cause. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let appErr: AppError;
  if (err instanceof AppError) appErr = err;
  else if (bodyReadError(err)) appErr = bodyReadError(err)!;
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
    ...(appErr.extra ?? {}),
  });
};
