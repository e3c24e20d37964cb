import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { IngestOutput, NightRef, ValidationCheck } from '../queues.ts';

export interface DatasetStats {
  /** Papers known up to D before cleaning. */
  candidates: number;
  tooShort: number;
  duplicates: number;
  /** Clean papers in labels that reach the minimum count: what would be trained on. */
  usable: number;
  labelCounts: Record<string, number>;
  rareLabels: Record<string, number>;
  splitCounts: { train: number; validation: number; test: number };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Median of recent successful nights' new-paper counts for the same pipeline and source. */
export async function recentVolumes(db: Db, ref: NightRef, lookback: number): Promise<number[]> {
  const nights = await db.pipelineRun.findMany({
    where: { pipeline: ref.pipeline, source: ref.source, status: 'succeeded', logicalDate: { lt: new Date(`${ref.logicalDate}T00:00:00Z`) } },
    orderBy: { logicalDate: 'desc' },
    take: lookback,
    select: { tasks: { where: { stage: 'ingest', status: 'succeeded' }, select: { output: true } } },
  });
  return nights.flatMap((n) => n.tasks.map((t) => (t.output as unknown as IngestOutput | null)?.newOnDate)).filter((v): v is number => typeof v === 'number');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The checks a night's training data must pass, with what was observed and the threshold, so a
 * failure says what and how much. Thresholds come from config (VALIDATION_*).
 */
export function validateDataset(
  ref: NightRef,
  stats: DatasetStats,
  config: Config,
  volume: { today: number | null; recent: number[] },
): ValidationCheck[] {
  const labels = Object.entries(stats.labelCounts);
  const counts = labels.map(([, n]) => n);
  const checks: ValidationCheck[] = [
    {
      name: 'min_papers',
      passed: stats.usable >= config.VALIDATION_MIN_PAPERS,
      observed: stats.usable,
      threshold: config.VALIDATION_MIN_PAPERS,
      message: `${stats.usable} papers in labels with at least ${config.LABEL_MIN_COUNT} papers, of ${stats.candidates - stats.tooShort - stats.duplicates} clean papers up to ${ref.logicalDate} (need at least ${config.VALIDATION_MIN_PAPERS})`,
    },
    {
      name: 'min_labels',
      passed: labels.length >= config.VALIDATION_MIN_LABELS,
      observed: labels.length,
      threshold: config.VALIDATION_MIN_LABELS,
      message: `${labels.length} labels with at least ${config.LABEL_MIN_COUNT} papers (need ${config.VALIDATION_MIN_LABELS})`,
    },
    {
      name: 'held_out_splits',
      passed: stats.splitCounts.test > 0 && stats.splitCounts.validation > 0,
      observed: `${stats.splitCounts.validation}/${stats.splitCounts.test}`,
      threshold: '>0/>0',
      message: `validation/test papers: ${stats.splitCounts.validation}/${stats.splitCounts.test}`,
    },
  ];
  if (stats.candidates > 0) {
    const short = stats.tooShort / stats.candidates;
    checks.push({
      name: 'short_abstracts',
      passed: short <= config.VALIDATION_MAX_SHORT_FRACTION,
      observed: Number(short.toFixed(4)),
      threshold: config.VALIDATION_MAX_SHORT_FRACTION,
      message: `${stats.tooShort} of ${stats.candidates} papers (${pct(short)}) have an empty or too-short abstract (< ${config.MIN_ABSTRACT_CHARS} chars; at most ${pct(config.VALIDATION_MAX_SHORT_FRACTION)} allowed)`,
    });
    const dup = stats.duplicates / stats.candidates;
    checks.push({
      name: 'duplicates',
      passed: dup <= config.VALIDATION_MAX_DUPLICATE_FRACTION,
      observed: Number(dup.toFixed(4)),
      threshold: config.VALIDATION_MAX_DUPLICATE_FRACTION,
      message: `${stats.duplicates} of ${stats.candidates} papers (${pct(dup)}) repeat another paper's title and abstract (at most ${pct(config.VALIDATION_MAX_DUPLICATE_FRACTION)} allowed)`,
    });
  }
  if (counts.length >= 2) {
    const ratio = Math.max(...counts) / Math.min(...counts);
    const [big] = labels.reduce((a, b) => (b[1] > a[1] ? b : a));
    const [small] = labels.reduce((a, b) => (b[1] < a[1] ? b : a));
    checks.push({
      name: 'class_imbalance',
      passed: ratio <= config.VALIDATION_MAX_IMBALANCE,
      observed: Number(ratio.toFixed(2)),
      threshold: config.VALIDATION_MAX_IMBALANCE,
      message: `largest/smallest label: ${big} ${stats.labelCounts[big]} / ${small} ${stats.labelCounts[small]} = ${ratio.toFixed(1)}x (at most ${config.VALIDATION_MAX_IMBALANCE}x)`,
    });
  }
  // A sudden drop in volume usually means a broken source (an API change, an empty window), not
  // a quiet day: compare with recent nights, when there are enough of them to mean something.
  if (volume.today !== null && volume.recent.length >= 3) {
    const base = median(volume.recent);
    if (base >= config.VALIDATION_VOLUME_MIN_BASELINE) {
      const ratio = volume.today / base;
      checks.push({
        name: 'volume_drop',
        passed: ratio >= config.VALIDATION_MIN_VOLUME_RATIO,
        observed: volume.today,
        threshold: Math.ceil(config.VALIDATION_MIN_VOLUME_RATIO * base),
        message: `${volume.today} new papers on ${ref.logicalDate} vs a median of ${base} over the last ${volume.recent.length} nights (${pct(ratio)}; at least ${pct(config.VALIDATION_MIN_VOLUME_RATIO)} expected)`,
      });
    }
  }
  return checks;
}
