import type { ArxivClient } from '../arxiv/client.ts';
import type { FetchContext, PaperSource, SourceBatch } from './types.ts';

/**
 * The live arXiv source: a logical date D is the papers submitted in D's UTC day in the followed
 * categories (windows over the API's result cap are split by the client). Every feed page is
 * yielded with its raw body, so the night's input is kept and can be replayed exactly.
 * Duplicates across pages (results shift while paging) are dropped here and counted.
 */
export class ArxivSource implements PaperSource {
  readonly name = 'arxiv';
  constructor(
    private readonly client: ArxivClient,
    private readonly categories: readonly string[],
  ) {}

  async *fetch(logicalDate: string, ctx: FetchContext): AsyncIterable<SourceBatch> {
    const pages = this.client.windowPages({ categories: this.categories, day: logicalDate }, { signal: ctx.signal });
    const seen = new Set<string>();
    let n = 0;
    for (;;) {
      const next = await pages.next();
      if (next.done) {
        const s = next.value;
        ctx.log.info('arxiv window fetched', { logicalDate, totalResults: s.totalResults, pages: s.pages, requests: s.requests, retries: s.retries, complete: s.complete });
        // An incomplete fetch (a page that stayed empty, the result cap) is reported loudly on
        // the night, never silently: the papers that did arrive are kept.
        yield { papers: [], rejected: [], warnings: s.warnings, complete: s.complete, stats: { pages: s.pages, requests: s.requests, retries: s.retries } };
        return;
      }
      const page = next.value;
      n++;
      const fresh = page.papers.filter((p) => !seen.has(p.id));
      for (const p of fresh) seen.add(p.id);
      yield {
        papers: fresh,
        duplicates: page.papers.length - fresh.length,
        rejected: page.rejected.map((r) => ({ where: `${page.url} (entry ${r.index})`, id: r.id, reason: r.reason })),
        raw: { name: `arxiv/${logicalDate}/page-${String(n).padStart(4, '0')}.xml`, mediaType: 'application/atom+xml', bytes: new TextEncoder().encode(page.body) },
      };
    }
  }
}
