import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { compareRuns } from '../../core/tracking/runs.ts';
import { parse, type Handler } from '../http.ts';

export const query = z
  .object({
    ids: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.string().max(100)).min(2, 'name at least 2 runs').max(20, 'at most 20 runs')),
  })
  .strict();

/** `GET /api/runs/compare?ids=a,b,c`: runs side by side, params, metrics and tags aligned by key. */
export function compareHandler(deps: { db: Db }): Handler {
  return async (req) => {
    const q = parse(query, req.query);
    return { status: 200, body: await compareRuns(deps.db, q.ids) };
  };
}
