/**
 * The analyzer: raw title/abstract text to term ids (clean markup, scan words, drop stop words,
 * stem, look up). Its configuration is part of a fitted vocabulary, so a model always analyses
 * prediction text exactly as it analysed its training text.
 *
 * Speed matters here (prediction throughput is mostly analysis), so words are looked up by their
 * characters in a SurfaceTable that caches surface word -> term id; a word becomes a JS string
 * (and meets the stemmer and stop list) only the first time it is seen.
 */
import { cleanMarkup } from './normalize.ts';
import { MISSING, SurfaceTable } from './surface-table.ts';
import { porterStem } from './porter-stemmer.ts';
import { ENGLISH_STOP_WORDS } from './tokenize.ts';
import { WordScanner, type TokenSink } from './word-scanner.ts';

export interface AnalyzerConfig {
  /** Porter-stem every word (natural's algorithm; words under 3 characters are kept as they are). */
  stem: boolean;
  /** Drop natural's English stop words before n-grams are formed. */
  stopWords: boolean;
  /** Emit maths markers (`$`, `^`, `_`, `=`, `\`, `{`) as terms: they separate maths-heavy fields. */
  symbols: boolean;
}

/** Term id of a stop word: skipped, and n-grams are formed across it (as scikit-learn does). */
export const STOP = -2;
/** Term id of a word outside a frozen vocabulary: it breaks n-grams. */
export const UNKNOWN = -1;

// A long-running predictor meets new words forever; past this many cached surface forms the cache
// is rebuilt from the vocabulary (results are unchanged, only the first lookups get slower).
const MAX_CACHED_SURFACES = 1_000_000;

export class Analyzer implements TokenSink {
  /** Term strings by id. Grows while the analyzer is open, fixed once frozen. */
  readonly terms: string[];
  private readonly termIndex: Map<string, number>;
  private surfaces!: SurfaceTable;
  private frozen: boolean;
  private readonly scanner: WordScanner;
  private readonly symbolIds = new Int32Array(128).fill(-3);
  private ids = new Int32Array(512);
  private count = 0;

  /**
   * @param terms a fitted vocabulary's terms: the analyzer is then frozen (unknown words map to
   * UNKNOWN). Without it the analyzer is open and assigns new ids to new terms (fitting).
   */
  constructor(readonly config: Readonly<AnalyzerConfig>, terms?: readonly string[]) {
    this.scanner = new WordScanner({ minLength: 2, symbols: config.symbols });
    this.terms = terms ? [...terms] : [];
    this.termIndex = new Map(this.terms.map((t, i) => [t, i]));
    this.frozen = terms !== undefined;
    this.resetSurfaces();
  }

  /** Stops adding terms: from now on unseen terms map to UNKNOWN. */
  freeze(): void {
    this.frozen = true;
  }

  /**
   * Freezes the analyzer on a pruned vocabulary: term `t` becomes `newIds[t]` (-1: dropped, i.e.
   * UNKNOWN) and `terms` becomes `keptTerms`. The surface forms already analysed stay cached, so
   * a vectorizer fitted in this process predicts without re-stemming words it has seen.
   */
  reindex(keptTerms: readonly string[], newIds: Int32Array): void {
    const remap = (id: number): number => (id >= 0 ? newIds[id]! : id);
    this.surfaces.mapValues(remap);
    for (let c = 0; c < this.symbolIds.length; c++) if (this.symbolIds[c]! >= 0) this.symbolIds[c] = remap(this.symbolIds[c]!);
    this.terms.length = 0;
    for (const t of keptTerms) this.terms.push(t);
    this.termIndex.clear();
    keptTerms.forEach((t, i) => this.termIndex.set(t, i));
    this.frozen = true;
  }

  /**
   * Term ids of one text, in order (STOP for stop words, UNKNOWN for out-of-vocabulary words of a
   * frozen analyzer). The returned view is reused by the next call: copy it to keep it.
   */
  termIds(text: string): Int32Array {
    this.count = 0;
    this.scanner.scan(cleanMarkup(text), this);
    return this.ids.subarray(0, this.count);
  }

  /** Term strings of one text (debugging and tests; stop words and unknown words left out). */
  termStrings(text: string): string[] {
    return Array.from(this.termIds(text))
      .filter((id) => id >= 0)
      .map((id) => this.terms[id]!);
  }

  /** @internal TokenSink */
  word(chars: Uint8Array, length: number, hash: number): void {
    let id = this.surfaces.get(chars, length, hash);
    if (id === MISSING) {
      if (this.surfaces.size >= MAX_CACHED_SURFACES) this.resetSurfaces();
      id = this.resolve(String.fromCharCode.apply(null, chars.subarray(0, length) as unknown as number[]));
      this.surfaces.add(chars, length, hash, id);
    }
    this.emit(id);
  }

  /** @internal TokenSink */
  symbol(code: number): void {
    let id = this.symbolIds[code]!;
    if (id === -3) {
      id = this.termFor(String.fromCharCode(code));
      // Do not cache UNKNOWN while open: a later document may add the symbol.
      if (id !== UNKNOWN || this.frozen) this.symbolIds[code] = id;
    }
    this.emit(id);
  }

  private emit(id: number): void {
    if (this.count === this.ids.length) {
      const bigger = new Int32Array(this.ids.length * 2);
      bigger.set(this.ids);
      this.ids = bigger;
    }
    this.ids[this.count++] = id;
  }

  private resolve(word: string): number {
    if (this.config.stopWords && ENGLISH_STOP_WORDS.has(word)) return STOP;
    return this.termFor(this.config.stem ? porterStem(word) : word);
  }

  private termFor(term: string): number {
    let id = this.termIndex.get(term);
    if (id === undefined) {
      if (this.frozen) return UNKNOWN;
      id = this.terms.length;
      this.terms.push(term);
      this.termIndex.set(term, id);
    }
    return id;
  }

  private resetSurfaces(): void {
    this.surfaces = new SurfaceTable(Math.max(1024, this.terms.length));
  }
}
