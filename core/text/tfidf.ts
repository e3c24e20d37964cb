/**
 * Sparse TF-IDF over word n-grams with a fitted vocabulary.
 *
 * Why not natural's `TfIdf`: it keeps one JS object per document and computes each term's IDF by
 * scanning every document (O(vocabulary x documents)); vectorising 2,000 abstracts took 4.1 s
 * against our 0.095 s (39x, `npx tsx bench/text.ts`, 2026-11-22), and the gap grows with the corpus. This one
 * turns each document into term ids once, indexes n-grams in a typed-array trie
 * ({@link PairHashMap}) and writes CSR rows with float32 values.
 *
 * Weighting follows scikit-learn's `TfidfVectorizer(sublinear_tf, smooth_idf, norm='l2')`:
 * tf' = 1 + ln(tf) (or tf), idf = ln((1 + n) / (1 + df)) + 1, rows scaled to unit L2 norm.
 */
import { Analyzer, STOP, type AnalyzerConfig } from './analyzer.ts';
import { PairHashMap } from './pair-hash-map.ts';
import { CsrBuilder, type CsrMatrix } from './sparse.ts';

export interface TfidfConfig {
  analyzer: AnalyzerConfig;
  /** Longest word n-gram (1 = unigrams only; at most 3). */
  ngramMax: number;
  /** Keep n-grams seen in at least this many training documents. */
  minDf: number;
  /** Keep at most this many n-grams, the most frequent by document frequency (0 = no limit). */
  maxFeatures: number;
  /** tf' = 1 + ln(tf) instead of raw counts. */
  sublinearTf: boolean;
}

/**
 * A fitted vocabulary: the n-gram trie restricted to the kept features and their prefixes.
 * Gram g is a unigram when `gramParent[g] === -1` (then `terms[g]` is its word), otherwise the
 * n-gram `gramParent[g]` followed by the word `terms[gramTerm[g]]`. `gramCol[g]` is its column in
 * the matrix, or -1 for a prefix that is not itself a feature. Unigram grams come first, so a
 * unigram's gram id equals its term id.
 */
export interface TfidfState {
  config: TfidfConfig;
  terms: string[];
  gramParent: Int32Array;
  gramTerm: Int32Array;
  gramCol: Int32Array;
  idf: Float32Array;
}

/** Raised when a vectorizer cannot be fitted (no documents, or no term survives `minDf`). */
export class EmptyVocabularyError extends Error {
  override name = 'EmptyVocabularyError';
}

export class TfidfVectorizer {
  private readonly analyzer: Analyzer;
  private readonly trie: PairHashMap;
  /**
   * Per gram, its column and whether it starts a longer kept n-gram, packed in one int so the
   * per-token hot path reads one array: `((col + 1) << 1) | extendable` (col -1: not a feature).
   */
  private readonly gramInfo: Int32Array;
  /** Scratch space for one row: counts per column, the columns touched, their values. */
  private readonly rowCounts: Int32Array;
  private readonly touched: Int32Array;
  /** Sized like `touched` (a row touches each column at most once), so it never needs to grow. */
  private readonly rowValues: Float64Array;

  private constructor(readonly state: TfidfState, analyzer?: Analyzer) {
    this.analyzer = analyzer ?? new Analyzer(state.config.analyzer, state.terms);
    const nGrams = state.gramParent.length;
    this.trie = new PairHashMap(nGrams - state.terms.length);
    const info = new Int32Array(nGrams);
    for (let g = 0; g < nGrams; g++) {
      info[g] = info[g]! | ((state.gramCol[g]! + 1) << 1);
      const parent = state.gramParent[g]!;
      if (parent >= 0) {
        this.trie.getOrInsert(parent, state.gramTerm[g]!, g);
        info[parent] = info[parent]! | 1;
      }
    }
    this.trie.seal();
    this.gramInfo = info;
    this.rowCounts = new Int32Array(state.idf.length);
    this.touched = new Int32Array(state.idf.length);
    this.rowValues = new Float64Array(state.idf.length);
  }

  /** Number of features (matrix columns). */
  get size(): number {
    return this.state.idf.length;
  }

  /** Rebuilds a vectorizer from a stored state (as written by a model artifact). */
  static fromState(state: TfidfState): TfidfVectorizer {
    return new TfidfVectorizer(state);
  }

  /**
   * Learns the vocabulary and IDF from `texts` and returns the vectorizer with the training
   * matrix (one row per text, same order). Deterministic: the same texts in the same order give
   * the same vocabulary, column order and values.
   * @throws EmptyVocabularyError when there are no texts or no n-gram reaches `minDf`.
   */
  static fit(texts: readonly string[], config: TfidfConfig): { vectorizer: TfidfVectorizer; matrix: CsrMatrix } {
    if (texts.length === 0) throw new EmptyVocabularyError('cannot fit a vocabulary on zero documents');
    const ngramMax = Math.max(1, Math.min(3, Math.floor(config.ngramMax)));
    const analyzer = new Analyzer(config.analyzer);

    const docs = analyzeAll(texts, analyzer);
    analyzer.freeze();
    const T = analyzer.terms.length;
    const { gramParent, gramTerm, df, nGrams } = indexNgrams(docs, T, ngramMax);

    // Feature selection: df >= minDf, then the maxFeatures most frequent (ties: lower gram id).
    let selected: number[] = [];
    for (let g = 0; g < nGrams; g++) if (df[g]! >= config.minDf) selected.push(g);
    if (config.maxFeatures > 0 && selected.length > config.maxFeatures) {
      selected.sort((a, b) => df[b]! - df[a]! || a - b);
      selected = selected.slice(0, config.maxFeatures).sort((a, b) => a - b);
    }
    if (selected.length === 0) {
      throw new EmptyVocabularyError(`no n-gram occurs in at least ${config.minDf} of ${texts.length} documents`);
    }

    // Keep the selected grams, their prefixes and the words they are made of; renumber so that
    // kept unigrams come first (their gram id is then their term id in the stored vocabulary).
    const keep = new Uint8Array(nGrams);
    for (const g of selected) {
      for (let p = g; p >= 0 && !keep[p]; p = gramParent[p]!) {
        keep[p] = 1;
        keep[gramTerm[p]!] = 1;
      }
    }
    const newId = new Int32Array(nGrams).fill(-1);
    const keptTerms: string[] = [];
    for (let t = 0; t < T; t++) {
      if (keep[t]) {
        newId[t] = keptTerms.length;
        keptTerms.push(analyzer.terms[t]!);
      }
    }
    let nKept = keptTerms.length;
    for (let g = T; g < nGrams; g++) if (keep[g]) newId[g] = nKept++;
    const outParent = new Int32Array(nKept);
    const outTerm = new Int32Array(nKept);
    const outCol = new Int32Array(nKept).fill(-1);
    for (let g = 0; g < nGrams; g++) {
      if (!keep[g]) continue;
      const id = newId[g]!;
      outParent[id] = g < T ? -1 : newId[gramParent[g]!]!;
      outTerm[id] = newId[gramTerm[g]!]!;
    }
    const idf = new Float32Array(selected.length);
    selected.forEach((g, col) => {
      outCol[newId[g]!] = col;
      idf[col] = Math.log((1 + texts.length) / (1 + df[g]!)) + 1;
    });
    const state: TfidfState = {
      config: { ...config, analyzer: { ...config.analyzer }, ngramMax },
      terms: keptTerms,
      gramParent: outParent,
      gramTerm: outTerm,
      gramCol: outCol,
      idf,
    };
    analyzer.reindex(keptTerms, newId.subarray(0, T));
    const vectorizer = new TfidfVectorizer(state, analyzer);

    // Pass 3: the training matrix, by the counting code that prediction uses (so the two cannot
    // differ, and it is compiled and warm when the first prediction comes), from the term-id
    // sequences renumbered to the kept vocabulary (a dropped word is UNKNOWN and breaks n-grams,
    // exactly as in prediction): no second analysis.
    const builder = new CsrBuilder(selected.length, Math.max(1024, texts.length * 64));
    const termOf = newId.subarray(0, T);
    for (const doc of docs) {
      for (let i = 0; i < doc.length; i++) doc[i] = termOf[doc[i]!]!;
      builder.pushRow(vectorizer.touched, vectorizer.rowValues, vectorizer.weighRow(vectorizer.countGrams(doc)));
    }
    return { vectorizer, matrix: builder.build() };
  }

  /** TF-IDF rows for `texts`; out-of-vocabulary words are ignored. Never throws. */
  transform(texts: readonly string[]): CsrMatrix {
    const builder = new CsrBuilder(this.size, Math.max(1024, texts.length * 128));
    this.forEachRow(texts, (_row, cols, values, length) => builder.pushRow(cols, values, length));
    return builder.build();
  }

  /**
   * Visits the TF-IDF row of each text in order, without building a matrix: `cols[0 .. length)`
   * in ascending order with their `values`. The arrays are reused for the next row (copy to
   * keep). This is the prediction path: a classifier scores each row as it is produced.
   */
  forEachRow(texts: readonly string[], visit: (row: number, cols: Int32Array, values: Float64Array, length: number) => void): void {
    for (let r = 0; r < texts.length; r++) {
      const length = this.weighRow(this.countGrams(this.analyzer.termIds(texts[r]!)));
      visit(r, this.touched, this.rowValues, length);
    }
  }

  /**
   * Counts the n-grams of one term-id sequence into `rowCounts` / `touched` and returns how many
   * columns it touched. STOP ids are skipped (n-grams form across them); UNKNOWN ids end an
   * n-gram. Hot path of prediction: one `gramInfo` read per gram, a trie probe only after a gram
   * that starts a longer kept n-gram.
   */
  private countGrams(ids: Int32Array): number {
    const { trie, gramInfo, rowCounts: counts, touched } = this;
    const ngramMax = this.state.config.ngramMax;
    const n = ids.length;
    let nTouched = 0;
    for (let i = 0; i < n; i++) {
      let g = ids[i]!;
      if (g < 0) continue;
      let info = gramInfo[g]!;
      let j = i;
      for (let len = 1; ; len++) {
        const col = (info >> 1) - 1;
        if (col >= 0 && counts[col]!++ === 0) touched[nTouched++] = col;
        if (len === ngramMax || (info & 1) === 0) break;
        do j++;
        while (j < n && ids[j] === STOP);
        if (j >= n || ids[j]! < 0) break;
        g = trie.get(g, ids[j]!);
        if (g < 0) break;
        info = gramInfo[g]!;
      }
    }
    return nTouched;
  }

  /** Human-readable name of column `col` ("word", "two words"). */
  featureName(col: number): string {
    const { gramCol, gramParent, gramTerm, terms } = this.state;
    const g = gramCol.indexOf(col);
    if (g < 0) throw new RangeError(`no feature ${col}`);
    const words: string[] = [];
    for (let p = g; p >= 0; p = gramParent[p]!) words.unshift(terms[gramTerm[p]!]!);
    return words.join(' ');
  }

  /**
   * Turns the counts of the `nTouched` touched columns into the row's weights in `rowValues`
   * (columns sorted ascending, so trainers and scorers walk their weights in order), resets the
   * counts, and returns `nTouched`.
   */
  private weighRow(nTouched: number): number {
    const { rowCounts, touched } = this;
    const { idf, config } = this.state;
    touched.subarray(0, nTouched).sort();
    const values = this.rowValues;
    let norm = 0;
    for (let k = 0; k < nTouched; k++) {
      const c = touched[k]!;
      const tf = rowCounts[c]!;
      rowCounts[c] = 0;
      const v = (config.sublinearTf ? 1 + Math.log(tf) : tf) * idf[c]!;
      values[k] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < nTouched; k++) values[k]! *= inv;
    }
    return nTouched;
  }
}

/**
 * Pass 1 of a fit: each text to its term-id sequence, stop words removed (n-grams form across
 * them). The passes of a fit are separate functions so that V8 optimises each hot loop as a whole
 * function: inside one long `fit` they were compiled on-stack and deoptimised again and again on
 * first use, which made a cold fit about a third slower.
 */
function analyzeAll(texts: readonly string[], analyzer: Analyzer): Int32Array[] {
  const docs: Int32Array[] = new Array(texts.length);
  for (let d = 0; d < texts.length; d++) {
    const ids = analyzer.termIds(texts[d]!);
    let kept = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== STOP) kept++;
    const doc = new Int32Array(kept);
    for (let i = 0, j = 0; i < ids.length; i++) if (ids[i] !== STOP) doc[j++] = ids[i]!;
    docs[d] = doc;
  }
  return docs;
}

/**
 * Pass 2 of a fit: the document frequency of every n-gram. Gram g < T is the unigram of term g;
 * longer grams get ids from T on, indexed by (prefix gram, next term) in a typed-array trie.
 */
function indexNgrams(docs: readonly Int32Array[], T: number, ngramMax: number) {
  let tokens = 0;
  for (const doc of docs) tokens += doc.length;
  // Distinct longer n-grams are at most (ngramMax - 1) per token; most are seen once.
  const trie = new PairHashMap(Math.max(1024, Math.ceil(tokens * 0.5 * (ngramMax - 1))));
  let gramParent: Int32Array = new Int32Array(T + (1 << 16)).fill(-1);
  let gramTerm: Int32Array = new Int32Array(gramParent.length);
  let df: Int32Array = new Int32Array(gramParent.length);
  let lastDoc: Int32Array = new Int32Array(gramParent.length).fill(-1);
  for (let t = 0; t < T; t++) gramTerm[t] = t;
  let nGrams = T;
  for (let d = 0; d < docs.length; d++) {
    const ids = docs[d]!;
    for (let i = 0; i < ids.length; i++) {
      let g = ids[i]!;
      if (lastDoc[g] !== d) {
        lastDoc[g] = d;
        df[g]!++;
      }
      for (let n = 2; n <= ngramMax && i + n - 1 < ids.length; n++) {
        const term = ids[i + n - 1]!;
        const next = trie.getOrInsert(g, term, nGrams);
        if (next === nGrams) {
          if (nGrams === df.length) {
            gramParent = grow(gramParent, -1);
            gramTerm = grow(gramTerm, 0);
            df = grow(df, 0);
            lastDoc = grow(lastDoc, -1);
          }
          gramParent[nGrams] = g;
          gramTerm[nGrams] = term;
          nGrams++;
        }
        g = next;
        if (lastDoc[g] !== d) {
          lastDoc[g] = d;
          df[g]!++;
        }
      }
    }
  }
  // The full trie (every n-gram seen, mostly once) is the largest structure of the fit; it is
  // dropped on return.
  return { gramParent, gramTerm, df, nGrams };
}

function grow(a: Int32Array, fill: number): Int32Array {
  const b = new Int32Array(a.length * 2).fill(fill, a.length);
  b.set(a);
  return b;
}
