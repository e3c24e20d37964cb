/** Text and date normalisation shared by the Atom and OAI-PMH parsers. */

import { isCalendarDay } from '../calendar-day.ts';

/** Collapses every run of whitespace (including newlines and NBSP) to one space and trims. */
export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

// A UTF-8 multi-byte sequence read as Latin-1: lead byte C2-F4 followed by 1-3 continuation
// bytes 80-BF, each shown as one code point U+0080-U+00FF. Only sequences that decode as valid
// UTF-8 are replaced, so genuine Latin-1 text ("café") is left alone.
const MOJIBAKE = /[\u00C2-\u00DF][\u0080-\u00BF]|[\u00E0-\u00EF][\u0080-\u00BF]{2}|[\u00F0-\u00F4][\u0080-\u00BF]{3}/g;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Repairs UTF-8 text that was decoded as Latin-1 somewhere upstream ("WÃ¼bben" → "Wübben").
 * Recorded arXiv responses carry this double encoding in author names and abstracts; left in,
 * it splits tokens for the classifier and breaks deduplication against clean sources (OAI-PMH,
 * JSONL snapshots). Returns the input unchanged when nothing looks double-encoded.
 */
export function repairMojibake(text: string): string {
  if (!/[\u00C2-\u00F4]/.test(text)) return text;
  return text.replace(MOJIBAKE, (seq) => {
    try {
      return strictUtf8.decode(Buffer.from(seq, 'latin1'));
    } catch {
      return seq;
    }
  });
}

/** `normaliseWhitespace(repairMojibake(text))`, or null for absent/blank text. */
export function cleanText(text: string | null | undefined): string | null {
  if (text == null) return null;
  const cleaned = normaliseWhitespace(repairMojibake(text));
  return cleaned === '' ? null : cleaned;
}

/**
 * Parses an Atom/OAI timestamp (`2011-11-08T18:48:36Z`, `2016-10-09T00:00:00-04:00`) or a bare
 * date (`2007-04-02`, read as midnight UTC) into ISO 8601 UTC (`2011-11-08T18:48:36.000Z`).
 * Returns null when the text is not such a date.
 */
export function toIsoUtc(text: string | null | undefined): string | null {
  if (!text) return null;
  const value = text.trim();
  // Only the two shapes arXiv emits: Date.parse alone accepts far too much ("1", "May 5").
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value);
  // The date part must be a real day: Date.parse reads 2019-02-30 as 2 March.
  if ((!dateOnly && !dateTime) || !isCalendarDay(value.slice(0, 10))) return null;
  const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
