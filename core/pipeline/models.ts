import type { BlobStore } from '../blobs.ts';
import { loadClassifier, type Classifier } from '../ml/index.ts';

const cache = new Map<string, Classifier>();

/** Load a model artifact by its sha256 (cached per process: artifacts are immutable). */
export async function loadModelArtifact(blobs: BlobStore, sha256: string): Promise<Classifier> {
  const hit = cache.get(sha256);
  if (hit) return hit;
  const clf = loadClassifier(await blobs.get(sha256));
  if (cache.size >= 8) cache.delete(cache.keys().next().value!);
  cache.set(sha256, clf);
  return clf;
}

/** Where the model artifact sits within its training run. */
export const MODEL_ARTIFACT_PATH = 'model/model.bin';
export const MODEL_MEDIA_TYPE = 'application/vnd.arxiv-radar.model';
