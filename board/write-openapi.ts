/**
 * Writes the OpenAPI document of the API (generated from the route table, see openapi.ts) to
 * docs/openapi.json: `npm run openapi`. A test fails when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_VERSION, routes, type BoardDeps } from './app.ts';
import { openApiDocument } from './openapi.ts';

export const OPENAPI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../docs/openapi.json');

/** The document as committed: the route table needs no live services to be read. */
export function openApiText(): string {
  return `${JSON.stringify(openApiDocument(routes({} as BoardDeps), API_VERSION), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_PATH, openApiText());
  console.log(`wrote ${OPENAPI_PATH}`);
}
