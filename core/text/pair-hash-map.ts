/**
 * Open-addressing hash map from a pair of non-negative int32 keys to a non-negative int32 value.
 * It indexes word n-grams as (prefix n-gram id, next term id): a JS `Map` keyed by strings or by
 * `a * 2^26 + b` doubles costs several times the memory and time. Key pair and value share one
 * interleaved Int32Array, so a probe touches one cache line.
 */
export class PairHashMap {
  private table: Int32Array; // [keyA, keyB, value] per slot; keyA = -1 marks an empty slot
  private mask: number;
  private count = 0;
  /** After `seal()`: one bit per hash position, set for every stored pair (null before). */
  private filter: Int32Array | null = null;
  private filterMask = 0;

  /** @param expected number of entries to size for (avoids rehashing while filling) */
  constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.table = new Int32Array(cap * 3).fill(-1);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /**
   * For a map that will only be read from now on (a fitted vocabulary's trie): builds a filter of
   * 16 bits per stored pair, one bit set per pair (from hash bits the slot index does not use),
   * that `get` checks before the table. Prediction probes the trie after most words, and about
   * half the probes are for pairs that are not there; the filter (128 KB for fine20's trie, small
   * enough to stay in cache) answers all but ~1 in 16 of those without touching the table, whose
   * slots are a cache miss each. Inserting afterwards drops the filter.
   */
  seal(): void {
    let bits = 1024;
    while (bits < this.count * 16) bits *= 2;
    const filter = new Int32Array(bits >>> 5);
    const t = this.table;
    for (let o = 0; o < t.length; o += 3) {
      if (t[o] === -1) continue;
      const bit = (hashPair(t[o]!, t[o + 1]!) >>> 7) & (bits - 1);
      filter[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.filter = filter;
    this.filterMask = bits - 1;
  }

  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    const h = hashPair(a, b);
    const filter = this.filter;
    if (filter !== null) {
      const bit = (h >>> 7) & this.filterMask;
      if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    }
    const t = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const o = slot * 3;
      const ka = t[o]!;
      if (ka === -1) return -1;
      if (ka === a && t[o + 1] === b) return t[o + 2]!;
      slot = (slot + 1) & mask;
    }
  }

  /** Stores value for (a, b) unless present; returns the value now stored. */
  getOrInsert(a: number, b: number, value: number): number {
    this.filter = null;
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const t = this.table;
    const mask = this.mask;
    let slot = hashPair(a, b) & mask;
    for (;;) {
      const o = slot * 3;
      const ka = t[o]!;
      if (ka === -1) {
        t[o] = a;
        t[o + 1] = b;
        t[o + 2] = value;
        this.count++;
        return value;
      }
      if (ka === a && t[o + 1] === b) return t[o + 2]!;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    this.table = new Int32Array(cap * 3).fill(-1);
    this.mask = cap - 1;
    this.count = 0;
    for (let o = 0; o < old.length; o += 3) {
      if (old[o] !== -1) this.getOrInsert(old[o]!, old[o + 1]!, old[o + 2]!);
    }
  }
}

function hashPair(a: number, b: number): number {
  // Multiply-xorshift mix (murmur3 finaliser constants); Math.imul keeps it in int32.
  let h = Math.imul(a, 0x9e3779b1) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
