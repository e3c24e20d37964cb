import { RadarError } from '../errors.ts';
import { evaluate, pairedBootstrapF1Macro, type Classifier, type Evaluation, type LabelledText, type Prediction } from '../ml/index.ts';
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
 * Winner against champion on the same papers: a paired bootstrap of the macro-F1 difference. The
 * classes are those of the truth and of either model's predictions (a champion may predict a
 * category the winner no longer knows, and the reverse).
 */
function compare(test: readonly LabelledText[], winner: readonly Prediction[], champion: readonly Prediction[]) {
  const a = winner.map((p) => p.label);
  const b = champion.map((p) => p.label);
  const labels = [...new Set([...test.map((d) => d.label), ...a, ...b])].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const ids = (xs: readonly string[]) => Int32Array.from(xs, (l) => index.get(l)!);
  return pairedBootstrapF1Macro(ids(test.map((d) => d.label)), ids(a), ids(b), labels.length);
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

  // Each model predicts the test papers once, for its metrics and for the paired comparison.
  const predictAll = (m: Classifier) => m.predict(test.map((d) => d.text), m.labels.length);
  const winnerModel = await loadModelArtifact(blobs, best.artifactSha256);
  const winnerPredictions = predictAll(winnerModel);
  const winnerEval = evaluate(winnerModel, test, winnerPredictions);
  await logMetrics(db, best.runId, { f1_macro: winnerEval.f1Macro, accuracy: winnerEval.accuracy, ...(winnerEval.logLoss === null ? {} : { log_loss: winnerEval.logLoss }) });
  await logArtifact(db, blobs, best.runId, 'eval/test.json', new TextEncoder().encode(JSON.stringify(winnerEval)), 'application/json');

  let champion: SelectOutput['champion'] = null;
  const prod = await productionVersion(db, config.MODEL_NAME);
  if (prod) {
    const championModel = await loadModelArtifact(blobs, prod.artifactSha256);
    const championPredictions = predictAll(championModel);
    const champEval = evaluate(championModel, test, championPredictions);
    champion = { version: prod.version, versionId: prod.id, test: score(champEval), comparison: compare(test, winnerPredictions, championPredictions) };
  }
  if (input.nightRunId) {
    await logMetrics(db, input.nightRunId, {
      winner_f1_macro: winnerEval.f1Macro,
      ...(champion ? { champion_f1_macro: champion.test.f1Macro } : {}),
      ...(champion?.comparison
        ? { f1_delta_ci95_low: champion.comparison.ci95[0], f1_delta_ci95_high: champion.comparison.ci95[1], p_better: champion.comparison.pBetter }
        : {}),
      candidates: input.candidates.length,
    });
    await endRun(db, input.nightRunId, 'FINISHED');
  }
  log.info('selected', { winner: best.kind, runId: best.runId, testF1Macro: winnerEval.f1Macro, champion: champion?.version, championF1Macro: champion?.test.f1Macro });
  return { snapshotId: input.snapshotId, winner: { ...best, test: score(winnerEval) }, champion };
}
