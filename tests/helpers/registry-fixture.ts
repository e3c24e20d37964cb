import { trainClassifier, type LabelledText } from '../../core/ml/index.ts';
import { getOrCreateExperiment, logArtifact, logMetrics, startRun, endRun } from '../../core/tracking/tracking.ts';
import { registerVersion } from '../../core/registry/registry.ts';
import { parseSnapshotLine } from '../../core/sources/jsonl-snapshot.ts';
import { SAMPLE_PATH } from '../../core/sources/index.ts';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { TestEnv } from './env.ts';

/** Real labelled papers from the bundled sample (title + abstract, primary category). */
export function samplePapers(limit = Infinity): LabelledText[] {
  const out: LabelledText[] = [];
  for (const line of gunzipSync(readFileSync(SAMPLE_PATH)).toString('utf8').split('\n')) {
    if (!line.trim() || out.length >= limit) continue;
    const r = parseSnapshotLine(line);
    if ('paper' in r) out.push({ id: r.paper.id, text: `${r.paper.title} ${r.paper.abstract}`, label: r.paper.primaryCategory });
  }
  return out;
}

/**
 * Register `n` versions of a model, each from a real tracked run with a real (small) trained
 * classifier as its artifact and an f1_macro metric, none promoted.
 */
export async function registerVersions(env: TestEnv, modelName: string, n: number): Promise<void> {
  const docs = samplePapers().filter((_, i) => i % 7 === 0);
  const experiment = await getOrCreateExperiment(env.db, 'registry-fixture');
  for (let i = 0; i < n; i++) {
    const clf = await trainClassifier(docs, { kind: 'complement-nb', params: { alpha: 0.1 + i / 10 } }, { seed: i });
    const run = await startRun(env.db, { experimentId: experiment.id, name: `fixture ${i + 1}` });
    const art = await logArtifact(env.db, env.blobs, run.id, 'model/model.bin', clf.serialize(), 'application/vnd.arxiv-radar.model');
    await logMetrics(env.db, run.id, { f1_macro: 0.5 + i / 100 });
    await endRun(env.db, run.id, 'FINISHED');
    await registerVersion(env.db, { modelName, runId: run.id, artifactPath: 'model/model.bin', artifactSha256: art.sha256, metrics: { f1_macro: 0.5 + i / 100 }, actor: 'test', reason: 'fixture' });
  }
}
