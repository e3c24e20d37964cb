import type { Logger } from '../log.ts';
import type { SourcePaper } from '../papers/types.ts';

/** An entry a source could not turn into a paper, with the reason; the rest of the batch is kept. */
export interface RejectedRecord {
  /** Where it was: `line 12`, `page 3 entry 7`, an arXiv id. */
  where: string;
  id: string | null;
  reason: string;
}

export interface SourceBatch {
  papers: SourcePaper[];
  rejected: RejectedRecord[];
  /** Raw input that produced the batch (a feed page, a file), kept as a replayable artifact. */
  raw?: { name: string; mediaType: string; bytes: Uint8Array };
  /** Entries dropped because an earlier batch had the same paper. */
  duplicates?: number;
  /** Set on a source's last batch when it knows: false if part of the input could not be fetched. */
  complete?: boolean;
  warnings?: string[];
  /** Request statistics of a network source. */
  stats?: { pages: number; requests: number; retries: number };
}

export interface FetchContext {
  log: Logger;
  signal?: AbortSignal;
}

/**
 * Where papers come from. The ingest stage asks a source for a logical date D and upserts what
 * it yields; nothing downstream knows the source.
 *
 * - Offline sources (`sample`, `snapshot:<path>`) yield every paper published up to and including
 *   D, so a fresh database catches up; D's new papers are those first published on D.
 * - The live arXiv source yields the papers submitted in D's UTC window for the configured categories.
 */
export interface PaperSource {
  /** The spec it was made from: `sample`, `snapshot:<path>`, `arxiv`. */
  readonly name: string;
  fetch(logicalDate: string, ctx: FetchContext): AsyncIterable<SourceBatch>;
  /** The last day the source has papers for (offline sources), for "run the latest day". */
  lastDate?(): Promise<string>;
}
