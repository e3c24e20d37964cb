/** Collapse runs of whitespace (including line breaks from the source) to one space and trim. */
export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
