/**
 * Text pipeline micro-benchmark: our code against natural's, on real abstracts, in one process.
 *
 *   npx tsx bench/text.ts [--data FILE] [--docs N] [--tfidf-docs N] [--json]
 *
 * 1. tokenisation to vocabulary ids, what vectorising needs: natural's WordTokenizer on lowercased
 *    text plus a Map lookup per token, vs our Analyzer (cleanMarkup, WordScanner, lookup by
 *    characters; it also folds accents and LaTeX). Both know the same vocabulary.
 * 2. stemming: natural's PorterStemmer vs our port (porter-stemmer.ts), every distinct word once;
 *    also counts words where the two disagree (should be 0).
 * 3. TF-IDF: natural's TfIdf (addDocument + listTerms for every document = vectorising the
 *    corpus) vs our TfidfVectorizer.fit (unigrams; includes tokenising raw text).
 * 4. optimiser: the ml-logistic-regression candidate vs our softmax candidate on the same 1,000
 *    features of an archives5 subset (fit time and macro-F1 on the subset's test papers).
 * Times are medians of 3 runs after one warm-up, except natural's TfIdf and ml-logistic-regression
 * (one run: they are slow).
 */
import { existsSync } from 'node:fs';
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import TfIdf from 'natural/lib/natural/tfidf/tfidf.js';
import { WordTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer.js';
import { evaluate, trainClassifier } from '../core/ml/index.ts';
import { Analyzer } from '../core/text/analyzer.ts';
import { cleanMarkup, normalizeText } from '../core/text/normalize.ts';
import { porterStem } from '../core/text/porter-stemmer.ts';
import { TfidfVectorizer } from '../core/text/tfidf.ts';
import { tokenizeWords } from '../core/text/tokenize.ts';
import { parseArgs } from './args.ts';
import { DEFAULT_DATA, loadTask } from './tasks.ts';


function time(fn: () => unknown, runs = 3): number {
  fn();
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[runs >> 1]!;
}

function once(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['json']);
  const data = args.get('data') ?? DEFAULT_DATA;
  if (!existsSync(data)) throw new Error(`data file ${data} not found (pass --data)`);
  const nDocs = Number(args.get('docs') ?? 8000);
  const nTfidf = Number(args.get('tfidf-docs') ?? 2000);
  const { train } = await loadTask(data, 'fine20');
  const texts = train.slice(0, nDocs).map((d) => d.text);
  const results: Record<string, unknown> = { docs: texts.length };
  const report = (name: string, natural: number, ours: number, extra = '') => {
    results[name] = { naturalMs: Math.round(natural), oursMs: Math.round(ours), ratio: Math.round((natural / ours) * 10) / 10 };
    console.log(`${name.padEnd(12)} natural ${natural.toFixed(0).padStart(6)} ms   ours ${ours.toFixed(0).padStart(5)} ms   natural/ours ${(natural / ours).toFixed(1)}x ${extra}`);
  };

  // 1. Tokenisation to ids.
  const tokenizer = new WordTokenizer();
  const vocabulary = new Map<string, number>();
  for (const t of texts) for (const w of tokenizer.tokenize(t.toLowerCase())) if (!vocabulary.has(w)) vocabulary.set(w, vocabulary.size);
  const naturalIds = () => {
    let known = 0;
    for (const t of texts) for (const w of tokenizer.tokenize(t.toLowerCase())) if (vocabulary.get(w) !== undefined) known++;
    return known;
  };
  const analyzer = new Analyzer({ stem: false, stopWords: false, symbols: false }, [...vocabulary.keys()]);
  const ourIds = () => {
    let n = 0;
    for (const t of texts) n += analyzer.termIds(t).length;
    return n;
  };
  report('tokenise', time(naturalIds), time(ourIds), `(${texts.length} docs to vocabulary ids)`);

  // 2. Stemming.
  const words = [...new Set(texts.flatMap((t) => tokenizeWords(normalizeText(t))))];
  const mismatches = words.filter((w) => porterStem(w) !== PorterStemmer.stem(w)).length;
  report('stem', time(() => words.map((w) => PorterStemmer.stem(w))), time(() => words.map(porterStem)), `(${words.length} distinct words, ${mismatches} different stems)`);
  results.stemMismatches = mismatches;

  // 3. TF-IDF over the same documents (natural's needs O(vocabulary x documents) for its IDFs).
  const sub = texts.slice(0, nTfidf);
  const naturalMs = once(() => {
    const tfidf = new TfIdf();
    for (const t of sub) tfidf.addDocument(tokenizeWords(cleanMarkup(t)));
    for (let d = 0; d < sub.length; d++) tfidf.listTerms(d);
  });
  const config = { analyzer: { stem: false, stopWords: false, symbols: false }, ngramMax: 1, minDf: 1, maxFeatures: 0, sublinearTf: false };
  report('tf-idf', naturalMs, time(() => TfidfVectorizer.fit(sub, config)), `(${sub.length} docs, unigrams)`);

  // 4. Optimiser: ml-logistic-regression vs our softmax regression on the same features.
  const small = await loadTask(data, 'archives5', { limit: 2000 });
  const features = { maxFeatures: 1000, ngramMax: 2 };
  const fit = async (kind: string, params: Record<string, number>) => {
    const t0 = performance.now();
    const clf = await trainClassifier(small.train, { kind, params: { ...features, ...params } }, { seed: 1 });
    return { ms: performance.now() - t0, f1: evaluate(clf, small.test).f1Macro };
  };
  const mlr = await fit('ml-logistic-regression', { numSteps: 100 });
  const ours = await fit('softmax', {});
  report('logistic', mlr.ms, ours.ms, `(${small.train.length} docs x 1,000 features; macro-F1 ml-logistic-regression ${mlr.f1.toFixed(3)} (100 steps), softmax ${ours.f1.toFixed(3)})`);
  results.logisticF1 = { mlLogisticRegression: mlr.f1, softmax: ours.f1 };
  if (args.has('json')) console.log(JSON.stringify(results));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
