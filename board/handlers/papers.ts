import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { Prisma } from '../../core/db/client.ts';
import { logicalDay, pageFields } from '../../core/pipeline/night.ts';
import { parse, type Handler } from '../http.ts';

export const query = z
  .object({
    topic: z.string().min(1).max(100).optional(),
    category: z.string().min(1).max(100).optional(),
    from: logicalDay.optional(),
    to: logicalDay.optional(),
    q: z.string().min(1).max(200).optional(),
    ...pageFields,
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: 'from must not be after to', path: ['from'] });

export const trendsQuery = z.object({
  from: logicalDay.optional(),
  to: logicalDay.optional(),
  bucket: z.enum(['day', 'week', 'month']).default('week'),
  topic: z.string().min(1).max(100).optional(),
});

export function paperHandlers(deps: { db: Db }) {
  const { db } = deps;
  /** Papers by predicted topic (the Production model's label) and publication window. */
  const list: Handler = async (req) => {
    const q = parse(query, req.query);
    const where: Prisma.PaperWhereInput = {
      ...(q.topic ? { topic: q.topic } : {}),
      ...(q.category ? { categories: { has: q.category } } : {}),
      ...(q.from || q.to
        ? { publishedDay: { ...(q.from ? { gte: new Date(`${q.from}T00:00:00Z`) } : {}), ...(q.to ? { lte: new Date(`${q.to}T00:00:00Z`) } : {}) } }
        : {}),
      ...(q.q ? { OR: [{ title: { contains: q.q, mode: 'insensitive' } }, { abstract: { contains: q.q, mode: 'insensitive' } }] } : {}),
    };
    const [total, papers] = await Promise.all([
      db.paper.count({ where }),
      db.paper.findMany({
        where,
        orderBy: [{ published: 'desc' }, { id: 'asc' }],
        skip: q.offset,
        take: q.limit,
        select: {
          id: true,
          version: true,
          title: true,
          abstract: true,
          authors: true,
          primaryCategory: true,
          categories: true,
          published: true,
          updated: true,
          doi: true,
          topic: true,
          topicConfidence: true,
          topicModelVersionId: true,
        },
      }),
    ]);
    return { status: 200, body: { total, limit: q.limit, offset: q.offset, papers } };
  };

  /** Papers per predicted topic per day/week/month: how research moves over time. */
  const trends: Handler = async (req) => {
    const q = parse(trendsQuery, req.query);
    const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date('1900-01-01T00:00:00Z');
    const to = q.to ? new Date(`${q.to}T00:00:00Z`) : new Date('9999-12-31T00:00:00Z');
    // date_trunc's unit is chosen from a fixed enum above, never from raw input.
    const unit = Prisma.raw(`'${q.bucket}'`);
    const rows = await db.$queryRaw<{ bucket: Date; topic: string; n: bigint }[]>`
      SELECT date_trunc(${unit}, "publishedDay")::date AS bucket, "topic", count(*) AS n
      FROM "Paper"
      WHERE "topic" IS NOT NULL AND "publishedDay" BETWEEN ${from} AND ${to}
        ${q.topic ? Prisma.sql`AND "topic" = ${q.topic}` : Prisma.empty}
      GROUP BY 1, 2 ORDER BY 1, 2`;
    return {
      status: 200,
      body: { bucket: q.bucket, series: rows.map((r) => ({ bucket: r.bucket.toISOString().slice(0, 10), topic: r.topic, papers: Number(r.n) })) },
    };
  };
  return { list, trends };
}
