/**
 * Model benchmark: builds a task exactly as bench/reference/reference_sklearn.py does, trains the
 * default candidate (or --candidate), and reports quality, fit time, prediction throughput and
 * peak RSS with the reference's keys, so the two can be compared line against line.
 *
 *   npm run bench:model -- [--data FILE.jsonl(.gz)] --task archives5|fine20 [--limit N]
 *                          [--test-data FILE] [--candidate JSON] [--seed N] [--json]
 *
 * fit_seconds: trainClassifier on raw texts (analysis, vocabulary, TF-IDF, optimiser, calibration).
 * The reference cleans texts with its regexes before its timer starts; ours does all text work
 * inside the timer. predict_docs_per_second: classifier.predict on raw test texts (analysis,
 * vectorising, scoring, probabilities). peak_rss_mb: this process's maximum resident set.
 * With --json the last line is one JSON object (reference keys first, then ours: f1_macro_ci95,
 * log_loss, kind, params, features, model_bytes, load_ms). f1_macro_ci95 is the 95% percentile
 * bootstrap interval of macro-F1 over the test documents (1,000 seeded resamples): how far the
 * figure moves with the choice of test papers alone.
 */
import { bootstrapF1Macro, computeMetrics, defaultCandidates, evaluate, loadClassifier, trainClassifier, type CandidateSpec } from '../core/ml/index.ts';
import { parseArgs } from './args.ts';
import { loadTask, taskArgs } from './tasks.ts';


async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['json']);
  const { data, task } = taskArgs(args, 'archives5');
  const limit = Number(args.get('limit') ?? 0);
  const seed = Number(args.get('seed') ?? 1);
  const spec: CandidateSpec = args.has('candidate') ? (JSON.parse(args.get('candidate')!) as CandidateSpec) : defaultCandidates()[0]!;
  const testDataPath = args.get('test-data');

  const { train, test } = await loadTask(data, task, { limit, ...(testDataPath ? { testDataPath } : {}) });
  const texts = test.map((d) => d.text);

  const t0 = performance.now();
  const clf = await trainClassifier(train, spec, { seed });
  const fitSeconds = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  const predictions = clf.predict(texts, 1);
  const predictSeconds = (performance.now() - t1) / 1000;

  const ev = computeMetrics(
    clf.labels,
    test.map((d) => d.label),
    predictions.map((p) => p.label),
    null,
  );
  const classIndex = new Map(ev.confusion.labels.map((l, i) => [l, i]));
  const ci = bootstrapF1Macro(
    Int32Array.from(test, (d) => classIndex.get(d.label)!),
    Int32Array.from(predictions, (p) => classIndex.get(p.label)!),
    ev.confusion.labels.length,
  );
  // Log loss needs every class's probability: a second, untimed pass.
  const logLoss = evaluate(clf, test).logLoss;
  const bytes = clf.serialize();
  const t2 = performance.now();
  loadClassifier(bytes);
  const loadMs = performance.now() - t2;

  const labels = new Set([...train.map((d) => d.label), ...test.map((d) => d.label)]);
  const out = {
    task,
    n_train: train.length,
    n_test: test.length,
    classes: labels.size,
    accuracy: round(ev.accuracy, 4),
    f1_macro: round(ev.f1Macro, 4),
    fit_seconds: round(fitSeconds, 3),
    predict_docs_per_second: round(test.length / predictSeconds, 1),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
    f1_macro_ci95: [round(ci[0], 4), round(ci[1], 4)],
    log_loss: logLoss === null ? null : round(logLoss, 4),
    kind: clf.kind,
    params: clf.params,
    features: (clf as { vectorizer?: { size: number } }).vectorizer?.size ?? null,
    model_bytes: bytes.length,
    load_ms: round(loadMs, 1),
  };
  if (args.has('json')) {
    console.log(JSON.stringify(out));
    return;
  }
  console.log(`${task}: ${out.n_train} train / ${out.n_test} test, ${out.classes} classes, ${clf.kind} ${JSON.stringify(clf.params)}`);
  console.log(`  accuracy ${out.accuracy}  macro-F1 ${out.f1_macro} (95% bootstrap interval ${out.f1_macro_ci95.join(' - ')})  log loss ${out.log_loss}`);
  console.log(`  fit ${out.fit_seconds} s  predict ${out.predict_docs_per_second} docs/s  peak RSS ${out.peak_rss_mb} MB`);
  console.log(`  artifact ${(out.model_bytes / 1e6).toFixed(2)} MB (${out.features} features), loads in ${out.load_ms} ms`);
  console.log(JSON.stringify(out));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
