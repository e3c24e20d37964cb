import { describe, expect, it } from 'vitest';
import { computeMetrics, evaluate, trainClassifier } from '../../core/ml/index.ts';
import { LinearTextClassifier } from '../../core/ml/linear-text-classifier.ts';
import { applyLink } from '../../core/ml/link.ts';
import { f1MacroOf } from '../../core/ml/metrics.ts';
import { Random } from '../../core/ml/random.ts';
import { stratifiedFolds } from '../../core/ml/split.ts';
import { NB_WEIGHT_GRID } from '../../core/ml/trainers/svm-nb-blend.ts';
import { loadArchives5Small } from './fixture.ts';

const { train, test } = loadArchives5Small();

describe('svm-nb-blend', () => {
  it('reports the NB weight it chose by cross-fitting, from its grid, and is one linear model', async () => {
    // The given weight (100, outside the grid) is replaced by the cross-fitted choice.
    const blend = await trainClassifier(train, { kind: 'svm-nb-blend', params: { nbWeight: 100 } }, { seed: 1 });
    expect(NB_WEIGHT_GRID).toContain(blend.params.nbWeight);
    expect(blend.params.tuneWeight).toBe(true);
    expect(blend.kind).toBe('svm-nb-blend');
    // A blend is served as a single weight matrix over the same features as its SVM member.
    const svm = await trainClassifier(train, { kind: 'linear-svm', params: {} }, { seed: 1 });
    expect((blend as LinearTextClassifier).vectorizer.size).toBe((svm as LinearTextClassifier).vectorizer.size);
    const bytes = (c: typeof blend) => c.serialize().length - JSON.stringify(c.params).length;
    expect(Math.abs(bytes(blend) - bytes(svm))).toBeLessThan(64);
  });

  it('with a fixed weight of 0 decides exactly as its SVM member', async () => {
    const params = { tuneWeight: false, nbWeight: 0 };
    const blend = await trainClassifier(train, { kind: 'svm-nb-blend', params }, { seed: 4 });
    const svm = await trainClassifier(train, { kind: 'linear-svm', params: {} }, { seed: 4 });
    const texts = test.map((d) => d.text);
    expect(blend.predict(texts, 1).map((p) => p.label)).toEqual(svm.predict(texts, 1).map((p) => p.label));
    expect(blend.params.nbWeight).toBe(0);
  });

  it('a larger fixed NB weight moves decisions towards complement NB', async () => {
    const texts = test.map((d) => d.text);
    const labels = async (spec: { kind: string; params: Record<string, number | boolean | string> }) =>
      (await trainClassifier(train, spec, { seed: 2 })).predict(texts, 1).map((p) => p.label);
    const nb = await labels({ kind: 'complement-nb', params: {} });
    const agree = (xs: string[]) => xs.filter((l, i) => l === nb[i]).length;
    const light = agree(await labels({ kind: 'svm-nb-blend', params: { nb: 'complement', tuneWeight: false, nbWeight: 0 } }));
    const heavy = agree(await labels({ kind: 'svm-nb-blend', params: { nb: 'complement', tuneWeight: false, nbWeight: 50 } }));
    expect(heavy).toBeGreaterThan(light);
    expect(heavy).toBeGreaterThanOrEqual(test.length - 3);
  });

  it('reports monotone progress across its member fits, ending at 1', async () => {
    const seen: number[] = [];
    await trainClassifier(train, { kind: 'svm-nb-blend', params: { tuneFolds: 3 } }, { seed: 1, onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.some((f) => f > 0.1 && f < 0.6)).toBe(true);
  });
});

describe('prediction path', () => {
  it('predictProba scores rows as they are vectorised: the link of scoreMatrix(transform(texts))', async () => {
    // The matrix stores float32 values and the fused path keeps float64, so they agree to ~1e-7.
    const clf = (await trainClassifier(train, { kind: 'svm-nb-blend', params: {} }, { seed: 1 })) as LinearTextClassifier;
    const texts = test.map((d) => d.text);
    const K = clf.labels.length;
    const expected = clf.scoreMatrix(clf.vectorizer.transform(texts));
    for (let i = 0; i < texts.length; i++) applyLink(clf.link, expected.subarray(i * K, (i + 1) * K));
    const fused = clf.predictProba(texts);
    let worst = 0;
    for (let j = 0; j < fused.length; j++) worst = Math.max(worst, Math.abs(fused[j]! - expected[j]!));
    expect(worst).toBeLessThan(1e-6);
    expect(evaluate(clf, test).f1Macro).toBeGreaterThan(0.7);
  });
});

describe('f1MacroOf', () => {
  it('equals computeMetrics macro-F1 on random labels, absent classes left out', () => {
    const random = new Random(9);
    const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + random.int(60);
      // Class 5 never occurs: it must not count (as in computeMetrics).
      const truth = Int32Array.from({ length: n }, () => random.int(5));
      const predicted = Int32Array.from({ length: n }, () => random.int(5));
      const expected = computeMetrics(labels, Array.from(truth, (k) => labels[k]!), Array.from(predicted, (k) => labels[k]!), null).f1Macro;
      expect(f1MacroOf(truth, predicted, 6)).toBeCloseTo(expected, 12);
    }
    expect(f1MacroOf(Int32Array.from([0, 1]), Int32Array.from([1, 0]), 2)).toBe(0);
  });
});

describe('stratifiedFolds', () => {
  it('deals each class round-robin over the folds, seeded', () => {
    const y = Int32Array.from({ length: 103 }, (_, i) => (i < 70 ? 0 : i < 100 ? 1 : 2));
    const a = stratifiedFolds(y, 3, 4, new Random(1));
    expect(a).toEqual(stratifiedFolds(y, 3, 4, new Random(1)));
    expect(a).not.toEqual(stratifiedFolds(y, 3, 4, new Random(2)));
    for (const [k, size] of [[0, 70], [1, 30], [2, 3]] as const) {
      const per = [0, 1, 2, 3].map((f) => a.filter((g, i) => g === f && y[i] === k).length);
      expect(per.reduce((s, c) => s + c, 0)).toBe(size);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
    expect(() => stratifiedFolds(y, 3, 1, new Random(1))).toThrow(RangeError);
  });
});
