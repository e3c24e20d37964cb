/**
 * Cross-validation on the training split only: how the default candidate and its parameters were
 * chosen without looking at the test split. Each candidate is trained on k-1 folds and predicts the
 * held-out fold; the pooled out-of-fold predictions give one macro-F1 and accuracy per candidate.
 *
 *   npm run bench:cv -- [--data FILE] --task archives5|fine20 [--folds 4] [--repeats 1] [--limit N]
 *                       [--candidates '[{"kind":"linear-svm","params":{"C":0.5}}, ...]'] [--json]
 *
 * Folds are stratified and seeded (fold = rank within its label after a seeded shuffle, mod k), so
 * every candidate sees the same folds. With --repeats R the whole cross-validation runs R times on
 * differently seeded folds and the figures are means (with the spread over repeats): differences
 * between candidates below that spread are noise. Without --candidates the default candidates and the search
 * space are compared. With --json each result is one JSON line.
 */
import { computeMetrics, defaultCandidates, searchSpace, trainClassifier, type CandidateSpec, type LabelledText } from '../core/ml/index.ts';
import { Random } from '../core/ml/random.ts';
import { labelIndices, stratifiedFolds } from '../core/ml/split.ts';
import { parseArgs } from './args.ts';
import { loadTask, taskArgs } from './tasks.ts';

/** Fold of each document: stratified by label, seeded (core/ml's stratifiedFolds on label indices). */
function foldsOf(docs: readonly LabelledText[], k: number, seed: number): Int32Array {
  const { labels, y } = labelIndices(docs);
  return stratifiedFolds(y, labels.length, k, new Random(seed));
}

/** Pooled out-of-fold macro-F1 and accuracy of one candidate. */
async function crossValidate(docs: readonly LabelledText[], spec: CandidateSpec, folds: Int32Array, k: number, seed: number) {
  const predicted: string[] = new Array(docs.length);
  const t0 = performance.now();
  for (let f = 0; f < k; f++) {
    const train = docs.filter((_, i) => folds[i] !== f);
    const heldOut = docs.map((d, i) => ({ d, i })).filter(({ i }) => folds[i] === f);
    const clf = await trainClassifier(train, spec, { seed });
    clf.predict(heldOut.map(({ d }) => d.text), 1).forEach((p, j) => (predicted[heldOut[j]!.i] = p.label));
  }
  const labels = [...new Set(docs.map((d) => d.label))].sort();
  const ev = computeMetrics(labels, docs.map((d) => d.label), predicted, null);
  return { f1Macro: ev.f1Macro, accuracy: ev.accuracy, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['json']);
  const { data, task } = taskArgs(args, 'fine20');
  const k = Number(args.get('folds') ?? 4);
  if (!Number.isInteger(k) || k < 2) throw new Error('--folds must be an integer >= 2');
  const seed = Number(args.get('seed') ?? 1);
  const specs: CandidateSpec[] = args.has('candidates')
    ? (JSON.parse(args.get('candidates')!) as CandidateSpec[])
    : [...defaultCandidates(), ...searchSpace()];

  // The test split is loaded only to be dropped: every figure here comes from training papers.
  const { train } = await loadTask(data, task, { limit: Number(args.get('limit') ?? 0) });
  const repeats = Number(args.get('repeats') ?? 1);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error('--repeats must be an integer >= 1');
  const foldings = Array.from({ length: repeats }, (_, r) => foldsOf(train, k, seed + r));
  if (!args.has('json')) console.log(`${task}: ${train.length} training papers, ${k} folds x ${repeats} (test split not used)`);
  for (const spec of specs) {
    const runs = [];
    for (const folds of foldings) runs.push(await crossValidate(train, spec, folds, k, seed));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const f1s = runs.map((r) => r.f1Macro);
    const r = { f1Macro: mean(f1s), spread: Math.max(...f1s) - Math.min(...f1s), accuracy: mean(runs.map((x) => x.accuracy)), seconds: mean(runs.map((x) => x.seconds)) };
    if (args.has('json')) console.log(JSON.stringify({ task, folds: k, repeats, spec, f1_macro: r.f1Macro, f1_macro_spread: r.spread, accuracy: r.accuracy, seconds: r.seconds }));
    else console.log(`  cv macro-F1 ${r.f1Macro.toFixed(4)} (spread ${r.spread.toFixed(4)})  accuracy ${r.accuracy.toFixed(4)}  ${r.seconds.toFixed(1)} s  ${JSON.stringify(spec)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
