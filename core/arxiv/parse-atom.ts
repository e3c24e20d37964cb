import type { PaperAuthor, PaperLink, SourcePaper } from '../papers/types.ts';
import { ArxivQueryError, MalformedFeedError } from './errors.ts';
import { silentLog, type ArxivLog } from './log.ts';
import { affiliationsOf, recordCore } from './record-core.ts';
import { cleanText, toIsoUtc } from './text.ts';
import { NS, child, childText, children, excerpt, parseXml, type XmlElement } from './xml.ts';

/** An entry the parser refused, with the reason; the rest of the feed is still returned. */
export interface RejectedEntry {
  /** Position of the entry in its feed (0-based). */
  index: number;
  /** The arXiv id when it could be read, else null. */
  id: string | null;
  reason: string;
}

/** One page of the arXiv Atom API, normalised. */
export interface AtomFeed {
  /** `opensearch:totalResults`: the size of the whole result set at the time of this page. */
  totalResults: number;
  /** `opensearch:startIndex`: offset of this page's first entry (0-based). */
  startIndex: number;
  /** `opensearch:itemsPerPage`: the page size arXiv applied. */
  itemsPerPage: number;
  papers: SourcePaper[];
  rejected: RejectedEntry[];
}

export interface ParseAtomOptions {
  /** The query that produced the feed, named in an {@link ArxivQueryError}. */
  query?: string;
  /** HTTP status the feed came with, recorded on an {@link ArxivQueryError}. */
  status?: number;
  /** Receives one warning per rejected entry. */
  log?: ArxivLog;
}

const ERROR_ID = /^https?:\/\/(?:export\.)?arxiv\.org\/api\/errors/i;

/**
 * Parses an arXiv Atom API response in either output format (current, with namespaces declared
 * on `<feed>`, and classic, with namespaces repeated on elements). Unknown elements are ignored.
 * An entry missing a required field (id, title, abstract, published date, a category, an author)
 * is left out and listed in `rejected` with the reason; the other entries are kept.
 *
 * Titles, abstracts, comments and journal references have their whitespace collapsed and
 * double-encoded UTF-8 repaired; dates become ISO 8601 UTC; `http://arxiv.org/abs/math/0601001v2`
 * becomes id `math/0601001`, version 2.
 *
 * @throws ArxivQueryError when the feed is arXiv's error feed (permanent).
 * @throws MalformedFeedError when the text is not well-formed XML, not an Atom feed, or lacks the
 *   OpenSearch paging counters (retryable: usually a truncated response).
 */
export function parseAtomFeed(xml: string, options: ParseAtomOptions = {}): AtomFeed {
  const log = options.log ?? silentLog;
  const feed = parseXml(xml);
  if (feed.ns !== NS.atom || feed.name !== 'feed') {
    throw new MalformedFeedError(`expected an Atom <feed>, got <${feed.name}> (${feed.ns ?? 'no namespace'})`, true, excerpt(xml));
  }

  const entries = children(feed, NS.atom, 'entry');
  for (const entry of entries) {
    const id = childText(entry, NS.atom, 'id')?.trim() ?? '';
    if (ERROR_ID.test(id)) {
      const reason = cleanText(childText(entry, NS.atom, 'summary')) ?? cleanText(childText(entry, NS.atom, 'title')) ?? id;
      throw new ArxivQueryError(options.query ?? '(query not given)', reason, id, options.status ?? null);
    }
  }

  const counter = (name: string): number => {
    const text = childText(feed, NS.opensearch, name)?.trim();
    const value = text ? Number(text) : Number.NaN;
    if (!Number.isInteger(value) || value < 0) {
      throw new MalformedFeedError(`feed has no valid opensearch:${name} (${JSON.stringify(text ?? null)})`, true, excerpt(xml));
    }
    return value;
  };
  const totalResults = counter('totalResults');
  const startIndex = counter('startIndex');
  const itemsPerPage = counter('itemsPerPage');

  const papers: SourcePaper[] = [];
  const rejected: RejectedEntry[] = [];
  entries.forEach((entry, index) => {
    const result = entryToPaper(entry);
    if ('reason' in result) {
      rejected.push({ index, id: result.id, reason: result.reason });
      log.warn('arXiv entry rejected', { index, id: result.id, reason: result.reason, query: options.query });
    } else {
      papers.push(result);
    }
  });
  return { totalResults, startIndex, itemsPerPage, papers, rejected };
}

function entryToPaper(entry: XmlElement): SourcePaper | { id: string | null; reason: string } {
  const core = recordCore(entry, NS.atom, { id: 'id', title: 'title', abstract: 'summary' });
  if (!('title' in core)) return core;
  const { id, title, abstract, reject } = core;

  const publishedText = childText(entry, NS.atom, 'published');
  if (!publishedText?.trim()) return reject('missing <published>');
  const published = toIsoUtc(publishedText);
  if (!published) return reject(`invalid <published> ${JSON.stringify(publishedText.trim())}`);
  const updatedText = childText(entry, NS.atom, 'updated');
  // A bad <updated> is not worth losing the paper over: fall back as for a missing one.
  const updated = toIsoUtc(updatedText) ?? published;

  const listed = children(entry, NS.atom, 'category')
    .map((c) => c.attrs.term?.trim())
    .filter((term): term is string => !!term);
  // arXiv lists the primary category first, so the first <category> is the fallback when
  // <arxiv:primary_category> is absent.
  const primaryCategory = child(entry, NS.arxiv, 'primary_category')?.attrs.term?.trim() || listed[0];
  if (!primaryCategory) return reject('no primary category and no <category>');
  const categories = [...new Set([primaryCategory, ...listed])];

  const authors: PaperAuthor[] = [];
  for (const author of children(entry, NS.atom, 'author')) {
    const name = cleanText(childText(author, NS.atom, 'name'));
    if (!name) continue;
    authors.push({ name, affiliations: affiliationsOf(author, NS.arxiv) });
  }
  if (authors.length === 0) return reject('no <author> with a <name>');

  const links: PaperLink[] = children(entry, NS.atom, 'link')
    .filter((l) => !!l.attrs.href)
    .map((l) => {
      const link: PaperLink = { href: l.attrs.href! };
      if (l.attrs.rel) link.rel = l.attrs.rel;
      if (l.attrs.type) link.type = l.attrs.type;
      if (l.attrs.title) link.title = l.attrs.title;
      return link;
    });

  return {
    id,
    version: core.version ?? 1,
    title,
    abstract,
    authors,
    primaryCategory,
    categories,
    published,
    updated,
    doi: cleanText(childText(entry, NS.arxiv, 'doi')),
    journalRef: cleanText(childText(entry, NS.arxiv, 'journal_ref')),
    comment: cleanText(childText(entry, NS.arxiv, 'comment')),
    links,
  };
}
