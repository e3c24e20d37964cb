/**
 * Inner loops over K classes, generated once per class count with the classes unrolled into local
 * variables: `a0 += v * w[o + 0]; a1 += v * w[o + 1]; ...`.
 *
 * Why generate code: the weights are feature-major (`w[f * K + k]`), so scoring a sparse row is,
 * for each non-zero, K multiply-adds on a contiguous slice. Written as `for (k < K) acc[k] += ...`
 * with K a runtime value, V8 keeps `acc` in memory and bounds-checks every access; with K known
 * and the accumulators in locals it keeps them in registers. `npm run bench:kernels` (medians of
 * interleaved runs on the real TF-IDF training matrix, 2026-11-22): the softmax objective pass
 * takes 120 ms generated against 213 ms as loops on fine20 (K = 20, 1.77x) and 16 against 39 ms
 * on archives5 (K = 5, 2.41x); prediction's row scoring 1.65x and 2.33x. The multinomial
 * logistic regression evaluates its pass about 45 times per fit, so this decides whether it fits
 * in reasonable time at all.
 *
 * The generated source is built only from integers (K and offsets), never from input data. Above
 * {@link MAX_UNROLLED} classes the plain loops are used (same arithmetic, same order, same results).
 */
import type { CsrMatrix } from '../text/sparse.ts';

/** Class counts up to this are unrolled; beyond it, code size would outgrow the gain. */
export const MAX_UNROLLED = 64;

/**
 * One objective pass of softmax regression over the rows of `x`: for each row i, scores
 * `z = b + x_i W`, probabilities `p = softmax(z)`, loss `s_i * -log p[y_i]` and the residual
 * `r = s_i * (p - onehot(y_i))`, accumulated into `grad` (feature-major, then K bias entries at
 * `F * K`). Returns the summed loss. `grad` must be zeroed by the caller.
 */
export type SoftmaxPass = (x: CsrMatrix, y: Int32Array, sampleWeight: Float64Array, w: Float64Array, grad: Float64Array) => number;

/**
 * The kernel for K classes from `cache`, made on first use: generated for K <= MAX_UNROLLED,
 * otherwise its plain-loop version.
 */
function kernelFor<T>(cache: Map<number, T>, K: number, generate: (K: number) => T, loop: (K: number) => T): T {
  let kernel = cache.get(K);
  if (!kernel) {
    kernel = K <= MAX_UNROLLED ? generate(K) : loop(K);
    cache.set(K, kernel);
  }
  return kernel;
}

/** One line of source per class k, joined: the unrolled body of a loop over K. */
function unrolled(K: number, line: (k: number) => string): string {
  return Array.from({ length: K }, (_, k) => line(k)).join('\n');
}

const passes = new Map<number, SoftmaxPass>();

/** The softmax pass for K classes (generated and cached for K <= {@link MAX_UNROLLED}). */
export function softmaxPass(K: number): SoftmaxPass {
  return kernelFor(passes, K, generateSoftmaxPass, loopSoftmaxPass);
}

function generateSoftmaxPass(K: number): SoftmaxPass {
  const each = (line: (k: number) => string) => unrolled(K, line);
  const source = `
    const { rows, cols, indptr, indices, data } = x;
    const bo = cols * ${K};
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const start = indptr[i];
      const end = indptr[i + 1];
      ${each((k) => `let a${k} = w[bo + ${k}];`)}
      for (let p = start; p < end; p++) {
        const v = data[p];
        const o = indices[p] * ${K};
        ${each((k) => `a${k} += v * w[o + ${k}];`)}
      }
      let max = a0;
      ${each((k) => (k === 0 ? '' : `if (a${k} > max) max = a${k};`))}
      ${each((k) => `a${k} = Math.exp(a${k} - max);`)}
      const sum = ${Array.from({ length: K }, (_, k) => `a${k}`).join(' + ')};
      const yi = y[i];
      const s = sampleWeight[i];
      let ay = 0;
      switch (yi) { ${each((k) => `case ${k}: ay = a${k}; break;`)} }
      loss += s * (Math.log(sum) - Math.log(ay));
      const scale = s / sum;
      ${each((k) => `a${k} = a${k} * scale - (yi === ${k} ? s : 0);`)}
      ${each((k) => `grad[bo + ${k}] += a${k};`)}
      for (let p = start; p < end; p++) {
        const v = data[p];
        const o = indices[p] * ${K};
        ${each((k) => `grad[o + ${k}] += v * a${k};`)}
      }
    }
    return loss;`;
  // Code generation from integers only (see the module comment).
  return new Function('x', 'y', 'sampleWeight', 'w', 'grad', source) as SoftmaxPass;
}

/** The same pass as plain loops over K (used above MAX_UNROLLED; also the tests' reference). */
export function loopSoftmaxPass(K: number): SoftmaxPass {
  const a = new Float64Array(K);
  return (x, y, sampleWeight, w, grad) => {
    const { rows, cols, indptr, indices, data } = x;
    const bo = cols * K;
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const start = indptr[i]!;
      const end = indptr[i + 1]!;
      for (let k = 0; k < K; k++) a[k] = w[bo + k]!;
      for (let p = start; p < end; p++) {
        const v = data[p]!;
        const o = indices[p]! * K;
        for (let k = 0; k < K; k++) a[k]! += v * w[o + k]!;
      }
      let max = a[0]!;
      for (let k = 1; k < K; k++) if (a[k]! > max) max = a[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        a[k] = Math.exp(a[k]! - max);
        sum += a[k]!;
      }
      const yi = y[i]!;
      const s = sampleWeight[i]!;
      loss += s * (Math.log(sum) - Math.log(a[yi]!));
      const scale = s / sum;
      for (let k = 0; k < K; k++) a[k] = a[k]! * scale - (yi === k ? s : 0);
      for (let k = 0; k < K; k++) grad[bo + k]! += a[k]!;
      for (let p = start; p < end; p++) {
        const v = data[p]!;
        const o = indices[p]! * K;
        for (let k = 0; k < K; k++) grad[o + k]! += v * a[k]!;
      }
    }
    return loss;
  };
}

/**
 * Scores one sparse row into `out[o .. o + K)`: `bias[k] + sum_p values[p] * weights[cols[p] * K + k]`,
 * summed in that order (bias first, then the entries in order), in float64.
 */
export type RowScorer = (cols: Int32Array, values: Float64Array, length: number, weights: Float32Array, bias: Float32Array, out: Float64Array, o: number) => void;

const scorers = new Map<number, RowScorer>();

/** The row scorer for K classes (generated and cached for K <= {@link MAX_UNROLLED}). */
export function rowScorer(K: number): RowScorer {
  return kernelFor(scorers, K, generateRowScorer, loopRowScorer);
}

/**
 * Source of one row's scores into `out[o + k]`: bias first, then the entries `from <= p < to` in
 * order (`values[p]` at column `cols[p]`). The row and matrix scorers share it, so they sum alike.
 */
function rowSource(K: number, from: string, to: string, values: string, cols: string): string {
  const each = (line: (k: number) => string) => unrolled(K, line);
  return `
    ${each((k) => `let a${k} = bias[${k}];`)}
    for (let p = ${from}; p < ${to}; p++) {
      const v = ${values}[p];
      const w = ${cols}[p] * ${K};
      ${each((k) => `a${k} += v * weights[w + ${k}];`)}
    }
    ${each((k) => `out[o + ${k}] = a${k};`)}`;
}

function generateRowScorer(K: number): RowScorer {
  // Code generation from integers only (see the module comment).
  return new Function('cols', 'values', 'length', 'weights', 'bias', 'out', 'o', rowSource(K, '0', 'length', 'values', 'cols')) as RowScorer;
}

/** The same scorer as plain loops (above MAX_UNROLLED; also the tests' reference). */
export function loopRowScorer(K: number): RowScorer {
  const acc = new Float64Array(K);
  return (cols, values, length, weights, bias, out, o) => {
    for (let k = 0; k < K; k++) acc[k] = bias[k]!;
    for (let p = 0; p < length; p++) {
      const v = values[p]!;
      const w = cols[p]! * K;
      for (let k = 0; k < K; k++) acc[k]! += v * weights[w + k]!;
    }
    for (let k = 0; k < K; k++) out[o + k] = acc[k]!;
  };
}

/** Writes the linear scores of every row of `x` into `out` (row-major `rows x K`), as {@link RowScorer} sums them. */
type MatrixScorer = (x: CsrMatrix, weights: Float32Array, bias: Float32Array, out: Float64Array) => void;

const matrixScorers = new Map<number, MatrixScorer>();

/**
 * Linear scores `bias[k] + sum_f x[i, f] * weights[f * K + k]` of every row of a TF-IDF matrix,
 * row-major `rows x K`, summed in the row scorer's order (bias, then the entries in order, in
 * float64): the same numbers prediction gives for the same row. Trainers use it for held-out
 * scores and temperature fits.
 */
export function scoreRows(x: CsrMatrix, weights: Float32Array, bias: Float32Array, K: number): Float64Array {
  const out = new Float64Array(x.rows * K);
  kernelFor(matrixScorers, K, generateMatrixScorer, loopMatrixScorer)(x, weights, bias, out);
  return out;
}

function generateMatrixScorer(K: number): MatrixScorer {
  const source = `
    const { rows, indptr, indices, data } = x;
    for (let i = 0, o = 0; i < rows; i++, o += ${K}) {
      const end = indptr[i + 1];
      ${rowSource(K, 'indptr[i]', 'end', 'data', 'indices')}
    }`;
  // Code generation from integers only (see the module comment).
  return new Function('x', 'weights', 'bias', 'out', source) as MatrixScorer;
}

/** The same as plain loops (above MAX_UNROLLED; also the tests' reference). */
export function loopMatrixScorer(K: number): MatrixScorer {
  return (x, weights, bias, out) => {
    for (let i = 0; i < x.rows; i++) {
      const o = i * K;
      for (let k = 0; k < K; k++) out[o + k] = bias[k]!;
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
        const v = x.data[p]!;
        const w = x.indices[p]! * K;
        for (let k = 0; k < K; k++) out[o + k]! += v * weights[w + k]!;
      }
    }
  };
}
