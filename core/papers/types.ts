/**
 * The normalised paper every source (arXiv Atom API, OAI-PMH, JSONL snapshot, bundled sample)
 * produces and the pipeline stores. Sources map their own formats onto this shape; nothing
 * downstream knows where a paper came from.
 */
export interface PaperAuthor {
  name: string;
  affiliations: string[];
}

export interface PaperLink {
  href: string;
  rel?: string;
  type?: string;
  title?: string;
}

export interface SourcePaper {
  /** arXiv id without version: `1707.08567` or old style `math/0601001`. */
  id: string;
  /** Version number (1 for `v1`); sources that do not know it say 1. */
  version: number;
  /** Whitespace-normalised title. */
  title: string;
  /** Whitespace-normalised abstract. */
  abstract: string;
  authors: PaperAuthor[];
  primaryCategory: string;
  /** Every category, primary first, no duplicates. */
  categories: string[];
  /** First-version submission time (ISO 8601, UTC). */
  published: string;
  /** Time of this version (ISO 8601, UTC); equals `published` when unknown. */
  updated: string;
  doi?: string | null;
  journalRef?: string | null;
  comment?: string | null;
  links?: PaperLink[];
}

/** The UTC calendar day (`YYYY-MM-DD`) a paper was first published. */
export function publishedDay(paper: Pick<SourcePaper, 'published'>): string {
  return paper.published.slice(0, 10);
}
