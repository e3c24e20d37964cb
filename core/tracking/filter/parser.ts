import { ATTRIBUTE_ALIASES, ATTRIBUTES, NULLABLE_ATTRIBUTES, RUN_STATUSES, valueType, keyText, type AttributeName, type Expr, type Key, type OrderKey, type Value } from './ast.ts';
import { FilterSyntaxError } from './errors.ts';
import { describeToken, tokenize, type Keyword, type Token } from './lexer.ts';

/**
 * A recursive-descent parser for the run filter language:
 *
 *   filter    := or EOF
 *   or        := and ( OR and )*
 *   and       := not ( AND not )*
 *   not       := NOT not | primary
 *   primary   := '(' or ')' | predicate
 *   predicate := key cmp value
 *              | key [NOT] IN '(' value ( ',' value )* ')'
 *              | key [NOT] ( LIKE | ILIKE ) string
 *              | key IS [NOT] NULL
 *   key       := metrics.<name> | params.<name> | tags.<name> | [attributes.]<attribute>
 *   cmp       := = | != | <> | < | <= | > | >=
 *   value     := 'string' | "string" | number
 *
 * AND binds tighter than OR; keywords are case-insensitive; a name with odd characters is
 * quoted with backticks (``metrics.`f1 (macro)` ``). Keys and values are checked here:
 * metrics compare with numbers, params and tags with strings (LIKE allowed), `status` with a
 * run status, times with an ISO date or epoch milliseconds. Every error names its position.
 */

const MAX_DEPTH = 50;
const MAX_IN_VALUES = 500;
const MAX_ORDER_KEYS = 5;

class Parser {
  private i = 0;
  private depth = 0;
  private readonly tokens: Token[];
  constructor(
    private readonly input: string,
    private readonly what: 'filter' | 'orderBy',
  ) {
    this.tokens = tokenize(input, what);
  }

  fail(pos: number, message: string): never {
    throw new FilterSyntaxError(this.what, this.input, pos, message);
  }
  peek(): Token {
    return this.tokens[this.i]!;
  }
  next(): Token {
    return this.tokens[this.i++]!;
  }
  isKeyword(k: Keyword, t: Token = this.peek()): boolean {
    return t.kind === 'keyword' && t.value === k;
  }
  expectKeyword(k: Keyword, context: string): void {
    const t = this.next();
    if (!this.isKeyword(k, t)) this.fail(t.pos, `expected ${k} ${context}, found ${describeToken(t)}`);
  }
  expect(kind: '(' | ')', context: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t.pos, `expected "${kind}" ${context}, found ${describeToken(t)}`);
    return t;
  }
  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof') {
      const hint = t.kind === ')' ? ' (unbalanced parenthesis)' : t.kind === 'ident' || t.kind === '(' ? ' (missing AND or OR?)' : '';
      this.fail(t.pos, `unexpected ${describeToken(t)}${hint}`);
    }
  }

  // ---- filter ------------------------------------------------------------------------------

  or(): Expr {
    const items = [this.and()];
    while (this.isKeyword('OR')) {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }

  and(): Expr {
    const items = [this.not()];
    while (this.isKeyword('AND')) {
      this.next();
      items.push(this.not());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }

  not(): Expr {
    if (this.isKeyword('NOT')) {
      const t = this.next();
      return { type: 'not', expr: this.nested(t.pos, () => this.not()) };
    }
    return this.primary();
  }

  /** Bounded nesting: a hostile filter of ten thousand parentheses is a 400, not a stack overflow. */
  nested<T>(pos: number, fn: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(pos, `nested more than ${MAX_DEPTH} levels deep`);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  primary(): Expr {
    const t = this.peek();
    if (t.kind === '(') {
      this.next();
      const e = this.nested(t.pos, () => this.or());
      this.expect(')', `to close the "(" at position ${t.pos}`);
      return e;
    }
    return this.predicate();
  }

  predicate(): Expr {
    const key = this.key();
    const t = this.next();
    if (t.kind === 'op') {
      const value = this.value(key, t.value === '=' || t.value === '!=' ? 'equality' : 'order');
      return { type: 'cmp', key, op: t.value, value };
    }
    let negated = false;
    let op: Token = t;
    if (this.isKeyword('NOT', t)) {
      negated = true;
      op = this.next();
      if (!this.isKeyword('IN', op) && !this.isKeyword('LIKE', op) && !this.isKeyword('ILIKE', op)) {
        this.fail(op.pos, `expected IN, LIKE or ILIKE after NOT, found ${describeToken(op)}`);
      }
    }
    if (this.isKeyword('IN', op)) {
      if (key.kind === 'attribute' && valueType(key) === 'time') this.fail(op.pos, `${keyText(key)} cannot be used with IN: compare it with <, <=, >, >=`);
      const open = this.expect('(', 'after IN');
      const values: Value[] = [];
      if (this.peek().kind === ')') this.fail(this.peek().pos, 'IN needs at least one value');
      for (;;) {
        values.push(this.value(key, 'equality'));
        if (values.length > MAX_IN_VALUES) this.fail(open.pos, `IN takes at most ${MAX_IN_VALUES} values`);
        const sep = this.next();
        if (sep.kind === ')') break;
        if (sep.kind !== ',') this.fail(sep.pos, `expected "," or ")" in the IN list, found ${describeToken(sep)}`);
      }
      return { type: 'in', key, negated, values };
    }
    if (this.isKeyword('LIKE', op) || this.isKeyword('ILIKE', op)) {
      const type = valueType(key);
      if (type !== 'string') this.fail(op.pos, `${keyText(key)} is ${type === 'number' ? 'a number' : type === 'time' ? 'a time' : 'a run status'}: LIKE works on params, tags and text attributes`);
      const p = this.next();
      if (p.kind !== 'string') this.fail(p.pos, `expected a quoted pattern after ${op.kind === 'keyword' ? op.value : 'LIKE'}, found ${describeToken(p)}`);
      return { type: 'like', key, negated, caseInsensitive: this.isKeyword('ILIKE', op), pattern: p.kind === 'string' ? p.value : '' };
    }
    if (this.isKeyword('IS', op) && !negated) {
      let isNot = false;
      if (this.isKeyword('NOT')) {
        this.next();
        isNot = true;
      }
      this.expectKeyword('NULL', isNot ? 'after IS NOT' : 'after IS');
      if (key.kind === 'attribute' && !NULLABLE_ATTRIBUTES.has(key.name)) this.fail(op.pos, `${key.name} is never null`);
      return { type: 'null', key, negated: isNot };
    }
    return this.fail(op.pos, `expected a comparison (=, !=, <, <=, >, >=, IN, LIKE, ILIKE, IS NULL) after ${keyText(key)}, found ${describeToken(op)}`);
  }

  key(): Key {
    const t = this.next();
    if (t.kind !== 'ident') {
      const hint = t.kind === 'string' || t.kind === 'number' ? ' (a comparison starts with the key: metrics.<name>, params.<name>, tags.<name> or an attribute)' : '';
      return this.fail(t.pos, `expected a key, found ${describeToken(t)}${hint}`);
    }
    const [head, ...rest] = t.segments as [string, ...string[]];
    const prefix = head.toLowerCase();
    const kind = prefix === 'metrics' || prefix === 'metric' ? 'metric' : prefix === 'params' || prefix === 'param' ? 'param' : prefix === 'tags' || prefix === 'tag' ? 'tag' : null;
    if (kind) {
      if (rest.length === 0) this.fail(t.end, `expected a name after "${head}."`);
      const name = rest.join('.');
      if (name.length > 250) this.fail(t.pos, 'key longer than 250 characters');
      return { kind, name, pos: t.pos };
    }
    let attr = head;
    if (prefix === 'attributes' || prefix === 'attribute' || prefix === 'attr' || prefix === 'run') {
      if (rest.length !== 1) this.fail(t.pos, `expected one attribute name after "${head}."`);
      attr = rest[0]!;
    } else if (rest.length) {
      this.fail(t.pos, `unknown key "${t.segments.join('.')}": keys start with metrics., params., tags. or name an attribute (${Object.keys(ATTRIBUTES).join(', ')})`);
    }
    const lower = attr.toLowerCase();
    const name = (lower in ATTRIBUTES ? lower : ATTRIBUTE_ALIASES[lower]) as AttributeName | undefined;
    if (!name) this.fail(t.pos, `unknown attribute "${attr}" (known: ${Object.keys(ATTRIBUTES).join(', ')})`);
    return { kind: 'attribute', name: name!, pos: t.pos };
  }

  value(key: Key, use: 'equality' | 'order'): Value {
    const t = this.next();
    const type = valueType(key);
    if (t.kind !== 'string' && t.kind !== 'number') {
      return this.fail(t.pos, `expected a value (a 'quoted string' or a number) for ${keyText(key)}, found ${describeToken(t)}`);
    }
    switch (type) {
      case 'number':
        if (t.kind !== 'number') this.fail(t.pos, `${keyText(key)} is a number: compare it with a number, not ${describeToken(t)}`);
        if (!Number.isFinite(t.kind === 'number' ? t.value : NaN)) this.fail(t.pos, 'number out of range');
        return { type: 'number', value: (t as { value: number }).value };
      case 'string':
        if (t.kind !== 'string') this.fail(t.pos, `${keyText(key)} is text: quote the value ('${t.kind === 'number' ? t.text : ''}')`);
        return { type: 'string', value: (t as { value: string }).value };
      case 'status': {
        if (use === 'order') this.fail(t.pos, 'status compares with = , != or IN only');
        const s = t.kind === 'string' ? t.value.toUpperCase() : '';
        if (!(RUN_STATUSES as readonly string[]).includes(s)) this.fail(t.pos, `status is one of ${RUN_STATUSES.join(', ')}, not ${describeToken(t)}`);
        return { type: 'string', value: s };
      }
      case 'time': {
        const d = t.kind === 'number' ? new Date(t.value) : parseInstant(t.value);
        if (!d || Number.isNaN(d.getTime())) this.fail(t.pos, `${keyText(key)} compares with an ISO date or time ('2019-12-30', '2019-12-30T02:00:00Z') or epoch milliseconds, not ${describeToken(t)}`);
        return { type: 'time', value: d! };
      }
    }
  }

  // ---- orderBy -----------------------------------------------------------------------------

  orderBy(): OrderKey[] {
    const keys: OrderKey[] = [];
    for (;;) {
      const key = this.key();
      let direction: 'ASC' | 'DESC' = 'ASC';
      if (this.isKeyword('ASC') || this.isKeyword('DESC')) direction = (this.next() as { value: 'ASC' | 'DESC' }).value;
      keys.push({ key, direction });
      if (keys.length > MAX_ORDER_KEYS) this.fail(key.pos, `at most ${MAX_ORDER_KEYS} sort keys`);
      const t = this.peek();
      if (t.kind === 'eof') return keys;
      if (t.kind !== ',') this.fail(t.pos, `expected "," or the end after ${keyText(key)}, found ${describeToken(t)} (write "<key> ASC" or "<key> DESC")`);
      this.next();
    }
  }
}

/** `2019-12-30`, `2019-12-30T02:00`, `2019-12-30 02:00:00.5Z`, `...+01:00`; no zone means UTC. */
function parseInstant(s: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s.trim());
  if (!m) return null;
  // Reject days that JavaScript would roll over (2019-02-30 → March 2).
  const day = new Date(`${m[1]}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== m[1]) return null;
  const d = new Date(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? 'Z'}`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Parse a run filter. An empty or blank filter is null (every run). Throws FilterSyntaxError
 * (a BadInputError: 400) naming the position of the first problem.
 */
export function parseFilter(input: string): Expr | null {
  if (input.length > 10_000) throw new FilterSyntaxError('filter', input.slice(0, 100), 0, 'longer than 10000 characters');
  if (input.trim() === '') return null;
  const p = new Parser(input, 'filter');
  const e = p.or();
  p.expectEnd();
  return e;
}

/**
 * Parse an orderBy: `key [ASC|DESC] (, key [ASC|DESC])*`, for example
 * `metrics.val_f1_macro DESC, start_time`. Throws FilterSyntaxError naming the position.
 */
export function parseOrderBy(input: string): OrderKey[] {
  if (input.length > 2000) throw new FilterSyntaxError('orderBy', input.slice(0, 100), 0, 'longer than 2000 characters');
  if (input.trim() === '') throw new FilterSyntaxError('orderBy', input, 0, 'expected a key');
  return new Parser(input, 'orderBy').orderBy();
}
