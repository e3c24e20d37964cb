import { Prisma } from '../../db/client.ts';
import type { AttributeName, Expr, Key, Value } from './ast.ts';

/**
 * Compile a parsed filter to a SQL condition over `"Run" r` (joined with `"Experiment" e` and
 * `LEFT JOIN "DatasetSnapshot" s`). Every key name and value is a bound parameter; the only SQL
 * text that comes from the tree is chosen from the constant tables below (column names, operators,
 * sort directions), never copied from the input. That is what makes the filter injection-safe.
 */

const COLUMNS: Record<AttributeName, string> = {
  run_id: 'r."id"',
  name: 'r."name"',
  // An enum column: compare its text, so a bound text parameter needs no enum type.
  status: 'r."status"::text',
  experiment: 'e."name"',
  start_time: 'r."startTime"',
  end_time: 'r."endTime"',
  pipeline_run: 'r."pipelineRunId"',
  parent_run: 'r."parentRunId"',
  code_version: 'r."codeVersion"',
  snapshot: 's."contentHash"',
};

const OPERATORS = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

/**
 * The SQL expression of a key's value for run `r`. A metric's value is its latest one (highest
 * step, then latest timestamp, then last logged), as MLflow's search does, read from
 * `LatestMetric` (kept by a trigger on Metric); a run without the key gives NULL.
 */
export function keySql(key: Key): Prisma.Sql {
  switch (key.kind) {
    case 'metric':
      return Prisma.sql`(SELECT lm."value" FROM "LatestMetric" lm WHERE lm."runId" = r."id" AND lm."key" = ${key.name})`;
    case 'param':
      return Prisma.sql`(SELECT p."value" FROM "Param" p WHERE p."runId" = r."id" AND p."key" = ${key.name})`;
    case 'tag':
      return Prisma.sql`(SELECT t."value" FROM "RunTag" t WHERE t."runId" = r."id" AND t."key" = ${key.name})`;
    case 'attribute':
      return Prisma.raw(COLUMNS[key.name]);
  }
}

/** A value as a typed bound parameter (explicit casts: the driver never guesses a type). */
export function valueSql(v: Value): Prisma.Sql {
  switch (v.type) {
    case 'number':
      return Prisma.sql`CAST(${v.value} AS double precision)`;
    case 'string':
      return Prisma.sql`CAST(${v.value} AS text)`;
    case 'time':
      // Timestamps are stored as UTC wall time without a zone.
      return Prisma.sql`CAST(${v.value.toISOString().slice(0, 23)} AS timestamp(3))`;
  }
}

/**
 * The condition of a filter. Each predicate is two-valued (COALESCE(…, false), or membership in a
 * set of runs): a run that lacks a key matches no comparison on it, and NOT of a predicate is
 * exactly its complement.
 */
export function filterSql(e: Expr): Prisma.Sql {
  if ('key' in e && e.key.kind !== 'attribute') return keyValueSql(e);
  switch (e.type) {
    case 'and':
    case 'or':
      return Prisma.sql`(${Prisma.join(e.items.map(filterSql), e.type === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return Prisma.sql`(NOT ${filterSql(e.expr)})`;
    case 'cmp':
      return Prisma.sql`COALESCE(${keySql(e.key)} ${Prisma.raw(OPERATORS[e.op])} ${valueSql(e.value)}, false)`;
    case 'in':
      return Prisma.sql`COALESCE(${keySql(e.key)} ${Prisma.raw(e.negated ? 'NOT IN' : 'IN')} (${Prisma.join(e.values.map(valueSql))}), false)`;
    case 'like':
      return Prisma.sql`COALESCE(${keySql(e.key)} ${Prisma.raw((e.negated ? 'NOT ' : '') + (e.caseInsensitive ? 'ILIKE' : 'LIKE'))} CAST(${e.pattern} AS text), false)`;
    case 'null':
      return Prisma.sql`(${keySql(e.key)} ${Prisma.raw(e.negated ? 'IS NOT NULL' : 'IS NULL')})`;
  }
}

type Leaf = Extract<Expr, { key: Key }>;

const KEY_VALUE_TABLES = { metric: '"LatestMetric"', param: '"Param"', tag: '"RunTag"' } as const;

/**
 * A predicate on a metric, param or tag as membership of the run in the set of runs whose value
 * for the key satisfies it: `r.id IN (SELECT runId FROM Param WHERE key = k AND value <op> v)`
 * (metrics: their latest values, `LatestMetric`). The key is unique per run in each table, so
 * this is the COALESCE form's exact truth value (a run without the key is in no set; IS NULL is
 * "not in the set of runs that have the key"). Unlike a lookup per run, the set is computed once
 * per query (a hashed subplan, from the (key, value) index for metrics), so a filter costs one
 * probe per run instead of one index descent per run.
 */
function keyValueSql(e: Leaf): Prisma.Sql {
  const table = Prisma.raw(KEY_VALUE_TABLES[e.key.kind as keyof typeof KEY_VALUE_TABLES]);
  const runsWhere = (cond: Prisma.Sql) => Prisma.sql`r."id" IN (SELECT x."runId" FROM ${table} x WHERE x."key" = ${e.key.name} AND ${cond})`;
  switch (e.type) {
    case 'cmp':
      return runsWhere(Prisma.sql`x."value" ${Prisma.raw(OPERATORS[e.op])} ${valueSql(e.value)}`);
    case 'in':
      return runsWhere(Prisma.sql`x."value" ${Prisma.raw(e.negated ? 'NOT IN' : 'IN')} (${Prisma.join(e.values.map(valueSql))})`);
    case 'like':
      return runsWhere(Prisma.sql`x."value" ${Prisma.raw((e.negated ? 'NOT ' : '') + (e.caseInsensitive ? 'ILIKE' : 'LIKE'))} CAST(${e.pattern} AS text)`);
    case 'null':
      return e.negated ? runsWhere(Prisma.sql`true`) : Prisma.sql`(NOT ${runsWhere(Prisma.sql`true`)})`;
  }
}
