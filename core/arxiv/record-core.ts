import { parseArxivId } from './arxiv-id.ts';
import { cleanText } from './text.ts';
import { childText, children, textContent, type XmlElement } from './xml.ts';

/** Why a record was not turned into a paper (`id` when it was readable). */
export interface Rejection {
  id: string | null;
  reason: string;
}

/**
 * The fields every arXiv record needs, whatever the format (an Atom `<entry>`, an OAI `arXiv`
 * record): a recognisable id, a title and an abstract, in the given namespace and element names.
 * Returns them with a `reject` bound to the id for the format's own later checks, or the rejection.
 */
export function recordCore(
  el: XmlElement,
  ns: string,
  names: { id: string; title: string; abstract: string },
): { id: string; version: number | null; title: string; abstract: string; reject: (reason: string) => Rejection } | Rejection {
  const rawId = childText(el, ns, names.id)?.trim();
  if (!rawId) return { id: null, reason: `missing <${names.id}>` };
  const parsed = parseArxivId(rawId);
  if (!parsed) return { id: null, reason: `unrecognised arXiv id ${JSON.stringify(rawId)}` };
  const reject = (reason: string): Rejection => ({ id: parsed.id, reason });
  const title = cleanText(childText(el, ns, names.title));
  if (title === null) return reject(`missing or empty <${names.title}>`);
  const abstract = cleanText(childText(el, ns, names.abstract));
  if (abstract === null) return reject(`missing or empty <${names.abstract}>`);
  return { id: parsed.id, version: parsed.version, title, abstract, reject };
}

/** The non-empty `<affiliation>` texts of an author element, in either format. */
export function affiliationsOf(author: XmlElement, ns: string): string[] {
  return children(author, ns, 'affiliation')
    .map((a) => cleanText(textContent(a)))
    .filter((a): a is string => a !== null);
}
