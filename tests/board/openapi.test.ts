import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routes, type BoardDeps } from '../../board/app.ts';
import { OPENAPI_PATH, openApiText } from '../../board/write-openapi.ts';

const doc = JSON.parse(openApiText());
const table = routes({} as BoardDeps);

describe('the OpenAPI document', () => {
  it('is committed up to date (run npm run openapi after changing a route)', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(openApiText());
  });

  it('documents every route of the table once, with its path parameters, auth and a summary', () => {
    const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    expect(operations).toHaveLength(table.length);
    const ids = new Set<string>();
    for (const route of table) {
      const op = doc.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op.summary.length).toBeGreaterThan(5);
      ids.add(op.operationId);
      const pathParams = op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name);
      expect(pathParams).toEqual([...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]));
      expect(op.security !== undefined).toBe(route.auth === true);
      if (route.auth) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
    expect(ids.size).toBe(table.length);
  });

  it('describes requests with the schemas the handlers validate with', () => {
    const promote = doc.paths['/api/models/{name}/versions/{version}/promote'].post;
    expect(promote.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: { reason: { type: 'string', maxLength: 2000 }, actor: { type: 'string' } },
      additionalProperties: false,
    });
    expect(promote.parameters.find((p: any) => p.name === 'version').schema).toMatchObject({ type: 'string', pattern: '^[1-9]\\d{0,8}$' });
    expect(Object.keys(promote.responses)).toContain('409');
    const papers = doc.paths['/api/papers'].get.parameters;
    expect(papers.map((p: any) => p.name)).toEqual(['topic', 'category', 'from', 'to', 'q', 'limit', 'offset']);
    expect(papers.every((p: any) => p.required === false)).toBe(true);
    const trigger = doc.paths['/api/pipeline-runs'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(trigger.properties.params.properties)).toEqual(['promotionMinF1', 'promotionMinMargin', 'promotionMinConfidence', 'requireApproval', 'candidates', 'seed']);
    expect(doc.paths['/api/model-uri'].get.parameters).toEqual([expect.objectContaining({ name: 'uri', in: 'query', required: true })]);
  });
});
