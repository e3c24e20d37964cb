/**
 * The tokeniser's inner loop: one pass over the UTF-16 code units of markup-cleaned text (see
 * cleanMarkup) that lowercases ASCII, folds non-ASCII characters (foldChar), and reports each word
 * as characters in a reused buffer plus an FNV-1a hash. No string is allocated per word: the
 * vocabulary lookup (SurfaceTable) compares characters, so only never-seen words become strings.
 * That is what makes prediction throughput independent of a JS `Map<string, …>`'s hashing cost.
 */
import { foldChar } from './normalize.ts';

/** Receives tokens in text order. */
export interface TokenSink {
  /** A word: `chars[0 .. length)`, lowercase ASCII letters and digits, with its FNV-1a hash. */
  word(chars: Uint16Array, length: number, hash: number): void;
  /** A maths marker character (only when the scanner's `symbols` option is on). */
  symbol(code: number): void;
}

/** Char codes reported as maths markers: `$` (inline maths), `^`, `_`, `=`, `\`, `{`. */
export const SYMBOL_CODES: readonly number[] = [36, 94, 95, 61, 92, 123];
const IS_SYMBOL = new Uint8Array(128);
for (const c of SYMBOL_CODES) IS_SYMBOL[c] = 1;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

/** FNV-1a over char codes, as the scanner computes it (exported for tables built from strings). */
export function hashChars(chars: ArrayLike<number>, length: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ chars[i]!, FNV_PRIME);
  return h;
}

export interface ScanOptions {
  /** Shortest word reported (shorter ones are dropped; default 2). */
  minLength: number;
  /** Report maths markers as symbols. */
  symbols: boolean;
}

/**
 * Word rules: maximal runs of `[a-z0-9]` after folding, at least `minLength` long, holding at least
 * one letter (pure numbers are dropped). Not re-entrant: one scanner per analyzer.
 */
export class WordScanner {
  private buf: Uint16Array = new Uint16Array(128);

  constructor(private readonly options: Readonly<ScanOptions>) {}

  scan(text: string, sink: TokenSink): void {
    // Hot loop: state lives in locals (field accesses per character cost ~2x here).
    const symbols = this.options.symbols;
    const minLength = this.options.minLength;
    let buf: Uint16Array = this.buf;
    let len = 0;
    let hash = FNV_OFFSET;
    let hasLetter = false;
    const n = text.length;
    for (let i = 0; i <= n; i++) {
      let c = i < n ? text.charCodeAt(i) : 32;
      if (c < 128) {
        if (c >= 65 && c <= 90) c |= 32;
        if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
          if (len === buf.length) buf = this.grow();
          buf[len++] = c;
          hash = Math.imul(hash ^ c, FNV_PRIME);
          if (c >= 97) hasLetter = true;
          continue;
        }
        if (len > 0) {
          if (hasLetter && len >= minLength) sink.word(buf, len, hash);
          len = 0;
          hash = FNV_OFFSET;
          hasLetter = false;
        }
        if (symbols && IS_SYMBOL[c] === 1) sink.symbol(c);
      } else {
        // Rare: non-ASCII characters fold to ASCII letters, or to spaces that end the word.
        const f = foldChar(c);
        for (let j = 0; j < f.length; j++) {
          const d = f.charCodeAt(j);
          if (d === 32) {
            if (len > 0) {
              if (hasLetter && len >= minLength) sink.word(buf, len, hash);
              len = 0;
              hash = FNV_OFFSET;
              hasLetter = false;
            }
          } else {
            if (len === buf.length) buf = this.grow();
            buf[len++] = d;
            hash = Math.imul(hash ^ d, FNV_PRIME);
            if (d >= 97) hasLetter = true;
          }
        }
      }
    }
  }

  private grow(): Uint16Array {
    const bigger = new Uint16Array(this.buf.length * 2);
    bigger.set(this.buf);
    this.buf = bigger;
    return bigger;
  }
}
