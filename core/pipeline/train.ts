import { codeVersion } from '../code-version.ts';
import { describeError } from '../errors.ts';
import { evaluate, trainClassifier } from '../ml/index.ts';
import type { CandidateJobData, CandidateOutput, NightRef } from '../queues.ts';
import { endRun, getOrCreateExperiment, logArtifact, logMetrics, logParams, setTags, startRun } from '../tracking/tracking.ts';
import type { NightParams, StageDeps } from './deps.ts';
import { MODEL_ARTIFACT_PATH, MODEL_MEDIA_TYPE } from './models.ts';
import { loadSnapshot } from './snapshot.ts';

/**
 * The night's parent tracking run (candidates are nested under it). Idempotent per pipeline run,
 * so a retried fan-out does not open a second one.
 */
export async function openNightRun(ref: NightRef, snapshotId: string, params: NightParams, deps: StageDeps): Promise<string> {
  const { db, config } = deps;
  const existing = await db.run.findFirst({ where: { pipelineRunId: ref.pipelineRunId, parentRunId: null, tags: { some: { key: 'role', value: 'night' } } } });
  if (existing) return existing.id;
  const experiment = await getOrCreateExperiment(db, config.EXPERIMENT_NAME);
  const run = await startRun(db, {
    experimentId: experiment.id,
    name: `${ref.pipeline} ${ref.logicalDate} #${ref.runNumber}`,
    pipelineRunId: ref.pipelineRunId,
    snapshotId,
    codeVersion: codeVersion(),
    tags: { role: 'night', logical_date: ref.logicalDate, source: ref.source },
  });
  await logParams(db, run.id, { logical_date: ref.logicalDate, source: ref.source, ...flatParams(params) });
  return run.id;
}

function flatParams(p: NightParams): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined) out[`night.${k}`] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/**
 * Train one candidate on the snapshot's train split, score it on the validation split, and
 * track everything: params, metrics, the model artifact. The run ends FAILED (and the error is
 * rethrown) when training fails, so a failed candidate is visible, not lost.
 */
export async function trainCandidateStage(
  input: CandidateJobData & { attempt?: number },
  deps: StageDeps,
  onProgress?: (fraction: number) => void,
): Promise<CandidateOutput> {
  const { db, blobs, config, log } = deps;
  const snapshot = await loadSnapshot(db, blobs, input.snapshotId);
  const experiment = await getOrCreateExperiment(db, config.EXPERIMENT_NAME);
  const run = await startRun(db, {
    experimentId: experiment.id,
    name: `${input.spec.kind} #${input.index} ${input.logicalDate}`,
    parentRunId: input.nightRunId,
    pipelineRunId: input.pipelineRunId,
    snapshotId: input.snapshotId,
    codeVersion: codeVersion(),
    tags: { role: 'candidate', kind: input.spec.kind, candidate_index: String(input.index), attempt: String(input.attempt ?? 1) },
  });
  try {
    const train = snapshot.split('train');
    const validation = snapshot.split('validation');
    const started = performance.now();
    const clf = await trainClassifier(train, input.spec, { seed: input.seed, signal: deps.signal, onProgress });
    const fitSeconds = (performance.now() - started) / 1000;
    const evaluation = evaluate(clf, validation);
    await logParams(db, run.id, {
      kind: clf.kind,
      seed: input.seed,
      snapshot_hash: snapshot.contentHash,
      n_train: train.length,
      n_validation: validation.length,
      ...Object.fromEntries(Object.entries(clf.params).map(([k, v]) => [`model.${k}`, v])),
    });
    await logMetrics(db, run.id, {
      val_f1_macro: evaluation.f1Macro,
      val_accuracy: evaluation.accuracy,
      ...(evaluation.logLoss === null ? {} : { val_log_loss: evaluation.logLoss }),
      fit_seconds: fitSeconds,
    });
    for (const [label, m] of Object.entries(evaluation.perClass)) {
      await logMetrics(db, run.id, { [`val_f1.${label}`]: m.f1 });
    }
    const art = await logArtifact(db, blobs, run.id, MODEL_ARTIFACT_PATH, clf.serialize(), MODEL_MEDIA_TYPE);
    await logArtifact(db, blobs, run.id, 'eval/validation.json', new TextEncoder().encode(JSON.stringify(evaluation)), 'application/json');
    await endRun(db, run.id, 'FINISHED');
    log.info('candidate trained', { kind: clf.kind, runId: run.id, valF1Macro: evaluation.f1Macro, fitSeconds });
    return {
      index: input.index,
      runId: run.id,
      kind: clf.kind,
      params: { ...clf.params },
      validationF1Macro: evaluation.f1Macro,
      artifactSha256: art.sha256,
    };
  } catch (err) {
    await setTags(db, run.id, { error: describeError(err).message.slice(0, 500) }).catch(() => undefined);
    await endRun(db, run.id, 'FAILED').catch(() => undefined);
    throw err;
  }
}
