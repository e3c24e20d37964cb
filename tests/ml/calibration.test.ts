import { describe, expect, it } from 'vitest';
import { fitTemperature } from '../../core/ml/calibration.ts';
import { applyLink } from '../../core/ml/link.ts';
import { Random } from '../../core/ml/random.ts';

describe('fitTemperature', () => {
  it('recovers the temperature that generated the labels', () => {
    const random = new Random(11);
    const K = 4;
    const n = 3000;
    const trueT = 0.4;
    const scores = new Float64Array(n * K);
    const y = new Int32Array(n);
    const p = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) p[k] = scores[i * K + k] = random.next() * 2 - 1;
      applyLink({ type: 'softmax', temperature: trueT }, p);
      let u = random.next();
      let c = 0;
      while (c < K - 1 && u >= p[c]!) u -= p[c++]!;
      y[i] = c;
    }
    expect(fitTemperature(scores, y, K)).toBeCloseTo(trueT, 1);
  });

  it('returns 1 without rows', () => {
    expect(fitTemperature(new Float64Array(0), new Int32Array(0), 3)).toBe(1);
  });
});

describe('applyLink', () => {
  it('softmax with temperature and one-vs-rest sigmoids both sum to 1', () => {
    const a = Float64Array.from([2, 1, 0]);
    applyLink({ type: 'softmax', temperature: 0.5 }, a);
    const z = Math.exp(4) + Math.exp(2) + 1;
    expect(Array.from(a)).toEqual([Math.exp(4) / z, Math.exp(2) / z, 1 / z].map((v) => expect.closeTo(v, 12)));
    const b = Float64Array.from([0, 0]);
    applyLink({ type: 'ovr-sigmoid' }, b);
    expect(Array.from(b)).toEqual([0.5, 0.5]);
  });
});
