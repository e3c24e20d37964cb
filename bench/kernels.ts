/**
 * The class-unrolled kernels (core/ml/kernels.ts) against the same arithmetic as plain loops over
 * K, on a task's real TF-IDF training matrix: the softmax objective pass (scores, loss, gradient)
 * that softmax's L-BFGS evaluates ~45 times per fit, and the row scoring of prediction.
 *
 *   npm run bench:kernels -- [--data FILE] [--task fine20|archives5] [--rounds 10]
 *
 * Each variant runs `rounds` times after 3 warm-up runs, interleaved (generated, loop, generated,
 * ...) so that this VM's drifting speed hits both alike; the figures are medians, the ratio is
 * loop / generated.
 */
import { resolveParams, tfidfConfigOf } from '../core/ml/params.ts';
import { labelIndices } from '../core/ml/split.ts';
import { loopRowScorer, loopSoftmaxPass, rowScorer, softmaxPass } from '../core/ml/kernels.ts';
import { TfidfVectorizer } from '../core/text/tfidf.ts';
import { parseArgs } from './args.ts';
import { median } from './stats.ts';
import { loadTask, taskArgs } from './tasks.ts';

function time(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), []);
  const { data, task } = taskArgs(args, 'fine20');
  const rounds = Number(args.get('rounds') ?? 10);
  const { train } = await loadTask(data, task);
  const { matrix: x } = TfidfVectorizer.fit(train.map((d) => d.text), tfidfConfigOf(resolveParams({ kind: 'svm-nb-blend', params: {} })));
  const { labels, y } = labelIndices(train);
  const K = labels.length;
  console.log(`${task}: ${x.rows} rows, ${x.cols} features, ${x.indices.length} non-zeros, K = ${K}`);

  // Deterministic small weights.
  const w = Float64Array.from({ length: x.cols * K + K }, (_, i) => ((i * 7919) % 1000) / 1e5);
  const sw = new Float64Array(x.rows).fill(1);
  const grad = new Float64Array(w.length);
  const passes = { generated: softmaxPass(K), loop: loopSoftmaxPass(K) };
  const weights = Float32Array.from(w.subarray(0, x.cols * K));
  const bias = Float32Array.from(w.subarray(x.cols * K));
  const out = new Float64Array(x.rows * K);
  const rowValues = Float64Array.from(x.data);
  const score = (scorer: ReturnType<typeof rowScorer>) => () => {
    for (let i = 0; i < x.rows; i++) {
      const start = x.indptr[i]!;
      const end = x.indptr[i + 1]!;
      scorer(x.indices.subarray(start, end), rowValues.subarray(start, end), end - start, weights, bias, out, i * K);
    }
  };
  const scorers = { generated: score(rowScorer(K)), loop: score(loopRowScorer(K)) };

  for (const [name, variants] of [
    ['softmax pass (scores + loss + gradient)', { generated: () => passes.generated(x, y, sw, w, grad.fill(0)), loop: () => passes.loop(x, y, sw, w, grad.fill(0)) }],
    ['row scoring (prediction)', scorers],
  ] as const) {
    for (let r = 0; r < 3; r++) (variants.generated(), variants.loop());
    const g: number[] = [];
    const l: number[] = [];
    for (let r = 0; r < rounds; r++) {
      g.push(time(variants.generated));
      l.push(time(variants.loop));
    }
    console.log(`${name}: generated ${median(g).toFixed(1)} ms, loop ${median(l).toFixed(1)} ms, loop / generated ${(median(l) / median(g)).toFixed(2)}x`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
