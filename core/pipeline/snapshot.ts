import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { BlobStore } from '../blobs.ts';
import type { Db } from '../db/client.ts';
import { NotFoundError } from '../errors.ts';
import type { LabelledText } from '../ml/index.ts';

export type Split = 'train' | 'validation' | 'test';

/** One paper of a training snapshot, with the exact text the models saw. */
export interface ManifestRow {
  id: string;
  version: number;
  label: string;
  split: Split;
  text: string;
  /**
   * The paper's other arXiv categories (cross-lists), in arXiv's order; absent when it has none,
   * and in snapshots written before cross-lists were kept. Trainers use them to not count a paper
   * as a plain negative of a category it is cross-listed in (`crossListWeight`).
   */
  crossLists?: string[];
}

/**
 * Deterministic split by paper id, the same rule as the benchmark tasks: h = sha256(id),
 * `int(h[:8], 16) % 5` = 0 → test, 1 → validation, else train. A paper stays in the same split
 * every night, so the held-out set on which champion and challenger are compared is stable.
 */
export function splitOf(id: string): Split {
  const bucket = parseInt(createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 8), 16) % 5;
  return bucket === 0 ? 'test' : bucket === 1 ? 'validation' : 'train';
}

/**
 * Canonical manifest: rows sorted by id, one JSON object per line with fixed key order. The
 * content hash is sha256 of that text, so the same papers, labels, cross-lists and split give the same hash.
 */
export function encodeManifest(rows: readonly ManifestRow[]): { contentHash: string; gz: Uint8Array } {
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const text = sorted.map((r) => JSON.stringify({ id: r.id, version: r.version, label: r.label, split: r.split, text: r.text, ...(r.crossLists?.length ? { crossLists: r.crossLists } : {}) })).join('\n') + '\n';
  const contentHash = createHash('sha256').update(text, 'utf8').digest('hex');
  // zlib output is deterministic for the same input and level: same content, same blob.
  return { contentHash, gz: new Uint8Array(gzipSync(text, { level: 6 })) };
}

export function decodeManifest(gz: Uint8Array): ManifestRow[] {
  return gunzipSync(gz)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ManifestRow);
}

export interface LoadedSnapshot {
  id: string;
  contentHash: string;
  rows: ManifestRow[];
  split(s: Split): LabelledText[];
}

const cache = new Map<string, LoadedSnapshot>();

/** Load a snapshot's manifest from the blob store (cached per process: snapshots never change). */
export async function loadSnapshot(db: Db, blobs: BlobStore, snapshotId: string): Promise<LoadedSnapshot> {
  const hit = cache.get(snapshotId);
  if (hit) return hit;
  const snap = await db.datasetSnapshot.findUnique({ where: { id: snapshotId } });
  if (!snap) throw new NotFoundError(`dataset snapshot ${snapshotId} not found`);
  const rows = decodeManifest(await blobs.get(snap.manifestSha256));
  const loaded: LoadedSnapshot = {
    id: snap.id,
    contentHash: snap.contentHash,
    rows,
    split: (s) => rows.filter((r) => r.split === s).map((r) => ({ id: r.id, text: r.text, label: r.label, ...(r.crossLists ? { crossLists: r.crossLists } : {}) })),
  };
  if (cache.size > 8) cache.delete(cache.keys().next().value!);
  cache.set(snapshotId, loaded);
  return loaded;
}
