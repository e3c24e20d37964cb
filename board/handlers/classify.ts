import { z } from 'zod';
import type { BlobStore } from '../../core/blobs.ts';
import type { Config } from '../../core/config.ts';
import type { Db } from '../../core/db/client.ts';
import { classifyItems } from '../../core/pipeline/serve.ts';
import { parse, type Handler } from '../http.ts';

// The JSON body limit (1 MB, see app.ts) holds about 500 abstracts; more is a 413 either way.
const MAX_ITEMS = 500;
const text = z.string().min(1).max(20_000);
export const classifyBody = z
  .object({
    texts: z.array(text).min(1).max(MAX_ITEMS).optional(),
    papers: z.array(z.object({ title: z.string().max(2000), abstract: text }).strict()).min(1).max(MAX_ITEMS).optional(),
    model: z.string().min(1).max(500).optional(),
    k: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .refine((b) => (b.texts === undefined) !== (b.papers === undefined), { message: 'give either texts or papers', path: ['texts'] });

export function classifyHandler(deps: { db: Db; blobs: BlobStore; config: Config }): Handler {
  return async (req) => {
    const b = parse(classifyBody, req.body ?? {});
    const r = await classifyItems(deps, { items: b.texts ?? b.papers!, model: b.model, k: b.k, defaultModel: deps.config.MODEL_NAME });
    return { status: 200, body: r };
  };
}
