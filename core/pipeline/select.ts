import { RadarError } from '../errors.ts';
import { evaluate, type Evaluation } from '../ml/index.ts';
import type { CandidateOutput, HeldOutScore, NightRef, SelectOutput } from '../queues.ts';
import { productionVersion } from '../registry/registry.ts';
import { endRun, logArtifact, logMetrics } from '../tracking/tracking.ts';
import type { StageDeps } from './deps.ts';
import { loadModelArtifact } from './models.ts';
import { loadSnapshot } from './snapshot.ts';

function score(e: Evaluation): HeldOutScore {
  return { accuracy: e.accuracy, f1Macro: e.f1Macro, logLoss: e.logLoss, n: e.n };
}

/**
 * Pick the best candidate by validation macro-F1 (ties: lowest index, so the choice is
 * deterministic), then score it and the current Production model on the same held-out test
 * papers. The test split is used only here, after the choice.
 */
export async function selectStage(
  ref: NightRef,
  input: { snapshotId: string; candidates: CandidateOutput[]; nightRunId?: string | null },
  deps: StageDeps,
): Promise<SelectOutput> {
  const { db, blobs, config, log } = deps;
  if (input.candidates.length === 0) throw new RadarError('no_candidates', 'every candidate failed to train: nothing to select');
  const best = [...input.candidates].sort((a, b) => b.validationF1Macro - a.validationF1Macro || a.index - b.index)[0]!;
  const snapshot = await loadSnapshot(db, blobs, input.snapshotId);
  const test = snapshot.split('test');

  const winnerEval = evaluate(await loadModelArtifact(blobs, best.artifactSha256), test);
  await logMetrics(db, best.runId, { f1_macro: winnerEval.f1Macro, accuracy: winnerEval.accuracy, ...(winnerEval.logLoss === null ? {} : { log_loss: winnerEval.logLoss }) });
  await logArtifact(db, blobs, best.runId, 'eval/test.json', new TextEncoder().encode(JSON.stringify(winnerEval)), 'application/json');

  let champion: SelectOutput['champion'] = null;
  const prod = await productionVersion(db, config.MODEL_NAME);
  if (prod) {
    const champEval = evaluate(await loadModelArtifact(blobs, prod.artifactSha256), test);
    champion = { version: prod.version, versionId: prod.id, test: score(champEval) };
  }
  if (input.nightRunId) {
    await logMetrics(db, input.nightRunId, {
      winner_f1_macro: winnerEval.f1Macro,
      ...(champion ? { champion_f1_macro: champion.test.f1Macro } : {}),
      candidates: input.candidates.length,
    });
    await endRun(db, input.nightRunId, 'FINISHED');
  }
  log.info('selected', { winner: best.kind, runId: best.runId, testF1Macro: winnerEval.f1Macro, champion: champion?.version, championF1Macro: champion?.test.f1Macro });
  return { snapshotId: input.snapshotId, winner: { ...best, test: score(winnerEval) }, champion };
}
