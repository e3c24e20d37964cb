/**
 * Limited-memory BFGS (Nocedal, 1980; Liu & Nocedal, 1989) for smooth convex objectives with
 * millions of parameters: the two-loop recursion over the last `memory` steps, a backtracking
 * line search on the Armijo condition, and updates skipped when the curvature `s.y` is not
 * positive (so the implied Hessian stays positive definite without a Wolfe search).
 *
 * Memory: the parameter vector, the gradient, the previous gradient and the direction in float64,
 * plus `2 * memory` history vectors in float32 (half the memory and bandwidth; the history only
 * shapes the search direction, and each accepted step is still checked on the exact objective).
 * The trial point is formed in place (x - step * d) and undone on rejection, so no second
 * parameter vector is held.
 *
 * Each pair of the recursion's dot products and updates is fused into one pass over the vectors.
 */

export interface LbfgsOptions {
  /** Number of (s, y) pairs kept. */
  memory: number;
  /** Iteration cap (each iteration is one line search, usually one evaluation). */
  maxIterations: number;
  /** Stop when an iteration lowers f by less than `tol * max(|f|, 1)`. */
  tol: number;
  /** Called after every accepted step (progress, cancellation). */
  onIteration?: (iteration: number, f: number) => void | Promise<void>;
}

export interface LbfgsResult {
  f: number;
  iterations: number;
  evaluations: number;
  /** True when stopped by `tol`, false when by `maxIterations` or a failed line search. */
  converged: boolean;
}

/** `f(x)`, writing the gradient into `grad` (which it must overwrite, not add to). */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** Minimises `objective` from `x`, which is updated in place to the solution. */
export async function minimizeLbfgs(objective: Objective, x: Float64Array, options: LbfgsOptions): Promise<LbfgsResult> {
  const D = x.length;
  const m = Math.max(1, options.memory);
  const S = Array.from({ length: m }, () => new Float32Array(D));
  const Y = Array.from({ length: m }, () => new Float32Array(D));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  const sy = new Float64Array(m);
  const yy = new Float64Array(m);
  let g = new Float64Array(D);
  let gNext = new Float64Array(D);
  const d = new Float64Array(D);

  let f = objective(x, g);
  let evaluations = 1;
  let stored = 0; // pairs in the history
  let newest = -1; // slot of the newest pair
  let iterations = 0;
  let converged = false;

  while (iterations < options.maxIterations) {
    // d = H g by the two-loop recursion (newest pair first, then oldest first), each vector update
    // fused with the dot product the next step needs; slope = -g.d comes out of the last pass.
    let slope: number;
    if (stored === 0) {
      const norm = Math.sqrt(dot(g, g));
      if (norm === 0) {
        converged = true;
        break;
      }
      scaledCopy(d, g, norm);
      slope = -norm;
    } else {
      const order = Array.from({ length: stored }, (_, j) => (newest - j + m) % m);
      alpha[newest] = rho[newest]! * copyDot(d, g, S[newest]!);
      for (let j = 0; j < stored; j++) {
        const slot = order[j]!;
        const next = j + 1 < stored ? order[j + 1]! : -1;
        const dn = axpyDot(d, -alpha[slot]!, Y[slot]!, next >= 0 ? S[next]! : null);
        if (next >= 0) alpha[next] = rho[next]! * dn;
      }
      const oldest = order[stored - 1]!;
      let beta = rho[oldest]! * scaleDot(d, sy[newest]! / yy[newest]!, Y[oldest]!);
      let gd = 0;
      for (let j = stored - 1; j >= 0; j--) {
        const slot = order[j]!;
        const next = j > 0 ? order[j - 1]! : -1;
        if (next >= 0) beta = rho[next]! * axpyDot(d, alpha[slot]! - beta, S[slot]!, Y[next]!);
        else gd = axpyDot64(d, alpha[slot]! - beta, S[slot]!, g);
      }
      slope = -gd;
    }

    // Backtracking line search along -d from step 1 (the quasi-Newton step).
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      if (stored === 0) break;
      stored = 0;
      continue;
    }
    let step = 1;
    let taken = 0; // x currently holds x0 - taken * d
    let fNext = Infinity;
    for (;;) {
      axpy(x, taken - step, d);
      taken = step;
      fNext = objective(x, gNext);
      evaluations++;
      if (fNext <= f + 1e-4 * step * slope) break;
      step *= 0.5;
      if (step < 1e-12) break;
    }
    if (!(fNext <= f + 1e-4 * step * slope)) {
      axpy(x, taken, d); // back to the last accepted point
      break;
    }
    iterations++;
    // New pair: s = -step * d, y = gNext - g.
    const slot = (newest + 1) % m;
    const s = S[slot]!;
    const yv = Y[slot]!;
    const [sTy, yTy] = storePair(s, yv, d, -step, gNext, g);
    if (sTy > 1e-12 * Math.max(1, yTy)) {
      rho[slot] = 1 / sTy;
      sy[slot] = sTy;
      yy[slot] = yTy;
      newest = slot;
      stored = Math.min(stored + 1, m);
    } else if (stored === m) {
      // The rejected pair was written over the oldest one, which is then gone from the history.
      stored = m - 1;
    }
    [g, gNext] = [gNext, g];
    const decrease = f - fNext;
    f = fNext;
    await options.onIteration?.(iterations, f);
    if (decrease <= options.tol * Math.max(Math.abs(f), 1)) {
      converged = true;
      break;
    }
  }
  return { f, iterations, evaluations, converged };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * s = a * d, y = gNext - g (stored as float32), returning [s.y, y.y] of the stored values, as
 * the recursion will see them. The hot loops live in small functions like this one so that V8
 * optimises them as a whole (inside the long async minimiser they ran unoptimised: 80 ms per
 * iteration instead of a few).
 */
function storePair(s: Float32Array, y: Float32Array, d: Float64Array, a: number, gNext: Float64Array, g: Float64Array): [number, number] {
  let sy = 0;
  let yy = 0;
  for (let i = 0; i < d.length; i++) {
    s[i] = a * d[i]!;
    y[i] = gNext[i]! - g[i]!;
    const si = s[i]!;
    const yi = y[i]!;
    sy += si * yi;
    yy += yi * yi;
  }
  return [sy, yy];
}

/** d = g / norm. */
function scaledCopy(d: Float64Array, g: Float64Array, norm: number): void {
  for (let i = 0; i < d.length; i++) d[i] = g[i]! / norm;
}

/** d = g, returning u.g. */
function copyDot(d: Float64Array, g: Float64Array, u: Float32Array): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) {
    const gi = g[i]!;
    d[i] = gi;
    s += u[i]! * gi;
  }
  return s;
}

/** d *= a, returning u.d of the scaled d. */
function scaleDot(d: Float64Array, a: number, u: Float32Array): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) {
    const di = d[i]! * a;
    d[i] = di;
    s += u[i]! * di;
  }
  return s;
}

/** d += a * v, returning g.d of the updated d. */
function axpyDot64(d: Float64Array, a: number, v: Float32Array, g: Float64Array): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) {
    const di = d[i]! + a * v[i]!;
    d[i] = di;
    s += g[i]! * di;
  }
  return s;
}

/** x += a * d */
function axpy(x: Float64Array, a: number, d: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i]! += a * d[i]!;
}

/** d += a * v, returning u.d of the updated d (0 without u). */
function axpyDot(d: Float64Array, a: number, v: Float32Array, u: Float32Array | null): number {
  if (!u) {
    for (let i = 0; i < d.length; i++) d[i]! += a * v[i]!;
    return 0;
  }
  let s = 0;
  for (let i = 0; i < d.length; i++) {
    const di = d[i]! + a * v[i]!;
    d[i] = di;
    s += u[i]! * di;
  }
  return s;
}
