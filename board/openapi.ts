/**
 * The OpenAPI 3.1 document of the JSON API, generated from the route table itself: every route's
 * method, path, auth and summary, and its request parameters and body from the same zod schemas
 * the handlers validate with (their input side: what a client sends): each route in app.ts names
 * the exported schema its handler parses, and tests send an unknown field to every documented
 * body and expect the handler's 400. `npm run openapi` writes it to docs/openapi.json (a test fails
 * when that file is stale) and the board serves it at GET /api/openapi.json.
 */
import { z } from 'zod';
import type { Route } from './http.ts';

type JsonSchema = Record<string, unknown>;

const ERROR = { $ref: '#/components/schemas/Error' };
const ERROR_MEANING: Record<number, string> = {
  404: 'no such resource',
  409: 'conflict with the current state',
  413: 'body over the 1 MB limit',
  503: 'PostgreSQL or Redis unreachable (the body says which)',
};
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR } } });

function inputSchema(schema: z.ZodType): JsonSchema {
  // Refinements (cross-field checks such as from <= to) have no JSON Schema form; the handler
  // still enforces them and answers 400 with the reason.
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete s.$schema;
  return s;
}

/** Path and query parameters of one route, from its schemas. */
function parameters(route: Route): JsonSchema[] {
  const out: JsonSchema[] = [];
  const pathNames = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const pathProps = route.params ? ((inputSchema(route.params).properties ?? {}) as Record<string, JsonSchema>) : {};
  for (const name of pathNames) out.push({ name, in: 'path', required: true, schema: pathProps[name] ?? { type: 'string' } });
  if (route.query) {
    const q = inputSchema(route.query);
    const required = new Set((q.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((q.properties ?? {}) as Record<string, JsonSchema>)) {
      // Query values arrive as strings; a default makes a parameter optional for the client.
      out.push({ name, in: 'query', required: required.has(name) && !('default' in schema), schema });
    }
  }
  return out;
}

export function openApiDocument(routes: readonly Route[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Record<string, JsonSchema> = {
      200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
      400: errorResponse('bad input: the message names each bad field'),
    };
    if (route.path.includes(':')) responses[404] = errorResponse(ERROR_MEANING[404]!);
    if (route.auth) {
      responses[401] = errorResponse('no bearer token');
      responses[403] = errorResponse('wrong bearer token');
    }
    for (const status of route.errors ?? []) responses[status] = errorResponse(ERROR_MEANING[status] ?? 'error');
    const operation: JsonSchema = {
      summary: route.summary,
      operationId: `${route.method}${path.replace(/[{}]/g, '').replace(/(^|[/-])([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`,
      parameters: parameters(route),
      responses,
    };
    if (route.auth) operation.security = [{ bearer: [] }];
    if (route.body) {
      const schema = inputSchema(route.body);
      const required = route.bodyRequired === true || ((schema.required as unknown[] | undefined)?.length ?? 0) > 0;
      operation.requestBody = { required, content: { 'application/json': { schema } } };
      responses[413] = errorResponse(ERROR_MEANING[413]!);
    }
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'arxiv-radar API',
      version,
      description: 'Papers, trends, nights (pipeline runs), experiments, runs and the model registry. Mutating routes need `Authorization: Bearer <API_TOKEN>`. Errors are `{ error: { code, message, details? } }`.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
  };
}
