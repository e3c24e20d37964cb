import type { CmpOp } from './lexer.ts';

/**
 * The parsed form of a run filter and an orderBy. Keys are resolved and values type-checked by
 * the parser, so the SQL compiler only maps a valid tree to bound parameters.
 */

/** Run attributes a filter or orderBy may name, and the type of their values. */
export const ATTRIBUTES = {
  run_id: 'string',
  name: 'string',
  status: 'status',
  experiment: 'string',
  start_time: 'time',
  end_time: 'time',
  pipeline_run: 'string',
  parent_run: 'string',
  code_version: 'string',
  snapshot: 'string',
} as const;
export type AttributeName = keyof typeof ATTRIBUTES;
export type AttributeType = (typeof ATTRIBUTES)[AttributeName];

/** Other spellings people use (MLflow's among them), mapped to the attribute they mean. */
export const ATTRIBUTE_ALIASES: Record<string, AttributeName> = {
  id: 'run_id',
  run_name: 'name',
  experiment_name: 'experiment',
  pipeline_run_id: 'pipeline_run',
  parent_run_id: 'parent_run',
  snapshot_hash: 'snapshot',
};

/** Attributes that may be null (IS NULL means something for them). */
export const NULLABLE_ATTRIBUTES: ReadonlySet<AttributeName> = new Set(['end_time', 'pipeline_run', 'parent_run', 'code_version', 'snapshot']);

export const RUN_STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;

export type Key =
  | { kind: 'metric' | 'param' | 'tag'; name: string; pos: number }
  | { kind: 'attribute'; name: AttributeName; pos: number };

/** A value after type checking: numbers for metrics, strings for params and tags, instants for times. */
export type Value = { type: 'number'; value: number } | { type: 'string'; value: string } | { type: 'time'; value: Date };

export type Expr =
  | { type: 'and' | 'or'; items: Expr[] }
  | { type: 'not'; expr: Expr }
  | { type: 'cmp'; key: Key; op: CmpOp; value: Value }
  | { type: 'in'; key: Key; negated: boolean; values: Value[] }
  | { type: 'like'; key: Key; negated: boolean; caseInsensitive: boolean; pattern: string }
  | { type: 'null'; key: Key; negated: boolean };

export interface OrderKey {
  key: Key;
  direction: 'ASC' | 'DESC';
}

/** The type of a key's values: what it is compared and sorted as. */
export function valueType(key: Key): 'number' | 'string' | 'time' | 'status' {
  if (key.kind === 'attribute') return ATTRIBUTES[key.name];
  return key.kind === 'metric' ? 'number' : 'string';
}

/** `metrics.f1_macro`, `params.model.alpha`, `status`: a key as people write it. */
export function keyText(key: Key): string {
  if (key.kind === 'attribute') return key.name;
  const plain = /^[A-Za-z0-9_\-:/]+(\.[A-Za-z0-9_\-:/]+)*$/.test(key.name);
  return `${key.kind}s.${plain ? key.name : '`' + key.name.replaceAll('`', '``') + '`'}`;
}
