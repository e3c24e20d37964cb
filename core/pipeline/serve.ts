/**
 * On-demand classification with a registered model: the API's POST /api/classify and
 * `radar classify`. The model is a `models:/` URI or, by default, the Production version of the
 * pipeline's model; artifacts are loaded once per process (see loadModelArtifact).
 */
import type { BlobStore } from '../blobs.ts';
import type { Db } from '../db/client.ts';
import { NotFoundError } from '../errors.ts';
import type { Prediction } from '../ml/index.ts';
import { parseModelUri, productionVersion, resolveVersion, type ModelVersionView } from '../registry/registry.ts';
import { loadModelArtifact } from './models.ts';
import { paperText } from './prepare.ts';

/** One thing to label: free text, or a paper as the pipeline sees it (title + abstract). */
export type ClassifyItem = string | { title: string; abstract: string };

export interface ClassifyResult {
  model: string;
  version: number;
  stage: string;
  kind: string;
  labels: readonly string[];
  predictions: Prediction[];
}

/**
 * @param model a `models:/<name>/<version>` or `models:/<name>@<alias>` URI; default: the
 * Production version of `defaultModel`
 * @throws BadInputError for a malformed URI; NotFoundError for an unknown model, version or alias,
 * or when the default model has no Production version yet
 */
export async function classifyItems(
  deps: { db: Db; blobs: BlobStore },
  input: { items: readonly ClassifyItem[]; model?: string; k?: number; defaultModel: string },
): Promise<ClassifyResult> {
  let version: ModelVersionView | null;
  if (input.model) version = await resolveVersion(deps.db, parseModelUri(input.model));
  else {
    version = await productionVersion(deps.db, input.defaultModel);
    if (!version) throw new NotFoundError(`model "${input.defaultModel}" has no Production version yet: run a night, or pass a models:/ URI`);
  }
  const clf = await loadModelArtifact(deps.blobs, version.artifactSha256);
  const texts = input.items.map((item) => (typeof item === 'string' ? item : paperText(item)));
  return {
    model: version.model,
    version: version.version,
    stage: version.stage,
    kind: clf.kind,
    labels: clf.labels,
    predictions: clf.predict(texts, input.k ?? 3),
  };
}
