import type { NightRef, RegisterOutput, SelectOutput } from '../queues.ts';
import { promoteVersion, recordGateRejection, registerVersion, setAlias } from '../registry/registry.ts';
import { effectiveParams, type NightParams, type StageDeps } from './deps.ts';
import { MODEL_ARTIFACT_PATH } from './models.ts';

export interface GateDecision {
  promote: boolean;
  reason: string;
}

/**
 * The promotion gate. A challenger goes to Production only if its macro-F1 on the held-out
 * papers reaches the minimum and beats the champion's, on the same papers, by more than the
 * margin, and (with `promotionMinConfidence` > 0) wins in at least that share of the paired
 * bootstrap resamples of those papers. The first model of a registry has no champion to beat.
 */
export function gate(sel: SelectOutput, policy: { promotionMinF1: number; promotionMinMargin: number; promotionMinConfidence?: number }): GateDecision {
  const f1 = sel.winner.test.f1Macro;
  const fmt = (x: number) => x.toFixed(4);
  if (f1 < policy.promotionMinF1) {
    return { promote: false, reason: `macro-F1 ${fmt(f1)} is below the minimum ${fmt(policy.promotionMinF1)}` };
  }
  if (!sel.champion) return { promote: true, reason: `first model: macro-F1 ${fmt(f1)} on ${sel.winner.test.n} held-out papers` };
  const c = sel.champion.test.f1Macro;
  const n = sel.winner.test.n;
  // How sure the difference is, for whoever reads the decision (the gate itself is the margin).
  const cmp = sel.champion.comparison;
  const sure = cmp
    ? `; paired bootstrap: difference ${signed(cmp.ci95[0])} to ${signed(cmp.ci95[1])} (95%), winner better in ${Math.round(cmp.pBetter * 100)}% of resamples`
    : '';
  if (!(f1 > c + policy.promotionMinMargin)) {
    return {
      promote: false,
      reason: `not better: macro-F1 ${fmt(f1)} vs champion v${sel.champion.version} ${fmt(c)} on the same ${n} held-out papers (needs more than +${fmt(policy.promotionMinMargin)})${sure}`,
    };
  }
  const beats = `macro-F1 ${fmt(f1)} beats champion v${sel.champion.version} (${fmt(c)}) by ${fmt(f1 - c)} on the same ${n} held-out papers`;
  const minConfidence = policy.promotionMinConfidence ?? 0;
  if (minConfidence > 0 && !(cmp && cmp.pBetter >= minConfidence)) {
    return {
      promote: false,
      reason: cmp
        ? `not sure enough: ${beats}, but wins in ${Math.round(cmp.pBetter * 100)}% of paired bootstrap resamples (needs ${Math.round(minConfidence * 100)}%)${sure}`
        : `not sure enough: macro-F1 ${fmt(f1)} beats champion v${sel.champion.version} (${fmt(c)}) but no paired comparison was recorded (needs ${Math.round(minConfidence * 100)}% of resamples)`,
    };
  }
  return { promote: true, reason: `${beats} (margin ${fmt(policy.promotionMinMargin)})${sure}` };
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
}

/**
 * Register the night's winner as a new version, then apply the gate: promote, keep it as a
 * Staging challenger awaiting approval, or record why it stays out. Idempotent: a retry finds
 * the version already registered for the winning run and does not register it twice.
 */
export async function registerStage(ref: NightRef, sel: SelectOutput, params: NightParams | null, deps: StageDeps): Promise<RegisterOutput> {
  const { db, config, log } = deps;
  const policy = effectiveParams(config, params);
  const modelName = config.MODEL_NAME;
  const decision = gate(sel, policy);
  const actor = `pipeline:${ref.pipeline}`;

  let version = await db.modelVersion.findFirst({ where: { runId: sel.winner.runId, model: { name: modelName } }, select: { id: true, version: true, stage: true } });
  if (!version) {
    const created = await registerVersion(db, {
      modelName,
      runId: sel.winner.runId,
      artifactPath: MODEL_ARTIFACT_PATH,
      artifactSha256: sel.winner.artifactSha256,
      metrics: {
        f1_macro: sel.winner.test.f1Macro,
        accuracy: sel.winner.test.accuracy,
        ...(sel.winner.test.logLoss === null ? {} : { log_loss: sel.winner.test.logLoss }),
        n_test: sel.winner.test.n,
        val_f1_macro: sel.winner.validationF1Macro,
      },
      actor,
      reason: `winner of ${ref.pipeline} ${ref.logicalDate} #${ref.runNumber} (${sel.winner.kind})`,
      stage: decision.promote && policy.requireApproval ? 'Staging' : 'None',
    });
    version = { ...created, stage: 'None' };
  }
  if (version.stage === 'Production') {
    return { modelName, version: version.version, versionId: version.id, promoted: true, stage: 'Production', reason: decision.reason };
  }

  if (!decision.promote) {
    await recordGateRejection(db, modelName, version.id, actor, decision.reason, { champion: sel.champion, winner: sel.winner.test, policy });
    log.info('gate: kept out of Production', { version: version.version, reason: decision.reason });
    return { modelName, version: version.version, versionId: version.id, promoted: false, stage: 'None', reason: decision.reason };
  }
  if (policy.requireApproval) {
    await setAlias(db, modelName, 'challenger', version.version, actor, `awaiting approval: ${decision.reason}`);
    return { modelName, version: version.version, versionId: version.id, promoted: false, stage: 'Staging', reason: `awaiting approval: ${decision.reason}` };
  }
  await promoteVersion(db, { modelName, version: version.version, actor, reason: decision.reason });
  log.info('gate: promoted', { version: version.version, reason: decision.reason });
  return { modelName, version: version.version, versionId: version.id, promoted: true, stage: 'Production', reason: decision.reason };
}
