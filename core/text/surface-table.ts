/**
 * Open-addressing hash table from words (as character codes from the WordScanner) to an int32
 * value, storing the characters in one byte pool. Lookups compare characters directly, so the
 * tokeniser never builds a string for a word it has seen before.
 *
 * Layout is chosen for the prediction hot path, one lookup per token: a slot holds the word's
 * hash next to its entry number (one cache line decides a miss or a likely hit), and an entry holds
 * offset, length and value side by side (a second line), then the characters (a third).
 */
import { hashChars } from './word-scanner.ts';

/** Returned by `get` for a word not in the table (a number, so the call site stays monomorphic). */
export const MISSING = -0x80000000;

export class SurfaceTable {
  /** [hash, entry + 1] per slot; entry + 1 = 0 marks an empty slot. */
  private slots: Int32Array;
  private mask: number;
  /** [pool offset, length, value] per entry. */
  private entries: Int32Array;
  private pool: Uint8Array;
  private poolUsed = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Int32Array(cap * 2);
    this.mask = cap - 1;
    this.entries = new Int32Array(initialCapacity * 3);
    this.pool = new Uint8Array(initialCapacity * 8);
  }

  get size(): number {
    return this.count;
  }

  /** The value stored for the word, or {@link MISSING}. */
  get(chars: Uint8Array, length: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let slot = mix(hash) & mask;
    for (;;) {
      const s = slot << 1;
      const e = slots[s + 1]!;
      if (e === 0) return MISSING;
      if (slots[s] === hash) {
        const o = (e - 1) * 3;
        const entries = this.entries;
        if (entries[o + 1] === length) {
          const pool = this.pool;
          const off = entries[o]!;
          let i = 0;
          while (i < length && pool[off + i] === chars[i]) i++;
          if (i === length) return entries[o + 2]!;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Adds a word that is not in the table. */
  add(chars: ArrayLike<number>, length: number, hash: number, value: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    if ((this.count + 1) * 3 > this.entries.length) {
      const bigger = new Int32Array(this.entries.length * 2);
      bigger.set(this.entries);
      this.entries = bigger;
    }
    if (this.poolUsed + length > this.pool.length) {
      const bigger = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + length));
      bigger.set(this.pool.subarray(0, this.poolUsed));
      this.pool = bigger;
    }
    const e = this.count++;
    this.entries[e * 3] = this.poolUsed;
    this.entries[e * 3 + 1] = length;
    this.entries[e * 3 + 2] = value;
    for (let i = 0; i < length; i++) this.pool[this.poolUsed + i] = chars[i]!;
    this.poolUsed += length;
    this.place(hash, e);
  }

  /** Replaces every stored value v by `map(v)` (used to renumber terms after vocabulary pruning). */
  mapValues(map: (value: number) => number): void {
    for (let e = 0; e < this.count; e++) this.entries[e * 3 + 2] = map(this.entries[e * 3 + 2]!);
  }

  /** Adds a word given as a string (lowercase ASCII expected). */
  addString(word: string, value: number): void {
    const chars = new Uint8Array(word.length);
    for (let i = 0; i < word.length; i++) chars[i] = word.charCodeAt(i);
    this.add(chars, chars.length, hashChars(chars, chars.length), value);
  }

  private place(hash: number, e: number): void {
    const mask = this.mask;
    let slot = mix(hash) & mask;
    while (this.slots[(slot << 1) + 1] !== 0) slot = (slot + 1) & mask;
    this.slots[slot << 1] = hash;
    this.slots[(slot << 1) + 1] = e + 1;
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
    for (let s = 0; s < old.length; s += 2) if (old[s + 1] !== 0) this.place(old[s]!, old[s + 1]! - 1);
  }
}

// FNV-1a's low bits are weak for short keys; a final avalanche spreads them over the slots.
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
