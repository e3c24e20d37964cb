import { describe, expect, it } from 'vitest';
import { FilterSyntaxError } from '../../core/tracking/filter/errors.ts';
import { tokenize } from '../../core/tracking/filter/lexer.ts';
import { parseFilter, parseOrderBy } from '../../core/tracking/filter/parser.ts';
import { filterSql } from '../../core/tracking/filter/sql.ts';

/** The error a filter raises: its message and position. */
function fails(filter: string): { message: string; position: number } {
  try {
    parseFilter(filter);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterSyntaxError);
    return { message: (e as Error).message, position: (e as FilterSyntaxError).position };
  }
  throw new Error(`"${filter}" parsed`);
}

describe('run filter grammar', () => {
  it('parses comparisons on metrics, params, tags and attributes with their types', () => {
    expect(parseFilter("metrics.val_f1_macro >= 0.8")).toEqual({ type: 'cmp', key: { kind: 'metric', name: 'val_f1_macro', pos: 0 }, op: '>=', value: { type: 'number', value: 0.8 } });
    expect(parseFilter("params.model.alpha = '0.1'")).toMatchObject({ type: 'cmp', key: { kind: 'param', name: 'model.alpha' }, value: { type: 'string', value: '0.1' } });
    expect(parseFilter('tags.role != "night"')).toMatchObject({ key: { kind: 'tag', name: 'role' }, op: '!=', value: { value: 'night' } });
    expect(parseFilter("status = 'finished'")).toMatchObject({ key: { kind: 'attribute', name: 'status' }, value: { value: 'FINISHED' } });
    expect(parseFilter("attributes.start_time >= '2019-12-30'")).toMatchObject({ key: { name: 'start_time' }, value: { type: 'time', value: new Date('2019-12-30T00:00:00Z') } });
    expect(parseFilter('end_time < 1577836800000')).toMatchObject({ value: { type: 'time', value: new Date(1577836800000) } });
    expect(parseFilter("run_name LIKE 'softmax%'")).toMatchObject({ type: 'like', key: { name: 'name' }, negated: false, caseInsensitive: false, pattern: 'softmax%' });
    expect(parseFilter('metrics.val_f1.cs.AI > 0.5')).toMatchObject({ key: { kind: 'metric', name: 'val_f1.cs.AI' } });
    expect(parseFilter('metric.x <> -1.5e-3')).toMatchObject({ op: '!=', value: { value: -0.0015 } });
  });

  it('AND binds tighter than OR; parentheses, NOT, IN, NOT IN, ILIKE, IS NULL', () => {
    const e = parseFilter("tags.role = 'candidate' AND params.kind = 'softmax' OR metrics.f1_macro > 0.9");
    expect(e).toMatchObject({ type: 'or', items: [{ type: 'and', items: [{ key: { name: 'role' } }, { key: { name: 'kind' } }] }, { key: { name: 'f1_macro' } }] });
    const p = parseFilter("tags.role = 'candidate' and (params.kind = 'softmax' or metrics.f1_macro > 0.9)");
    expect(p).toMatchObject({ type: 'and', items: [{ key: { name: 'role' } }, { type: 'or' }] });
    expect(parseFilter("NOT params.kind IN ('a', 'b')")).toMatchObject({ type: 'not', expr: { type: 'in', negated: false, values: [{ value: 'a' }, { value: 'b' }] } });
    expect(parseFilter("params.kind NOT IN ('a')")).toMatchObject({ type: 'in', negated: true });
    expect(parseFilter('metrics.x IN (1, 2.5)')).toMatchObject({ type: 'in', values: [{ value: 1 }, { value: 2.5 }] });
    expect(parseFilter("name NOT ILIKE '%NB%'")).toMatchObject({ type: 'like', negated: true, caseInsensitive: true });
    expect(parseFilter('parent_run IS NULL')).toEqual({ type: 'null', key: { kind: 'attribute', name: 'parent_run', pos: 0 }, negated: false });
    expect(parseFilter('metrics.x is not null')).toMatchObject({ type: 'null', negated: true });
    expect(parseFilter('((metrics.x > 1))')).toMatchObject({ type: 'cmp' });
    expect(parseFilter('   ')).toBeNull();
  });

  it('quotes odd key names with backticks and strings by doubling the quote', () => {
    expect(parseFilter("params.`learning rate (init)` = '0.1'")).toMatchObject({ key: { kind: 'param', name: 'learning rate (init)' } });
    expect(parseFilter('metrics.`a``b`.c > 1')).toMatchObject({ key: { name: 'a`b.c' } });
    expect(parseFilter("tags.note = 'it''s'")).toMatchObject({ value: { value: "it's" } });
    expect(parseFilter('tags.note = "say ""hi"""')).toMatchObject({ value: { value: 'say "hi"' } });
    // A backslash is an ordinary character, so LIKE escapes arrive as written.
    expect(parseFilter("name LIKE 'a\\%b'")).toMatchObject({ pattern: 'a\\%b' });
  });

  it('names the position of every syntax error', () => {
    expect(fails("metrics.x > ")).toMatchObject({ position: 12 });
    expect(fails("metrics.x > ").message).toMatch(/expected a value .* found the end at position 12/);
    expect(fails("params.kind = 'softmax")).toMatchObject({ position: 14, message: expect.stringMatching(/unterminated string/) });
    expect(fails("(metrics.x > 1")).toMatchObject({ position: 14, message: expect.stringMatching(/expected "\)" to close the "\(" at position 0/) });
    expect(fails("metrics.x > 1)")).toMatchObject({ position: 13, message: expect.stringMatching(/unbalanced/) });
    expect(fails("metrics.x > 1 metrics.y > 2")).toMatchObject({ position: 14, message: expect.stringMatching(/missing AND or OR/) });
    expect(fails("metrics.x > 1 AND")).toMatchObject({ position: 17 });
    expect(fails("metrics.x = 'high'")).toMatchObject({ position: 12, message: expect.stringMatching(/is a number/) });
    expect(fails("params.seed = 42")).toMatchObject({ position: 14, message: expect.stringMatching(/quote the value \('42'\)/) });
    expect(fails("metrics.x LIKE '1%'")).toMatchObject({ position: 10 });
    expect(fails("status = 'DONE'")).toMatchObject({ position: 9, message: expect.stringMatching(/RUNNING, FINISHED, FAILED, KILLED/) });
    expect(fails("status > 'RUNNING'")).toMatchObject({ position: 9 });
    expect(fails("colour = 'red'")).toMatchObject({ position: 0, message: expect.stringMatching(/unknown attribute "colour"/) });
    expect(fails("foo.bar = 'x'")).toMatchObject({ position: 0, message: expect.stringMatching(/unknown key/) });
    expect(fails("metrics. = 1")).toMatchObject({ position: 8 });
    expect(fails("params.kind IN ()")).toMatchObject({ position: 16, message: expect.stringMatching(/at least one value/) });
    expect(fails("params.kind IN ('a' 'b')")).toMatchObject({ position: 20 });
    expect(fails("start_time > '2019-02-30'")).toMatchObject({ position: 13 });
    expect(fails("start_time IN ('2019-01-01')")).toMatchObject({ position: 11 });
    expect(fails("run_id IS NULL")).toMatchObject({ message: expect.stringMatching(/never null/) });
    expect(fails("metrics.x >> 1")).toMatchObject({ position: 11 });
    expect(fails("metrics.x ! 1")).toMatchObject({ position: 10 });
    expect(fails("metrics.x = 1.5abc")).toMatchObject({ position: 12, message: expect.stringMatching(/malformed number/) });
    expect(fails('params.`never closed = 1')).toMatchObject({ position: 7 });
    expect(fails("'value' = params.kind")).toMatchObject({ position: 0, message: expect.stringMatching(/starts with the key/) });
    expect(fails('('.repeat(60) + 'metrics.x > 1' + ')'.repeat(60))).toMatchObject({ message: expect.stringMatching(/nested more than 50 levels/) });
  });

  it('the error body carries the position and a caret under the input', () => {
    try {
      parseFilter("metrics.x > 1 AND params.kind == ");
      throw new Error('parsed');
    } catch (e) {
      const err = e as FilterSyntaxError;
      expect(err.code).toBe('bad_request');
      expect(err.details).toEqual({ filter: "metrics.x > 1 AND params.kind == ", position: 33, pointer: ' '.repeat(33) + '^' });
    }
  });

  it('refuses injection attempts in keys and values before any SQL exists', () => {
    // Outside quotes, SQL punctuation is not a token.
    expect(fails("params.kind = 'a'; DROP TABLE \"Run\"; --")).toMatchObject({ position: 17, message: expect.stringMatching(/unexpected character ";"/) });
    expect(fails('metrics.x > 1 -- comment')).toMatchObject({ position: 14 });
    expect(fails('metrics.x > 1 /* c */')).toMatchObject({ position: 14 });
    expect(fails('params.kind = \'a\' OR 1=1')).toMatchObject({ position: 21, message: expect.stringMatching(/expected a key, found number 1/) });
    expect(fails('metrics.x") OR true OR ("y > 1')).toMatchObject({ position: 9 });
    // Inside quotes or backticks anything is data: it parses, and becomes a bound parameter.
    const hostileValue = "x' OR '1'='1";
    const e = parseFilter(`params.kind = '${hostileValue.replaceAll("'", "''")}'`);
    expect(e).toMatchObject({ value: { value: hostileValue } });
    const hostileKey = 'k") = 1 OR ("1';
    const k = parseFilter('params.`' + hostileKey + '` = \'v\'');
    expect(k).toMatchObject({ key: { name: hostileKey } });
    for (const expr of [e!, k!]) {
      const sql = filterSql(expr);
      expect(sql.sql).not.toContain(hostileValue);
      expect(sql.sql).not.toContain(hostileKey);
      expect(sql.values).toContain(expr.type === 'cmp' && expr.key.kind === 'param' && expr.key.name === hostileKey ? hostileKey : hostileValue);
    }
  });

  it('compiles to SQL whose text comes only from constants; every key and value is a parameter', () => {
    const sql = filterSql(parseFilter("metrics.f1 > 0.5 AND (params.kind IN ('a','b') OR tags.role LIKE 'c%') AND NOT status = 'FAILED' AND end_time IS NOT NULL")!);
    expect(sql.values).toEqual(['f1', 0.5, 'kind', 'a', 'b', 'role', 'c%', 'FAILED']);
    expect(sql.sql).not.toMatch(/'(a|b|c%|FAILED|f1|kind|role)'/);
  });

  it('orderBy: keys with directions, errors with positions', () => {
    expect(parseOrderBy('metrics.f1_macro DESC, start_time')).toEqual([
      { key: { kind: 'metric', name: 'f1_macro', pos: 0 }, direction: 'DESC' },
      { key: { kind: 'attribute', name: 'start_time', pos: 23 }, direction: 'ASC' },
    ]);
    expect(parseOrderBy('params.`odd key` asc')).toMatchObject([{ key: { kind: 'param', name: 'odd key' }, direction: 'ASC' }]);
    const bad = (s: string) => {
      try {
        parseOrderBy(s);
      } catch (e) {
        return { position: (e as FilterSyntaxError).position, message: (e as Error).message };
      }
      throw new Error('parsed');
    };
    expect(bad('metrics.f1 DOWN')).toMatchObject({ position: 11, message: expect.stringMatching(/^orderBy: .*ASC.*DESC/) });
    expect(bad('metrics.f1 DESC,')).toMatchObject({ position: 16 });
    expect(bad('start_time; DROP TABLE "Run"')).toMatchObject({ position: 10 });
    expect(bad('nope DESC')).toMatchObject({ position: 0, message: expect.stringMatching(/unknown attribute/) });
    expect(bad('')).toMatchObject({ position: 0 });
  });

  it('the tokenizer keeps offsets', () => {
    expect(tokenize("a.b >= 'x'").map((t) => [t.kind, t.pos])).toEqual([['ident', 0], ['op', 4], ['string', 7], ['eof', 10]]);
  });
});
