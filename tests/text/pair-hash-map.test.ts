import { describe, expect, it } from 'vitest';
import { PairHashMap } from '../../core/text/pair-hash-map.ts';
import { Random } from '../../core/ml/random.ts';

describe('PairHashMap', () => {
  // 20,000 distinct pairs shaped like a trie's (prefix gram, next term), and as many absent ones.
  const random = new Random(4);
  const stored = new Map<string, [number, number, number]>();
  while (stored.size < 20_000) {
    const a = random.int(50_000);
    const b = random.int(30_000);
    stored.set(`${a},${b}`, [a, b, stored.size]);
  }
  const absent: [number, number][] = [];
  while (absent.length < 20_000) {
    const a = random.int(50_000);
    const b = random.int(30_000);
    if (!stored.has(`${a},${b}`)) absent.push([a, b]);
  }

  function filled(): PairHashMap {
    const map = new PairHashMap(16); // grows while filling
    for (const [a, b, v] of stored.values()) expect(map.getOrInsert(a, b, v)).toBe(v);
    return map;
  }

  it('finds every stored pair and no absent one, before and after seal()', () => {
    const map = filled();
    for (const sealed of [false, true]) {
      if (sealed) map.seal();
      for (const [a, b, v] of stored.values()) expect(map.get(a, b)).toBe(v);
      for (const [a, b] of absent) expect(map.get(a, b)).toBe(-1);
    }
    expect(map.size).toBe(20_000);
    // An existing pair keeps its first value.
    const [a, b, v] = stored.values().next().value!;
    expect(map.getOrInsert(a, b, 999_999)).toBe(v);
  });

  it('keeps working when a sealed map is written to again (the filter is dropped)', () => {
    const map = filled();
    map.seal();
    const [a, b] = absent[0]!;
    expect(map.get(a, b)).toBe(-1);
    map.getOrInsert(a, b, 123);
    expect(map.get(a, b)).toBe(123);
    for (const [x, y, v] of stored.values()) expect(map.get(x, y)).toBe(v);
    map.seal();
    expect(map.get(a, b)).toBe(123);
  });
});
