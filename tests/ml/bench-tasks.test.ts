import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildTask, isTest } from '../../bench/tasks.ts';

const sha = (id: string) => createHash('sha256').update(id).digest('hex');
const row = (id: string, categories: string) => ({ id, title: `T${id}`, abstract: `A${id}`, categories });

describe('benchmark tasks (same rules as bench/reference/reference_sklearn.py)', () => {
  const rows = [
    row('a', 'cs.LG'),
    row('b', 'cs.LG stat.ML'),
    row('c', 'math.OC'),
    row('d', 'hep-th'),
    row('e', 'astro-ph'),
    row('f', 'q-bio.NC'),
    row('g', '  cond-mat.str-el  '),
  ];

  it('archives5 keeps single-category papers of the five archives, labelled by archive, abstract only, in sha256 order', () => {
    const items = buildTask(rows, 'archives5', 0);
    expect(items.map((i) => [i.id, i.label, i.text])).toEqual(
      [['a', 'cs', 'Aa'], ['c', 'math', 'Ac'], ['e', 'astro-ph', 'Ae'], ['g', 'cond-mat', 'Ag']].sort((x, y) => (sha(x[0]!) < sha(y[0]!) ? -1 : 1)),
    );
  });

  it('fine20 labels by primary category (ties by name), text = title + " " + abstract, and --limit keeps the first N', () => {
    const items = buildTask(rows, 'fine20', 3);
    expect(items).toHaveLength(3);
    for (const it of items) expect(it.text).toBe(`T${it.id} A${it.id}`);
    const b = buildTask(rows, 'fine20', 0).find((i) => i.id === 'b')!;
    expect([b.label, b.crossLists]).toEqual(['cs.LG', ['stat.ML']]);
  });

  it('a paper tests when int(sha256[:8], 16) % 5 == 0', () => {
    const h = sha('0704.0001');
    expect(isTest(h)).toBe(parseInt(h.slice(0, 8), 16) % 5 === 0);
  });
});
