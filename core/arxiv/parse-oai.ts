import type { PaperAuthor, SourcePaper } from '../papers/types.ts';
import { parseArxivId } from './arxiv-id.ts';
import { MalformedFeedError, OaiPmhError } from './errors.ts';
import { silentLog, type ArxivLog } from './log.ts';
import { affiliationsOf, recordCore } from './record-core.ts';
import type { RejectedEntry } from './parse-atom.ts';
import { cleanText, normaliseWhitespace, toIsoUtc } from './text.ts';
import { NS, child, childText, children, excerpt, parseXml, textContent, type XmlElement } from './xml.ts';

/** The OAI-PMH header of one record. */
export interface OaiRecordHeader {
  /** arXiv id without version (from `oai:arXiv.org:<id>`), or the raw identifier if unreadable. */
  id: string;
  /**
   * The record's datestamp (`YYYY-MM-DD`): the day its metadata last changed, which is what
   * `from`/`until` select on. It is not the submission date.
   */
  datestamp: string;
  /** `cs`, `physics:hep-th`, ... */
  sets: string[];
  /** True for a withdrawn record (no metadata). */
  deleted: boolean;
}

/** One `ListRecords` response, normalised. */
export interface OaiListRecords {
  /** Papers of the live records, mapped from the `arXiv` metadata format. */
  papers: SourcePaper[];
  /** Every record's header in document order, deleted ones included. */
  headers: OaiRecordHeader[];
  rejected: RejectedEntry[];
  /** The token for the next page, or null when this page is the last. */
  resumptionToken: string | null;
  /** Size of the whole list when the server says (on pages with a resumption token). */
  completeListSize: number | null;
  /** Offset of this page's first record in the whole list, when the server says. */
  cursor: number | null;
}

export interface ParseOaiOptions {
  /** The request URL or description, named in an {@link OaiPmhError}. */
  request?: string;
  log?: ArxivLog;
}

/**
 * Parses an OAI-PMH `ListRecords` response in the `arXiv` metadata format
 * (`http://arxiv.org/OAI/arXiv/`). `noRecordsMatch` is an empty last page, not an error.
 * A record missing a required field (id, title, abstract, created date, categories, an author)
 * is listed in `rejected` and the others are kept.
 *
 * The format has dates but no versions: papers get version 1 (the convention for sources that
 * do not know it), `published` = `<created>` and `updated` = `<updated>` (or `<created>`), both
 * at midnight UTC.
 *
 * @throws OaiPmhError for an OAI-PMH error other than `noRecordsMatch`.
 * @throws MalformedFeedError (retryable) for text that is not a well-formed OAI-PMH response.
 */
export function parseOaiListRecords(xml: string, options: ParseOaiOptions = {}): OaiListRecords {
  const log = options.log ?? silentLog;
  const root = parseXml(xml);
  if (root.ns !== NS.oai || root.name !== 'OAI-PMH') {
    throw new MalformedFeedError(`expected an <OAI-PMH> response, got <${root.name}> (${root.ns ?? 'no namespace'})`, true, excerpt(xml));
  }
  const empty: OaiListRecords = { papers: [], headers: [], rejected: [], resumptionToken: null, completeListSize: null, cursor: null };

  const errors = children(root, NS.oai, 'error');
  if (errors.length > 0) {
    if (errors.every((e) => e.attrs.code === 'noRecordsMatch')) return empty;
    const first = errors.find((e) => e.attrs.code !== 'noRecordsMatch')!;
    throw new OaiPmhError(first.attrs.code ?? 'unknown', normaliseWhitespace(textContent(first)), options.request ?? '(request not given)');
  }

  const list = child(root, NS.oai, 'ListRecords');
  if (!list) throw new MalformedFeedError('OAI-PMH response has neither <ListRecords> nor <error>', true, excerpt(xml));

  const result = empty;
  children(list, NS.oai, 'record').forEach((record, index) => {
    const header = child(record, NS.oai, 'header');
    if (!header) {
      result.rejected.push({ index, id: null, reason: 'record without <header>' });
      return;
    }
    const identifier = childText(header, NS.oai, 'identifier')?.trim() ?? '';
    const parsedId = parseArxivId(identifier);
    const info: OaiRecordHeader = {
      id: parsedId?.id ?? identifier,
      datestamp: childText(header, NS.oai, 'datestamp')?.trim() ?? '',
      sets: children(header, NS.oai, 'setSpec').map((s) => textContent(s).trim()),
      deleted: header.attrs.status === 'deleted',
    };
    result.headers.push(info);
    if (info.deleted) return;

    const metadata = child(record, NS.oai, 'metadata');
    const arxiv = metadata && child(metadata, NS.oaiArxiv, 'arXiv');
    const mapped = arxiv ? recordToPaper(arxiv) : { id: parsedId?.id ?? null, reason: 'record without <metadata><arXiv>' };
    if ('reason' in mapped) {
      result.rejected.push({ index, id: mapped.id, reason: mapped.reason });
      log.warn('OAI-PMH record rejected', { index, id: mapped.id, reason: mapped.reason, request: options.request });
    } else {
      result.papers.push(mapped);
    }
  });

  const token = child(list, NS.oai, 'resumptionToken');
  if (token) {
    const text = textContent(token).trim();
    // An empty token element marks the last page of a list that was paged.
    result.resumptionToken = text === '' ? null : text;
    result.completeListSize = intAttr(token, 'completeListSize');
    result.cursor = intAttr(token, 'cursor');
  }
  return result;
}

function recordToPaper(arxiv: XmlElement): SourcePaper | { id: string | null; reason: string } {
  const core = recordCore(arxiv, NS.oaiArxiv, { id: 'id', title: 'title', abstract: 'abstract' });
  if (!('title' in core)) return core;
  const { id, title, abstract, reject } = core;
  const createdText = childText(arxiv, NS.oaiArxiv, 'created')?.trim();
  if (!createdText) return reject('missing <created>');
  const published = toIsoUtc(createdText);
  if (!published) return reject(`invalid <created> ${JSON.stringify(createdText)}`);
  const updated = toIsoUtc(childText(arxiv, NS.oaiArxiv, 'updated')) ?? published;

  // Space-separated, primary first.
  const categories = [...new Set((childText(arxiv, NS.oaiArxiv, 'categories') ?? '').split(/\s+/).filter(Boolean))];
  if (categories.length === 0) return reject('missing or empty <categories>');

  const authors: PaperAuthor[] = [];
  const authorList = child(arxiv, NS.oaiArxiv, 'authors');
  for (const author of authorList ? children(authorList, NS.oaiArxiv, 'author') : []) {
    const parts = ['forenames', 'keyname', 'suffix'].map((p) => cleanText(childText(author, NS.oaiArxiv, p)));
    const name = parts.filter((p): p is string => p !== null).join(' ');
    if (!name) continue;
    authors.push({ name, affiliations: affiliationsOf(author, NS.oaiArxiv) });
  }
  if (authors.length === 0) return reject('no <author> with a name');

  return {
    id,
    version: core.version ?? 1,
    title,
    abstract,
    authors,
    primaryCategory: categories[0]!,
    categories,
    published,
    updated,
    doi: cleanText(childText(arxiv, NS.oaiArxiv, 'doi')),
    journalRef: cleanText(childText(arxiv, NS.oaiArxiv, 'journal-ref')),
    comment: cleanText(childText(arxiv, NS.oaiArxiv, 'comments')),
    links: [{ href: `https://arxiv.org/abs/${id}`, rel: 'alternate', type: 'text/html' }],
  };
}

function intAttr(el: XmlElement, name: string): number | null {
  const value = el.attrs[name];
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  return Number(value);
}
