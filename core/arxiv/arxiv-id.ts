/** arXiv identifiers: new style `2104.12255v1`, old style `math/0601001v2` or `math.GT/0309136`. */

export interface ParsedArxivId {
  /** Without version: `2104.12255`, `math/0601001`. */
  id: string;
  /** Version number, or null when the id carried none. */
  version: number | null;
}

// New style since April 2007: YYMM.NNNN (4 digits until 2014, 5 since 2015).
const NEW_STYLE = /^(\d{4}\.\d{4,5})(?:v(\d+))?$/;
// Old style: archive[.SUBJECT-CLASS]/YYMMNNN. The subject class is dropped from the canonical id
// (arXiv itself resolves `math.GT/0309136` and `math/0309136` to the same paper).
const OLD_STYLE = /^([a-z][a-z-]*)(?:\.[A-Z]{2})?\/(\d{7})(?:v(\d+))?$/;
const PREFIXES = /^(?:https?:\/\/(?:export\.|www\.)?arxiv\.org\/(?:abs|pdf)\/|oai:arXiv\.org:|arXiv:)/i;

/**
 * Parses an arXiv id, bare or as an abs/pdf URL or OAI identifier. Returns null for anything
 * else, so callers can reject the record with a reason instead of storing a bad key.
 */
export function parseArxivId(raw: string): ParsedArxivId | null {
  const text = raw.trim().replace(PREFIXES, '');
  const modern = NEW_STYLE.exec(text);
  if (modern) return { id: modern[1]!, version: modern[2] ? Number(modern[2]) : null };
  const old = OLD_STYLE.exec(text);
  if (old) return { id: `${old[1]}/${old[2]}`, version: old[3] ? Number(old[3]) : null };
  return null;
}
