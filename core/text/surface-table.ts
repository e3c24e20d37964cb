/**
 * Open-addressing hash table from words (as char-code sequences from the WordScanner) to an int32
 * value, storing the characters in one Uint16Array pool. Lookups compare characters directly, so
 * the tokeniser never builds a string for a word it has seen before.
 */
import { hashChars } from './word-scanner.ts';

/** Returned by `get` for a word not in the table (a number, so the call site stays monomorphic). */
export const MISSING = -0x80000000;

export class SurfaceTable {
  private slots: Int32Array; // entry index + 1, 0 = empty
  private mask: number;
  private hashes: Int32Array;
  private offsets: Int32Array;
  private lengths: Int32Array;
  private values: Int32Array;
  private pool: Uint16Array;
  private poolUsed = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.hashes = new Int32Array(initialCapacity);
    this.offsets = new Int32Array(initialCapacity);
    this.lengths = new Int32Array(initialCapacity);
    this.values = new Int32Array(initialCapacity);
    this.pool = new Uint16Array(initialCapacity * 8);
  }

  get size(): number {
    return this.count;
  }

  /** The value stored for the word, or {@link MISSING}. */
  get(chars: Uint16Array, length: number, hash: number): number {
    const mask = this.mask;
    let slot = mix(hash) & mask;
    for (;;) {
      const e = this.slots[slot]!;
      if (e === 0) return MISSING;
      if (this.hashes[e - 1] === hash && this.equals(e - 1, chars, length)) return this.values[e - 1]!;
      slot = (slot + 1) & mask;
    }
  }

  /** Adds a word that is not in the table. */
  add(chars: ArrayLike<number>, length: number, hash: number, value: number): void {
    if ((this.count + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    if (this.count === this.hashes.length) this.growEntries();
    if (this.poolUsed + length > this.pool.length) {
      const bigger = new Uint16Array(Math.max(this.pool.length * 2, this.poolUsed + length));
      bigger.set(this.pool.subarray(0, this.poolUsed));
      this.pool = bigger;
    }
    const e = this.count++;
    this.hashes[e] = hash;
    this.offsets[e] = this.poolUsed;
    this.lengths[e] = length;
    this.values[e] = value;
    for (let i = 0; i < length; i++) this.pool[this.poolUsed + i] = chars[i]!;
    this.poolUsed += length;
    this.place(e);
  }

  /** Replaces every stored value v by `map(v)` (used to renumber terms after vocabulary pruning). */
  mapValues(map: (value: number) => number): void {
    for (let e = 0; e < this.count; e++) this.values[e] = map(this.values[e]!);
  }

  /** Adds a word given as a string (lowercase ASCII expected). */
  addString(word: string, value: number): void {
    const chars = new Uint16Array(word.length);
    for (let i = 0; i < word.length; i++) chars[i] = word.charCodeAt(i);
    this.add(chars, chars.length, hashChars(chars, chars.length), value);
  }

  private equals(e: number, chars: Uint16Array, length: number): boolean {
    if (this.lengths[e] !== length) return false;
    const off = this.offsets[e]!;
    for (let i = 0; i < length; i++) if (this.pool[off + i] !== chars[i]) return false;
    return true;
  }

  private place(e: number): void {
    const mask = this.mask;
    let slot = mix(this.hashes[e]!) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = e + 1;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let e = 0; e < this.count; e++) this.place(e);
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes);
    this.offsets = grow(this.offsets);
    this.lengths = grow(this.lengths);
    this.values = grow(this.values);
  }
}

// FNV-1a's low bits are weak for short keys; a final avalanche spreads them over the slots.
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
