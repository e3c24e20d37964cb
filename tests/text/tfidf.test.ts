import { describe, expect, it } from 'vitest';
import { TfidfVectorizer, type TfidfConfig } from '../../core/text/tfidf.ts';
import type { CsrMatrix } from '../../core/text/sparse.ts';
import { loadArchives5Small } from '../ml/fixture.ts';

const BASE: TfidfConfig = {
  analyzer: { stem: false, stopWords: false, symbols: false },
  ngramMax: 2,
  minDf: 1,
  maxFeatures: 0,
  sublinearTf: true,
};

function row(m: CsrMatrix, i: number, v: TfidfVectorizer): Map<string, number> {
  const out = new Map<string, number>();
  for (let p = m.indptr[i]!; p < m.indptr[i + 1]!; p++) out.set(v.featureName(m.indices[p]!), m.data[p]!);
  return out;
}

describe('TfidfVectorizer', () => {
  it('matches hand-computed sublinear, smoothed, L2-normalised weights', () => {
    const docs = ['quantum spin spin', 'quantum gravity'];
    const { vectorizer, matrix } = TfidfVectorizer.fit(docs, BASE);
    // n = 2. idf = ln((1 + n) / (1 + df)) + 1: df 2 -> 1, df 1 -> ln(1.5) + 1.
    const rare = Math.log(1.5) + 1;
    // doc 0: quantum tf 1 -> 1 * 1; spin tf 2 -> (1 + ln 2) * rare; "quantum spin" 1 * rare; "spin spin" 1 * rare.
    const raw0 = { quantum: 1, spin: (1 + Math.log(2)) * rare, 'quantum spin': rare, 'spin spin': rare };
    const norm0 = Math.hypot(...Object.values(raw0));
    const r0 = row(matrix, 0, vectorizer);
    expect(r0.size).toBe(4);
    for (const [name, value] of Object.entries(raw0)) expect(r0.get(name)).toBeCloseTo(value / norm0, 6);
    const r1 = row(matrix, 1, vectorizer);
    const norm1 = Math.hypot(1, rare, rare);
    expect(r1.get('gravity')).toBeCloseTo(rare / norm1, 6);
    expect(r1.get('quantum gravity')).toBeCloseTo(rare / norm1, 6);
  });

  it('applies minDf and maxFeatures by document frequency', () => {
    const docs = ['a1 b1 c1', 'a1 b1', 'a1 d1'];
    const minDf2 = TfidfVectorizer.fit(docs, { ...BASE, minDf: 2 }).vectorizer;
    expect(Array.from({ length: minDf2.size }, (_, c) => minDf2.featureName(c))).toEqual(['a1', 'b1', 'a1 b1']);
    const top1 = TfidfVectorizer.fit(docs, { ...BASE, maxFeatures: 1 }).vectorizer;
    expect(top1.size).toBe(1);
    expect(top1.featureName(0)).toBe('a1');
  });

  it('transform reproduces the training rows on real abstracts, and after a state round trip', () => {
    const { train } = loadArchives5Small();
    const texts = train.map((d) => d.text);
    const config: TfidfConfig = { ...BASE, analyzer: { stem: true, stopWords: true, symbols: true }, minDf: 2 };
    const { vectorizer, matrix } = TfidfVectorizer.fit(texts, config);
    expect(matrix.rows).toBe(200);
    expect(vectorizer.size).toBeGreaterThan(1000);
    const again = TfidfVectorizer.fromState(vectorizer.state).transform(texts);
    for (let i = 0; i < texts.length; i++) {
      const a = row(matrix, i, vectorizer);
      const b = row(again, i, vectorizer);
      expect(b).toEqual(a);
      let sq = 0;
      for (const v of a.values()) sq += v * v;
      if (a.size > 0) expect(sq).toBeCloseTo(1, 5);
    }
  });

  it('fits a document with more distinct n-grams than the row buffer starts with (1,024): no NaN, same as transform', () => {
    // Real abstracts joined into one long document: ~3,000 distinct kept n-grams in one row.
    const { train } = loadArchives5Small();
    const long = train.slice(0, 60).map((d) => d.text).join(' ');
    const texts = [long, ...train.slice(60, 120).map((d) => d.text)];
    const { vectorizer, matrix } = TfidfVectorizer.fit(texts, { ...BASE, minDf: 1 });
    const fitted = row(matrix, 0, vectorizer);
    expect(fitted.size).toBeGreaterThan(2000);
    for (const v of fitted.values()) expect(Number.isFinite(v)).toBe(true);
    expect(row(vectorizer.transform([long]), 0, vectorizer)).toEqual(fitted);
  });

  it('ignores unknown words and lets unknown words break n-grams', () => {
    const { vectorizer } = TfidfVectorizer.fit(['dark matter halo', 'dark matter'], BASE);
    const m = vectorizer.transform(['dark zzz matter']);
    expect([...row(m, 0, vectorizer).keys()].sort()).toEqual(['dark', 'matter']);
  });

  it('throws EmptyVocabularyError when nothing reaches minDf', () => {
    expect(() => TfidfVectorizer.fit(['alpha', 'beta'], { ...BASE, minDf: 2 })).toThrow(/no n-gram/);
    expect(() => TfidfVectorizer.fit([], BASE)).toThrow(/zero documents/);
  });
});
