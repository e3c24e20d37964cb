import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { Prisma } from '../db/client.ts';
import { BadInputError, NotFoundError } from '../errors.ts';
import { valueType, type OrderKey } from './filter/ast.ts';
import { parseFilter, parseOrderBy } from './filter/parser.ts';
import { filterSql, keySql } from './filter/sql.ts';
import { runViews, type RunView } from './runs.ts';

/**
 * Run search: a filter (see filter/parser.ts), an order and keyset pagination. The query is
 * assembled from Prisma.sql fragments with bound parameters only.
 */

export interface SearchRunsInput {
  /** Experiment name. Without it, runs of every active (not archived) experiment. */
  experiment?: string;
  pipelineRun?: string;
  filter?: string;
  /** `key [ASC|DESC], ...`; default `start_time DESC`. Ties are broken by run id. */
  orderBy?: string;
  limit?: number;
  /** The `nextCursor` of the previous page of the same query. */
  cursor?: string;
}

export interface SearchRunsResult {
  runs: RunView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_ORDER_BY = 'start_time DESC';
const MAX_LIMIT = 500;

type SortValue = number | string | null;
interface Cursor {
  /** Fingerprint of the query the cursor belongs to. */
  q: string;
  v: SortValue[];
  id: string;
}

function fingerprint(input: SearchRunsInput, orderBy: string): string {
  return createHash('sha256')
    .update(JSON.stringify([input.experiment ?? null, input.pipelineRun ?? null, input.filter ?? '', orderBy]))
    .digest('base64url')
    .slice(0, 16);
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(s: string, q: string, order: OrderKey[]): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw new BadInputError('cursor: not a cursor returned by this API');
  }
  const ok =
    c && typeof c === 'object' && typeof c.id === 'string' && Array.isArray(c.v) && c.v.length === order.length &&
    c.v.every((v, i) => v === null || typeof v === (valueType(order[i]!.key) === 'number' ? 'number' : 'string'));
  if (!ok) throw new BadInputError('cursor: not a cursor returned by this API');
  if (c.q !== q) throw new BadInputError('cursor: it belongs to another query (experiment, filter and orderBy must stay the same while paging)');
  return c;
}

/** A cursor value as a typed bound parameter of the key's type. */
function sortParam(key: OrderKey['key'], v: string | number): Prisma.Sql {
  switch (valueType(key)) {
    case 'number':
      return Prisma.sql`CAST(${v} AS double precision)`;
    case 'time':
      return Prisma.sql`CAST(${v} AS timestamp(3))`;
    default:
      return Prisma.sql`CAST(${v} AS text)`;
  }
}

/**
 * The rows strictly after the cursor in the order `ORDER BY s0 d0 NULLS LAST, ..., id ASC`:
 * (s0 after v0) OR (s0 = v0 AND s1 after v1) OR ... OR (all equal AND id > cursor id).
 * With NULLS LAST, "after" a null is never true and "equal" to a null is IS NULL.
 */
function afterCursor(order: OrderKey[], c: Cursor): Prisma.Sql {
  const col = (i: number) => Prisma.raw(`q."s${i}"`);
  const equal = (i: number) => {
    const v = c.v[i]!;
    return v === null ? Prisma.sql`${col(i)} IS NULL` : Prisma.sql`${col(i)} = ${sortParam(order[i]!.key, v)}`;
  };
  const after = (i: number) => {
    const v = c.v[i]!;
    if (v === null) return Prisma.sql`false`;
    const op = Prisma.raw(order[i]!.direction === 'ASC' ? '>' : '<');
    return Prisma.sql`(${col(i)} ${op} ${sortParam(order[i]!.key, v)} OR ${col(i)} IS NULL)`;
  };
  const branches: Prisma.Sql[] = [];
  for (let i = 0; i <= order.length; i++) {
    const prefix = Array.from({ length: i }, (_, j) => equal(j));
    const last = i < order.length ? after(i) : Prisma.sql`q."id" > ${c.id}`;
    branches.push(Prisma.sql`(${Prisma.join([...prefix, last], ' AND ')})`);
  }
  return Prisma.sql`(${Prisma.join(branches, ' OR ')})`;
}

/**
 * Search runs. Throws FilterSyntaxError (400, with the position) for a bad filter or orderBy,
 * BadInputError for a bad limit or a cursor of another query, NotFoundError for an unknown
 * experiment. Pages never skip or repeat a run while the matching runs do not change, whatever
 * the order (keyset pagination on the sort values plus the run id).
 */
export async function searchRuns(db: Db, input: SearchRunsInput): Promise<SearchRunsResult> {
  const limit = input.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new BadInputError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  const filter = parseFilter(input.filter ?? '');
  const orderText = input.orderBy?.trim() ? input.orderBy : DEFAULT_ORDER_BY;
  const order = parseOrderBy(orderText);
  const q = fingerprint(input, orderText);
  const cursor = input.cursor ? decodeCursor(input.cursor, q, order) : null;

  if (input.experiment !== undefined && !(await db.experiment.count({ where: { name: input.experiment } }))) {
    throw new NotFoundError(`experiment "${input.experiment}" not found`);
  }
  const where: Prisma.Sql[] = [
    input.experiment !== undefined ? Prisma.sql`e."name" = ${input.experiment}` : Prisma.sql`e."lifecycleStage" = 'active'`,
  ];
  if (input.pipelineRun !== undefined) where.push(Prisma.sql`r."pipelineRunId" = ${input.pipelineRun}`);
  if (filter) where.push(filterSql(filter));

  const sortColumns = order.map((o, i) => Prisma.sql`${keySql(o.key)} AS ${Prisma.raw(`"s${i}"`)}`);
  const orderSql = [...order.map((o, i) => Prisma.raw(`q."s${i}" ${o.direction} NULLS LAST`)), Prisma.raw('q."id" ASC')];
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT q.* FROM (
      SELECT r."id", ${Prisma.join(sortColumns)}
      FROM "Run" r
      JOIN "Experiment" e ON e."id" = r."experimentId"
      LEFT JOIN "DatasetSnapshot" s ON s."id" = r."snapshotId"
      WHERE ${Prisma.join(where, ' AND ')}
    ) q
    WHERE ${cursor ? afterCursor(order, cursor) : Prisma.sql`true`}
    ORDER BY ${Prisma.join(orderSql)}
    LIMIT ${limit + 1}`;

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({
          q,
          id: String(last.id),
          v: order.map((_, i) => {
            const v = last[`s${i}`];
            // Times travel as UTC wall time, the way they are stored.
            return v instanceof Date ? v.toISOString().slice(0, 23) : v === null || v === undefined ? null : typeof v === 'number' ? v : String(v);
          }),
        })
      : null;
  return { runs: await runViews(db, page.map((r) => String(r.id))), nextCursor };
}
