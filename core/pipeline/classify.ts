import type { Db } from '../db/client.ts';
import type { Classifier } from '../ml/index.ts';
import type { ClassifyOutput, NightRef } from '../queues.ts';
import { productionVersion } from '../registry/registry.ts';
import type { StageDeps } from './deps.ts';
import { loadModelArtifact } from './models.ts';
import { paperText } from './prepare.ts';

const BATCH = 500;
const TOP_K = 3;

/**
 * Label papers with a model version and store the result: one Classification row per (paper,
 * version), idempotent; the paper's current topic follows the latest label.
 */
export async function classifyPapers(
  db: Db,
  clf: Classifier,
  version: { id: string },
  paperIds: readonly string[],
  pipelineRunId: string | null,
  signal?: AbortSignal,
  onProgress?: (done: number) => void,
): Promise<number> {
  let done = 0;
  for (let i = 0; i < paperIds.length; i += BATCH) {
    signal?.throwIfAborted();
    const papers = await db.paper.findMany({ where: { id: { in: paperIds.slice(i, i + BATCH) as string[] } }, select: { id: true, title: true, abstract: true } });
    const predictions = clf.predict(papers.map(paperText), TOP_K);
    await db.$transaction([
      db.classification.createMany({
        data: papers.map((p, j) => ({
          paperId: p.id,
          modelVersionId: version.id,
          pipelineRunId,
          label: predictions[j]!.label,
          confidence: predictions[j]!.confidence,
          topK: predictions[j]!.topK,
        })),
        skipDuplicates: true,
      }),
      ...papers.map((p, j) =>
        db.paper.update({
          where: { id: p.id },
          data: { topic: predictions[j]!.label, topicConfidence: predictions[j]!.confidence, topicModelVersionId: version.id },
        }),
      ),
    ]);
    done += papers.length;
    onProgress?.(done);
  }
  return done;
}

/** Classify stage: label the logical date's papers with whatever model is in Production now. */
export async function classifyStage(ref: NightRef, deps: StageDeps): Promise<ClassifyOutput> {
  const { db, blobs, config, log } = deps;
  const prod = await productionVersion(db, config.MODEL_NAME);
  if (!prod) {
    log.warn('no Production model: nothing classified', { model: config.MODEL_NAME });
    return { modelVersion: null, modelVersionId: null, classified: 0 };
  }
  const clf = await loadModelArtifact(blobs, prod.artifactSha256);
  const ids = (await db.paper.findMany({ where: { publishedDay: new Date(`${ref.logicalDate}T00:00:00Z`) }, select: { id: true }, orderBy: { id: 'asc' } })).map((p) => p.id);
  const classified = await classifyPapers(db, clf, prod, ids, ref.pipelineRunId, deps.signal);
  log.info('classified', { modelVersion: prod.version, classified });
  return { modelVersion: prod.version, modelVersionId: prod.id, classified };
}
