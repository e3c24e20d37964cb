import { z } from 'zod';
import { BadInputError, ConflictError, NotFoundError, RadarError } from '../core/errors.ts';

/** A handler's view of a request: plain data, no Express. */
export interface ApiRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export type Handler = (req: ApiRequest) => Promise<ApiResponse>;

export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  /** Mutating routes need the bearer token. */
  auth?: boolean;
  /** The schemas the handler validates with, for the OpenAPI document (see openapi.ts). */
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The body must be sent (the schema alone cannot say so when its fields are all optional). */
  bodyRequired?: boolean;
  /** Error statuses beyond 400/401/403/404 the route can answer (409 for state conflicts). */
  errors?: number[];
  handler: Handler;
}

/** The one error body: `{ error: { code, message, details? } }`. */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** Map an error to its HTTP answer. Known errors keep their status; anything else is a 500. */
export function errorResponse(err: unknown): ApiResponse {
  if (err instanceof NotFoundError) return { status: 404, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof ConflictError) return { status: 409, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof BadInputError) return { status: 400, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof z.ZodError) {
    return {
      status: 400,
      body: errorBody(
        'bad_request',
        err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
        err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      ),
    };
  }
  if (err instanceof RadarError) return { status: err.code === 'not_found' ? 404 : 500, body: errorBody(err.code, err.message) };
  return { status: 500, body: errorBody('internal', 'internal error') };
}

/** Parse with a zod schema; a failure becomes a 400 naming each bad field. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  return schema.parse(value);
}
