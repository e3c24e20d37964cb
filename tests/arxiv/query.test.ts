import { describe, expect, test } from 'vitest';
import { parseArxivId } from '../../core/arxiv/arxiv-id.ts';
import { backoffDelay, parseRetryAfter } from '../../core/arxiv/http.ts';
import {
  categoriesClause,
  dayWindow,
  formatArxivTimestamp,
  queryParams,
  splitWindow,
  submittedDateClause,
  windowQuery,
} from '../../core/arxiv/query.ts';
import { repairMojibake, toIsoUtc } from '../../core/arxiv/text.ts';

describe('query building', () => {
  test('categories become an OR group; one category stands alone', () => {
    expect(categoriesClause(['cs.LG', 'stat.ML', 'cs.LG'])).toBe('(cat:cs.LG OR cat:stat.ML)');
    expect(categoriesClause(['hep-th'])).toBe('cat:hep-th');
    expect(() => categoriesClause([])).toThrow(RangeError);
    expect(() => categoriesClause(['cs.LG) OR (all:x'])).toThrow(/not an arXiv category/);
  });

  test('a logical date is its UTC day; the range is inclusive, so it ends at 23:59', () => {
    const window = dayWindow('2024-02-29');
    expect(window.from.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(window.to.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(submittedDateClause(window)).toBe('submittedDate:[202402290000 TO 202402292359]');
    expect(windowQuery(['cs.LG', 'cs.AI'], window)).toEqual({
      searchQuery: '(cat:cs.LG OR cat:cs.AI) AND submittedDate:[202402290000 TO 202402292359]',
      sortBy: 'submittedDate',
      sortOrder: 'ascending',
    });
    expect(() => dayWindow('2023-02-29')).toThrow(RangeError);
    expect(() => dayWindow('20240101')).toThrow(RangeError);
  });

  test('timestamps are GMT whatever the local zone', () => {
    expect(formatArxivTimestamp(new Date('2024-01-02T03:04:59.999+05:00'))).toBe('202401012204');
  });

  test('windows split in halves at whole minutes, down to one minute', () => {
    const [a, b] = splitWindow(dayWindow('2024-01-02'))!;
    expect([a.from, a.to, b.from, b.to].map((d) => d.toISOString())).toEqual([
      '2024-01-02T00:00:00.000Z',
      '2024-01-02T12:00:00.000Z',
      '2024-01-02T12:00:00.000Z',
      '2024-01-03T00:00:00.000Z',
    ]);
    expect(submittedDateClause(a)).toBe('submittedDate:[202401020000 TO 202401021159]');
    expect(submittedDateClause(b)).toBe('submittedDate:[202401021200 TO 202401022359]');
    const three = { from: new Date('2024-01-02T00:00:00Z'), to: new Date('2024-01-02T00:03:00Z') };
    expect(splitWindow(three)!.map((w) => submittedDateClause(w))).toEqual([
      'submittedDate:[202401020000 TO 202401020000]',
      'submittedDate:[202401020001 TO 202401020002]',
    ]);
    expect(splitWindow({ from: new Date('2024-01-02T00:00:00Z'), to: new Date('2024-01-02T00:01:00Z') })).toBeNull();
    expect(() => splitWindow({ from: new Date('2024-01-02T00:00:30Z'), to: new Date('2024-01-02T00:05:00Z') })).toThrow(/whole minutes/);
  });

  test('page parameters always carry search_query and id_list, as arXiv echoes them', () => {
    expect(queryParams({ idList: ['2104.12255v1', 'math/0601001'] }, 0, 100).toString()).toBe(
      'search_query=&id_list=2104.12255v1%2Cmath%2F0601001&start=0&max_results=100',
    );
    expect(queryParams({ searchQuery: 'cat:cs.LG', sortBy: 'submittedDate', sortOrder: 'ascending' }, 2000, 2000).toString()).toBe(
      'search_query=cat%3Acs.LG&id_list=&sortBy=submittedDate&sortOrder=ascending&start=2000&max_results=2000',
    );
  });
});

describe('ids, dates, text', () => {
  test.each([
    ['http://arxiv.org/abs/2104.12255v1', '2104.12255', 1],
    ['https://arxiv.org/abs/1707.08567v12', '1707.08567', 12],
    ['0704.0001', '0704.0001', null],
    ['http://arxiv.org/abs/math/0601001v2', 'math/0601001', 2],
    ['oai:arXiv.org:cond-mat/0603029', 'cond-mat/0603029', null],
    ['math.GT/0309136', 'math/0309136', null],
    ['arXiv:2401.12345', '2401.12345', null],
  ])('%s → %s v%s', (raw, id, version) => {
    expect(parseArxivId(raw)).toEqual({ id, version });
  });

  test.each(['', 'abc', '1234.123', 'http://arxiv.org/api/errors#x', '2104.12255v', 'Math/0601001'])('%j is not an arXiv id', (raw) => {
    expect(parseArxivId(raw)).toBeNull();
  });

  test('dates normalise to ISO UTC; anything else is null', () => {
    expect(toIsoUtc('2016-10-09T00:00:00-04:00')).toBe('2016-10-09T04:00:00.000Z');
    expect(toIsoUtc(' 2007-04-02 ')).toBe('2007-04-02T00:00:00.000Z');
    expect(toIsoUtc('2007-04-02T10:11Z')).toBe('2007-04-02T10:11:00.000Z');
    for (const bad of ['1', 'May 5', '2007-13-02', '2019-02-30', '2019-02-30T12:00:00Z', '', null, undefined]) expect(toIsoUtc(bad)).toBeNull();
  });

  test('double-encoded UTF-8 is repaired; genuine Latin-1 text is left alone', () => {
    expect(repairMojibake('Dirk WÃ¼bben, JosÃ© RaÃºl, KroiÃ\u009f, $Ï\u0080$')).toBe('Dirk Wübben, José Raúl, Kroiß, $π$');
    expect(repairMojibake('café Ångström naïve 5°C ±1 ©')).toBe('café Ångström naïve 5°C ±1 ©');
  });
});

describe('retry timing', () => {
  test('backoff doubles from the base, caps, and jitters within the upper half', () => {
    const policy = { baseMs: 1000, maxMs: 5000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0))).toEqual([500, 1000, 2000, 2500]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([1000, 2000, 4000, 5000]);
  });

  test('Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-01-02T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 02 Jan 2024 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
