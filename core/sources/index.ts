import { fileURLToPath } from 'node:url';
import { BadInputError } from '../errors.ts';
import { JsonlSnapshotSource } from './jsonl-snapshot.ts';
import type { PaperSource } from './types.ts';

export type { PaperSource, SourceBatch, RejectedRecord, FetchContext } from './types.ts';

/** The bundled sample of real arXiv papers shipped in the repo. */
export const SAMPLE_PATH = fileURLToPath(new URL('../../data/sample.jsonl.gz', import.meta.url));

export interface SourceFactories {
  /** Builds the live arXiv source; it needs clients (Redis for the global rate limit) the caller owns. */
  arxiv?: () => PaperSource;
  /** Builds `replay:<pipeline run id>`; it needs the database and the blob store. */
  replay?: (pipelineRunId: string) => PaperSource;
}

/**
 * Resolve a source spec: `sample`, `snapshot:<path>`, `arxiv` or `replay:<pipeline run id>`.
 * Throws BadInputError for an unknown spec, or for `arxiv` when no factory was given.
 */
export function resolveSource(spec: string, factories: SourceFactories = {}): PaperSource {
  if (spec === 'sample') return new JsonlSnapshotSource('sample', SAMPLE_PATH);
  if (spec.startsWith('snapshot:')) {
    const path = spec.slice('snapshot:'.length);
    if (!path) throw new BadInputError('snapshot source needs a path: snapshot:<file.jsonl[.gz]>');
    return new JsonlSnapshotSource(spec, path);
  }
  if (spec === 'arxiv') {
    if (!factories.arxiv) throw new BadInputError('the arxiv source is not available in this process');
    return factories.arxiv();
  }
  if (spec.startsWith('replay:')) {
    const id = spec.slice('replay:'.length);
    if (!id) throw new BadInputError('replay source needs a pipeline run id: replay:<id>');
    if (!factories.replay) throw new BadInputError('the replay source is not available in this process');
    return factories.replay(id);
  }
  throw new BadInputError(`unknown source "${spec}": expected sample, snapshot:<path>, arxiv or replay:<pipeline run id>`);
}
