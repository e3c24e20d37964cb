import { FilterSyntaxError } from './errors.ts';

/**
 * The tokenizer of the run filter language. It only recognises tokens: what they mean is the
 * parser's business. Every token carries its start offset so errors can point at it.
 */

export const KEYWORDS = ['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL', 'ASC', 'DESC'] as const;
export type Keyword = (typeof KEYWORDS)[number];
export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Token =
  /** A dotted path such as `metrics.val_f1.cs.AI` or ``params.`odd key` ``, split into segments. */
  | { kind: 'ident'; segments: string[]; pos: number; end: number }
  | { kind: 'keyword'; value: Keyword; pos: number; end: number }
  | { kind: 'string'; value: string; pos: number; end: number }
  | { kind: 'number'; value: number; text: string; pos: number; end: number }
  | { kind: 'op'; value: CmpOp; pos: number; end: number }
  | { kind: '(' | ')' | ','; pos: number; end: number }
  | { kind: 'eof'; pos: number; end: number };

const IDENT_START = /[A-Za-z_]/;
// After a dot a segment may start with a digit (`val_f1.0`); `-`, `:` and `/` occur in real
// metric and tag names (`logical-date`, `model/size`).
const IDENT_PART = /[A-Za-z0-9_\-:/]/;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

/** Human name of a token for error messages. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end';
    case 'ident':
      return `"${t.segments.join('.')}"`;
    case 'keyword':
      return t.value;
    case 'string':
      return `string '${t.value}'`;
    case 'number':
      return `number ${t.text}`;
    case 'op':
      return `"${t.value}"`;
    default:
      return `"${t.kind}"`;
  }
}

/**
 * Split `input` into tokens, ending with one `eof` token. Throws FilterSyntaxError at the first
 * character that starts no token (`;`, an unterminated quote, ...).
 */
export function tokenize(input: string, what: 'filter' | 'orderBy' = 'filter'): Token[] {
  const fail = (pos: number, message: string): never => {
    throw new FilterSyntaxError(what, input, pos, message);
  };
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, pos, end: ++i });
      continue;
    }
    if (c === "'" || c === '"') {
      // SQL-style: the quote is escaped by doubling it; a backslash is an ordinary character
      // (so LIKE patterns keep their `\%` and `\_` escapes as written).
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) fail(pos, `unterminated string (opened with ${c})`);
        if (input[i] === c) {
          if (input[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += input[i++];
      }
      tokens.push({ kind: 'string', value, pos, end: i });
      continue;
    }
    if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = input.slice(i, i + 2);
      const op: CmpOp | undefined =
        two === '==' ? '=' : two === '!=' || two === '<>' ? '!=' : two === '<=' ? '<=' : two === '>=' ? '>=' : c === '=' ? '=' : c === '<' ? '<' : c === '>' ? '>' : undefined;
      if (!op) fail(pos, `unexpected "${c}" (did you mean "!="?)`);
      i += two === '==' || two === '!=' || two === '<>' || two === '<=' || two === '>=' ? 2 : 1;
      tokens.push({ kind: 'op', value: op!, pos, end: i });
      continue;
    }
    if (/[0-9.]/.test(c) || (c === '-' && /[0-9.]/.test(input[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(input);
      if (!m) fail(pos, `malformed number`);
      const text = m![0];
      i += text.length;
      if (i < input.length && IDENT_PART.test(input[i]!)) fail(pos, `malformed number "${text}${input[i]}"`);
      tokens.push({ kind: 'number', value: Number(text), text, pos, end: i });
      continue;
    }
    if (IDENT_START.test(c) || c === '`') {
      const segments: string[] = [];
      let quoted = false;
      for (;;) {
        if (input[i] === '`') {
          // Backticks quote one segment of any characters; a doubled backtick is a backtick.
          const start = i++;
          let seg = '';
          for (;;) {
            if (i >= input.length) fail(start, 'unterminated `quoted` name');
            if (input[i] === '`') {
              if (input[i + 1] === '`') {
                seg += '`';
                i += 2;
                continue;
              }
              i++;
              break;
            }
            seg += input[i++];
          }
          if (seg === '') fail(start, 'empty `quoted` name');
          segments.push(seg);
          quoted = true;
        } else if (i < input.length && (segments.length ? IDENT_PART : IDENT_START).test(input[i]!)) {
          let seg = '';
          while (i < input.length && IDENT_PART.test(input[i]!)) seg += input[i++];
          segments.push(seg);
        } else {
          fail(i, `expected a name after "."`);
        }
        if (input[i] === '.') {
          i++;
          continue;
        }
        break;
      }
      const upper = segments[0]!.toUpperCase();
      if (!quoted && segments.length === 1 && (KEYWORDS as readonly string[]).includes(upper)) {
        tokens.push({ kind: 'keyword', value: upper as Keyword, pos, end: i });
      } else {
        tokens.push({ kind: 'ident', segments, pos, end: i });
      }
      continue;
    }
    fail(pos, `unexpected character "${c}"`);
  }
  tokens.push({ kind: 'eof', pos: input.length, end: input.length });
  return tokens;
}
