import { gunzipSync } from 'node:zlib';
import { parseAtomFeed } from '../arxiv/parse-atom.ts';
import type { BlobStore } from '../blobs.ts';
import type { Db } from '../db/client.ts';
import { BadInputError, NotFoundError } from '../errors.ts';
import type { IngestOutput } from '../queues.ts';
import { parseSnapshotLine } from './jsonl-snapshot.ts';
import type { FetchContext, PaperSource, SourceBatch } from './types.ts';

/**
 * `replay:<pipeline run id>`: the raw input an earlier night stored (arXiv feed pages or the
 * snapshot file), parsed again. Re-running a past day from its own input gives the same papers
 * whatever arXiv answers today.
 */
export class ReplaySource implements PaperSource {
  readonly name: string;
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly pipelineRunId: string,
  ) {
    this.name = `replay:${pipelineRunId}`;
  }

  async *fetch(logicalDate: string, ctx: FetchContext): AsyncIterable<SourceBatch> {
    const task = await this.db.taskRun.findFirst({ where: { pipelineRunId: this.pipelineRunId, stage: 'ingest', status: 'succeeded' }, orderBy: { finishedAt: 'desc' } });
    if (!task) throw new NotFoundError(`pipeline run ${this.pipelineRunId} has no successful ingest to replay`);
    const out = task.output as unknown as IngestOutput;
    for (const raw of out.raw) {
      ctx.signal?.throwIfAborted();
      const bytes = await this.blobs.get(raw.sha256);
      if (raw.mediaType === 'application/atom+xml') {
        const feed = parseAtomFeed(new TextDecoder().decode(bytes), { log: ctx.log });
        yield { papers: feed.papers, rejected: feed.rejected.map((r) => ({ where: `${raw.name} (entry ${r.index})`, id: r.id, reason: r.reason })) };
      } else if (raw.mediaType === 'application/gzip' || raw.mediaType === 'application/x-ndjson') {
        const text = (raw.mediaType === 'application/gzip' ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
        const upTo = `${logicalDate}T23:59:59.999Z`;
        const batch: SourceBatch = { papers: [], rejected: [] };
        text.split('\n').forEach((line, i) => {
          if (!line.trim()) return;
          const r = parseSnapshotLine(line);
          if ('paper' in r) {
            if (r.paper.published <= upTo) batch.papers.push(r.paper);
          } else batch.rejected.push({ where: `${raw.name}:${i + 1}`, id: r.id, reason: r.reason });
        });
        yield batch;
      } else {
        throw new BadInputError(`cannot replay ${raw.name}: unknown media type ${raw.mediaType}`);
      }
    }
  }
}
