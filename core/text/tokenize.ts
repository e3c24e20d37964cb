/**
 * Tokenisation, stop words and stemming.
 *
 * The word scanner (word-scanner.ts) is hand-written rather than natural's `WordTokenizer` (a
 * `split` on a regular expression followed by underscore's `without`, then a string per token):
 * prediction throughput is dominated by tokenisation, see bench/README.md for the measured ratio.
 * natural supplies the English stop list and the Porter stemmer's definition (porter-stemmer.ts
 * is a regex-free port with identical output, tested against natural).
 */
import naturalStopwords from 'natural/lib/natural/util/stopwords.js';
import { WordScanner } from './word-scanner.ts';

/** natural's English stop list (170 words), frozen. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(naturalStopwords.words);

export interface TokenizeOptions {
  /** Shortest word kept (default 2: single letters are mostly maths variables). */
  minLength?: number;
  /** Also emit the maths markers `$ ^ _ = \\ {` as one-character terms (default false). */
  symbols?: boolean;
}

/**
 * Splits text into word tokens, in text order: maximal runs of `[a-z0-9]` after lowercasing and
 * Unicode folding (as normalizeText does), at least `minLength` characters long, holding at least
 * one letter (pure numbers such as years and section numbers are dropped, as the reference
 * pipeline does), plus, with `symbols`, maths markers. It does not clean markup: pass
 * `normalizeText(text)` or `cleanMarkup(text)` for abstracts. Never throws.
 *
 * This is the string-returning face of the WordScanner that the vectorizer uses without strings.
 */
export function tokenizeWords(text: string, options: TokenizeOptions = {}): string[] {
  const scanner = new WordScanner({ minLength: options.minLength ?? 2, symbols: options.symbols ?? false });
  const out: string[] = [];
  scanner.scan(text, {
    word: (chars, length) => out.push(String.fromCharCode.apply(null, chars.subarray(0, length) as unknown as number[])),
    symbol: (code) => out.push(String.fromCharCode(code)),
  });
  return out;
}
