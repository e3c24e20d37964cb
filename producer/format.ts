import type { Lineage } from '../core/registry/lineage.ts';
import type { RetentionReport } from '../core/tracking/retention.ts';
import type { RunComparison, RunDetail, RunView } from '../core/tracking/runs.ts';

/** Human-readable renderings of tracking and registry objects for the radar CLI. */

const iso = (d: Date | string | null) => (d === null ? '-' : (typeof d === 'string' ? d : d.toISOString()).replace('.000Z', 'Z'));
const short = (h: string | null, n = 12) => (h ? h.slice(0, n) : '-');
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(4));

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function kv(o: Record<string, string | number>, limit = Infinity): string {
  const entries = Object.entries(o);
  const shown = entries.slice(0, limit).map(([k, v]) => `${k}=${typeof v === 'number' ? num(v) : v}`);
  return (shown.join('  ') || '-') + (entries.length > limit ? `  (+${entries.length - limit} more)` : '');
}

/** One line per run: id, status, start, experiment, name, then the metrics asked about. */
export function formatRuns(runs: RunView[], metricKeys: string[]): string {
  if (runs.length === 0) return 'no runs match';
  return runs
    .map((r) => {
      const m = metricKeys.filter((k) => k in r.metrics).map((k) => `${k}=${num(r.metrics[k]!)}`);
      return `${r.id}  ${r.status.padEnd(8)} ${iso(r.startTime)}  ${r.experiment}  ${r.name}${m.length ? '  ' + m.join(' ') : ''}`;
    })
    .join('\n');
}

export function formatRun(r: RunDetail): string {
  const lines = [
    `run ${r.id}  "${r.name}"  ${r.status}`,
    `  experiment:   ${r.experiment}`,
    `  time:         ${iso(r.startTime)} → ${iso(r.endTime)}`,
    `  parent run:   ${r.parentRunId ?? '-'}`,
    `  pipeline run: ${r.pipelineRunId ?? '-'}`,
    `  snapshot:     ${short(r.snapshotHash)}`,
    `  code:         ${r.codeVersion ?? '-'}`,
    `  params:       ${kv(r.params)}`,
    `  metrics:      ${kv(r.metrics)}`,
    `  tags:         ${kv(r.tags)}`,
  ];
  if (r.artifactsPurgedAt) lines.push(`  artifacts:    purged by retention at ${iso(r.artifactsPurgedAt)}`);
  for (const a of r.artifacts) lines.push(`  artifact:     ${a.path}  ${bytes(a.size)}  ${a.mediaType}  sha256 ${short(a.sha256)}`);
  for (const c of r.children) lines.push(`  child run:    ${c.id}  ${c.status}  ${c.name}`);
  for (const v of r.modelVersions) lines.push(`  registered:   models:/${v.model}/${v.version} (${v.stage})`);
  return lines.join('\n');
}

export function formatComparison(c: RunComparison): string {
  const width = 14;
  const cell = (x: string | number | null) => (x === null ? '-' : typeof x === 'number' ? num(x) : x).toString().slice(0, width).padEnd(width);
  const head = ['key'.padEnd(28), ...c.runs.map((r) => cell(r.id))].join(' ');
  const section = (title: string, rows: { key: string; values: (string | number | null)[]; differs: boolean }[]) => [
    title,
    ...rows.map((r) => [`${r.differs ? '*' : ' '} ${r.key}`.slice(0, 28).padEnd(28), ...r.values.map(cell)].join(' ')),
  ];
  return [head, ...section('params', c.params), ...section('metrics', c.metrics), ...section('tags', c.tags), '(* differs)'].join('\n');
}

/** The whole chain, one link per level: version → run → snapshot → pipeline run → code. */
export function formatLineage(l: Lineage): string {
  const v = l.version;
  const out = [
    `${l.uri}  stage ${v.stage}${v.aliases.length ? `  aliases ${v.aliases.join(', ')}` : ''}  registered ${iso(v.createdAt)}`,
    `  artifact ${v.artifactPath}  sha256 ${short(v.artifactSha256)}  ${v.artifactPresent ? 'present' : 'MISSING'}`,
    `  metrics at registration: ${kv(v.metrics)}`,
  ];
  for (const e of l.history) {
    const move = e.fromStage || e.toStage ? ` ${e.fromStage ?? ''}→${e.toStage ?? ''}` : '';
    out.push(`  ${iso(e.at)}  ${e.kind}${move}  by ${e.actor}: ${e.reason}`);
  }
  if (l.replaced !== null) out.push(`  replaced v${l.replaced} in Production`);
  const r = l.run;
  out.push(
    `└─ run ${r.id}  "${r.name}"  ${r.status}  experiment ${r.experiment}  ${iso(r.startTime)} → ${iso(r.endTime)}`,
    `   params:  ${kv(r.params)}`,
    `   metrics: ${kv(r.metrics, 12)}`,
    `   tags:    ${kv(r.tags)}`,
  );
  for (const a of r.artifacts) out.push(`   artifact ${a.path}  ${bytes(a.size)}  ${a.mediaType}  sha256 ${short(a.sha256)}  ${a.present ? 'present' : 'MISSING'}`);
  if (r.artifactsPurgedAt) out.push(`   artifacts purged by retention at ${iso(r.artifactsPurgedAt)}`);
  if (r.parent) out.push(`   parent run ${r.parent.id}  "${r.parent.name}"  ${kv(r.parent.params)}`);
  const s = l.snapshot;
  if (s) {
    out.push(
      `   └─ dataset snapshot ${s.contentHash}  as of ${s.asOf}  ${s.total} papers`,
      `      query:  ${JSON.stringify(s.query)}`,
      `      labels: ${kv(s.labelCounts)}`,
      `      split:  ${kv(s.splitCounts)}`,
      `      manifest sha256 ${short(s.manifestSha256)}  ${s.manifestPresent ? 'present' : 'MISSING'}`,
    );
  } else {
    out.push('   └─ dataset snapshot: none recorded');
  }
  const p = l.pipelineRun;
  if (p) {
    out.push(
      `      └─ pipeline run ${p.id}  ${p.pipeline} ${p.logicalDate} #${p.runNumber}  trigger ${p.trigger}  source ${p.source}  ${p.status}`,
      `         params: ${JSON.stringify(p.params)}  ${iso(p.startedAt)} → ${iso(p.finishedAt)}`,
    );
  } else {
    out.push('      └─ pipeline run: none (logged outside a night)');
  }
  out.push(l.code ? `         └─ code version ${l.code.commit}${l.code.dirty ? ' (with uncommitted changes)' : ''}` : '         └─ code version: unknown');
  return out.join('\n');
}

export function formatRetention(r: RetentionReport): string {
  const verb = r.dryRun ? 'would free' : 'freed';
  return [
    `retention (keep ${r.keepRuns} runs per experiment${r.dryRun ? ', dry run' : ''}): ${verb}`,
    `  runs purged:        ${r.runsPurged}`,
    `  artifacts deleted:  ${r.artifactsDeleted} (${bytes(r.artifactBytes)})`,
    `  blobs deleted:      ${r.blobsDeleted} of ${r.blobsScanned} (${bytes(r.bytesFreed)}); ${r.blobsInGrace} unreferenced kept within the grace period`,
    ...r.experiments.map((e) => `  ${e.name}: ${e.runs} runs, ${e.purged} purged`),
  ].join('\n');
}
