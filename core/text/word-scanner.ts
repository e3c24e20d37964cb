/**
 * The tokeniser's inner loop: one pass over markup-cleaned text (see cleanMarkup) that lowercases
 * ASCII, folds non-ASCII characters (foldChar), and reports each word as characters in a reused
 * buffer plus an FNV-1a hash. No string is allocated per word: the vocabulary lookup
 * (SurfaceTable) compares characters, so only never-seen words become strings.
 *
 * The text is first encoded to UTF-8 bytes with `TextEncoder.encodeInto` (native, vectorised),
 * and the loop then reads a Uint8Array through a 128-entry class table: this is about twice as fast
 * as `charCodeAt` over a JS string (cons strings, bounds and representation checks per call), and
 * prediction throughput is mostly this loop. Non-ASCII characters are decoded back from their
 * UTF-8 sequence and folded exactly as the UTF-16 code unit would be, so the tokens are those of
 * `tokenizeWords(normalizeText(text))`.
 */
import { foldChar } from './normalize.ts';

/** Receives tokens in text order. */
export interface TokenSink {
  /** A word: `chars[0 .. length)`, lowercase ASCII letters and digits, with its FNV-1a hash. */
  word(chars: Uint8Array, length: number, hash: number): void;
  /** A maths marker character (only when the scanner's `symbols` option is on). */
  symbol(code: number): void;
}

/** Char codes reported as maths markers: `$` (inline maths), `^`, `_`, `=`, `\`, `{`. */
export const SYMBOL_CODES: readonly number[] = [36, 94, 95, 61, 92, 123];
const IS_SYMBOL = new Uint8Array(128);
for (const c of SYMBOL_CODES) IS_SYMBOL[c] = 1;

/** ASCII byte -> the word character it is (lowercased), or 0 for a separator. */
const WORD_CHAR = new Uint8Array(128);
for (let c = 48; c <= 57; c++) WORD_CHAR[c] = c;
for (let c = 97; c <= 122; c++) WORD_CHAR[c] = c;
for (let c = 65; c <= 90; c++) WORD_CHAR[c] = c | 32;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
const ENCODER = new TextEncoder();

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
  private buf: Uint8Array = new Uint8Array(128);
  private bytes: Uint8Array = new Uint8Array(4096);

  constructor(private readonly options: Readonly<ScanOptions>) {}

  scan(text: string, sink: TokenSink): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (this.bytes.length < text.length * 3) this.bytes = new Uint8Array(text.length * 3 + 1024);
    const bytes = this.bytes;
    const n = ENCODER.encodeInto(text, bytes).written;
    // Hot loop: state lives in locals (field accesses per character cost ~2x here).
    const symbols = this.options.symbols;
    const minLength = this.options.minLength;
    let buf: Uint8Array = this.buf;
    let len = 0;
    let hash = FNV_OFFSET;
    let hasLetter = false;
    for (let i = 0; i <= n; i++) {
      const b = i < n ? bytes[i]! : 32;
      if (b < 128) {
        const c = WORD_CHAR[b]!;
        if (c !== 0) {
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
        if (symbols && IS_SYMBOL[b] === 1) sink.symbol(b);
        continue;
      }
      // Rare: a non-ASCII character. Decode its UTF-8 sequence back to the UTF-16 code unit and
      // fold it to ASCII letters, or to spaces that end the word. A 4-byte sequence is a
      // surrogate pair in the string; each half folds to a space.
      let f: string;
      if (b < 0xe0) {
        f = foldChar(((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f));
        i += 1;
      } else if (b < 0xf0) {
        f = foldChar(((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f));
        i += 2;
      } else {
        f = ' ';
        i += 3;
      }
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

  private grow(): Uint8Array {
    const bigger = new Uint8Array(this.buf.length * 2);
    bigger.set(this.buf);
    this.buf = bigger;
    return bigger;
  }
}
