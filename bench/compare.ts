/**
 * Side-by-side benchmark: for each task, runs the scikit-learn reference and our model benchmark,
 * each in its own child process (so peak RSS is per process), one after the other (so they do not
 * compete for the two cores), and prints a table with ratios and a pass/fail per goal.
 *
 *   npm run bench:model:compare [-- --data FILE --tasks archives5,fine20 --runs N --json]
 *
 * With --runs N each side runs N times per task; times and throughput are medians, RSS the
 * median peak. Needs Debian's python3-sklearn for the reference (`/usr/bin/python3`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.ts';
import { median } from './stats.ts';
import { DEFAULT_DATA, TASKS, type TaskName } from './tasks.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const PYTHON = '/usr/bin/python3';
const REFERENCE = resolve(HERE, 'reference/reference_sklearn.py');

/** The goals of issue 4, per task. */
const GOALS: Record<TaskName, { f1: number }> = { archives5: { f1: 0.87 }, fine20: { f1: 0.74 } };
const MAX_FIT_RATIO = 1.0;
const MIN_PREDICT_RATIO = 1.0;
const MAX_RSS_RATIO = 1.5;

interface Result {
  task: string;
  n_train: number;
  n_test: number;
  classes: number;
  accuracy: number;
  f1_macro: number;
  /** Ours only: 95% bootstrap interval of macro-F1 over the test papers. */
  f1_macro_ci95?: [number, number];
  fit_seconds: number;
  predict_docs_per_second: number;
  peak_rss_mb: number;
}

function lastJsonLine(stdout: string, who: string): Result {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Result;
  } catch {
    throw new Error(`${who} printed no JSON result line; output was:\n${stdout}`);
  }
}

function run(cmd: string, args: string[], who: string): Result {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${who} failed (exit ${r.status}):\n${r.stderr}`);
  return lastJsonLine(r.stdout, who);
}

function combine(rs: Result[]): Result {
  return {
    ...rs[0]!,
    fit_seconds: median(rs.map((r) => r.fit_seconds)),
    predict_docs_per_second: median(rs.map((r) => r.predict_docs_per_second)),
    peak_rss_mb: median(rs.map((r) => r.peak_rss_mb)),
  };
}

function sklearnMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr.trim().split('\n').at(-1) ?? 'import sklearn failed');
}

function main(): void {
  const args = parseArgs(process.argv.slice(2), ['json']);
  const data = resolve(args.get('data') ?? DEFAULT_DATA);
  const tasks = (args.get('tasks') ?? TASKS.join(',')).split(',') as TaskName[];
  const runs = Math.max(1, Number(args.get('runs') ?? 1));
  if (!existsSync(data)) throw new Error(`data file ${data} not found (pass --data)`);
  const missing = sklearnMissing();
  if (missing) {
    console.error(
      `The reference needs scikit-learn for ${PYTHON} (${missing}).\n` +
        'Install it with: apt-get update && apt-get install -y python3-sklearn\n' +
        'Our side alone: npm run bench:model -- --task archives5',
    );
    process.exitCode = 2;
    return;
  }

  const rows: { task: TaskName; ours: Result; ref: Result }[] = [];
  for (const task of tasks) {
    if (!TASKS.includes(task)) throw new Error(`unknown task ${task}`);
    const refRuns: Result[] = [];
    const ourRuns: Result[] = [];
    for (let i = 0; i < runs; i++) {
      refRuns.push(run(PYTHON, [REFERENCE, '--data', data, '--task', task], `reference ${task}`));
      ourRuns.push(run(process.execPath, ['--import', 'tsx', resolve(HERE, 'model.ts'), '--data', data, '--task', task, '--json'], `ours ${task}`));
    }
    rows.push({ task, ours: combine(ourRuns), ref: combine(refRuns) });
  }

  const verdicts: { task: string; goal: string; ours: string; reference: string; ratio: string; target: string; pass: boolean }[] = [];
  for (const { task, ours, ref } of rows) {
    const f1Ratio = ours.f1_macro / ref.f1_macro;
    const fitRatio = ours.fit_seconds / ref.fit_seconds;
    const predictRatio = ours.predict_docs_per_second / ref.predict_docs_per_second;
    const rssRatio = ours.peak_rss_mb / ref.peak_rss_mb;
    verdicts.push(
      { task, goal: 'macro-F1', ours: ours.f1_macro.toFixed(4) + (ours.f1_macro_ci95 ? ` (${ours.f1_macro_ci95.map((x) => x.toFixed(3)).join('-')})` : ''), reference: ref.f1_macro.toFixed(4), ratio: f1Ratio.toFixed(3), target: `>= ${GOALS[task].f1}`, pass: ours.f1_macro >= GOALS[task].f1 },
      { task, goal: 'fit s', ours: ours.fit_seconds.toFixed(2), reference: ref.fit_seconds.toFixed(2), ratio: fitRatio.toFixed(2), target: `<= ${MAX_FIT_RATIO.toFixed(1)}x`, pass: fitRatio <= MAX_FIT_RATIO },
      { task, goal: 'predict docs/s', ours: ours.predict_docs_per_second.toFixed(0), reference: ref.predict_docs_per_second.toFixed(0), ratio: predictRatio.toFixed(2), target: `>= ${MIN_PREDICT_RATIO.toFixed(1)}x`, pass: predictRatio >= MIN_PREDICT_RATIO },
      { task, goal: 'peak RSS MB', ours: ours.peak_rss_mb.toFixed(0), reference: ref.peak_rss_mb.toFixed(0), ratio: rssRatio.toFixed(2), target: `<= ${MAX_RSS_RATIO.toFixed(1)}x`, pass: rssRatio <= MAX_RSS_RATIO },
    );
  }

  console.log(`data ${data}; ${runs} run(s) per side; ours = default candidate, reference = bench/reference/reference_sklearn.py`);
  for (const { task, ours, ref } of rows) {
    console.log(`${task}: ${ours.n_train} train / ${ours.n_test} test, ${ours.classes} classes; accuracy ours ${ours.accuracy} vs reference ${ref.accuracy}`);
  }
  console.log('');
  const header = ['task', 'goal', 'ours', 'reference', 'ours/ref', 'target', 'result'];
  const table = verdicts.map((v) => [v.task, v.goal, v.ours, v.reference, v.ratio, v.target, v.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of table) console.log(line(r));
  const failed = verdicts.filter((v) => !v.pass).length;
  console.log(`\n${verdicts.length - failed} of ${verdicts.length} goals met`);
  console.log('(ours macro-F1: in brackets its 95% bootstrap interval over the test papers; the goal is judged on the figure itself)');
  if (args.has('json')) console.log(JSON.stringify({ rows, verdicts }));
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
