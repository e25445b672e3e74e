// The search language of the Task list, in the style of Foreman's scoped search:
//
//   status = failed and queue = pve_vm_clone and created_at > "2 hours ago"
//   name ~ clone        event = 42        user = alice or user = bob        not status ^ (success, warning)
//
// A query is conditions joined by `and` (or `&`, or nothing), `or` (`|`) and `not` (`!`), with
// parentheses. A condition is `<field> <operator> <value>`, `set? <field>` / `null? <field>`, or a bare
// value, which searches the name (`clone` is `name ~ clone`). Fields and operators come from an
// allow-list (fields.ts); every value is checked for its field and later bound as a parameter, never
// written into SQL. A query that is not in the language is refused with the position of the problem.
// The lexer and the parser are linear in the query's length and bounded in depth and size.

import { and, leaf, not, or, type FilterNode, type FilterValue, type LeafOp } from './filter.js';
import { fieldDef, fieldNamed, FIELD_NAMES, parseTime, parseValue, TIME_FORMS, type FieldName } from './fields.js';

export const MAX_QUERY_LENGTH = 1000;
export const MAX_CONDITIONS = 64;
export const MAX_DEPTH = 16;
export const MAX_LIST_VALUES = 100;

/** A query that is not in the language: where (0-based offset into the query) and why. */
export class SearchSyntaxError extends Error {
  override readonly name = 'SearchSyntaxError';

  constructor(
    readonly position: number,
    readonly problem: string,
  ) {
    super(`column ${position + 1}: ${problem}`);
  }
}

const OPERATORS = ['!=', '!~', '!^', '>=', '<=', '&&', '||', '=', '~', '^', '>', '<', '&', '|', '!', '(', ')', ','] as const;
type Operator = (typeof OPERATORS)[number];

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly text: string; readonly pos: number }
  | { readonly kind: 'op'; readonly text: Operator; readonly pos: number }
  | { readonly kind: 'end'; readonly pos: number };

/** Characters that end a bare word. */
const DELIMITERS = new Set([' ', '\t', '\n', '\r', '"', "'", '(', ')', ',', '=', '!', '~', '^', '<', '>', '&', '|']);

/** Control characters and lone surrogates cannot be bound as PostgreSQL text: refused up front. */
function checkCharacters(query: string): void {
  for (let i = 0; i < query.length; i++) {
    const code = query.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) {
      throw new SearchSyntaxError(i, `control character U+${code.toString(16).padStart(4, '0').toUpperCase()} is not allowed`);
    }
    if (code >= 0xd800 && code <= 0xdbff && (query.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else if (code >= 0xd800 && code <= 0xdfff) throw new SearchSyntaxError(i, 'the query is not valid Unicode (a lone surrogate)');
  }
}

function tokenize(query: string): Token[] {
  checkCharacters(query);
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) throw new SearchSyntaxError(start, `the string opened here is not closed with ${c}`);
        const d = query[i]!;
        if (d === c) break;
        if (d === '\\' && i + 1 < query.length) {
          text += query[i + 1];
          i += 2;
          continue;
        }
        text += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text, pos: start });
      continue;
    }
    const op = OPERATORS.find((o) => query.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    const start = i;
    while (i < query.length && !DELIMITERS.has(query[i]!)) i++;
    tokens.push({ kind: 'word', text: query.slice(start, i), pos: start });
  }
  tokens.push({ kind: 'end', pos: query.length });
  return tokens;
}

const COMPARISONS: ReadonlySet<string> = new Set(['=', '!=', '~', '!~', '^', '!^', '>', '<', '>=', '<=']);

/** The operators each kind of field takes. */
const OPERATORS_OF = {
  text: ['=', '!=', '~', '!~', '^', '!^'],
  enum: ['=', '!=', '^', '!^'],
  uuid: ['=', '!=', '^', '!^'],
  object: ['=', '!=', '^', '!^'],
  time: ['=', '!=', '<', '<=', '>', '>='],
} as const;

const describe = (t: Token) => (t.kind === 'end' ? 'the end of the query' : t.kind === 'string' ? `"${t.text}"` : `'${t.text}'`);
const isKeyword = (t: Token, ...words: string[]) => t.kind === 'word' && words.includes(t.text.toLowerCase());
const isOp = (t: Token, ...ops: string[]) => t.kind === 'op' && ops.includes(t.text);

class Parser {
  private at = 0;
  private conditions = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly now: number,
  ) {}

  parse(): FilterNode | undefined {
    if (this.peek().kind === 'end') return undefined;
    const node = this.orExpr();
    const rest = this.peek();
    if (rest.kind !== 'end') throw new SearchSyntaxError(rest.pos, isOp(rest, ')') ? "')' closes no '('" : `expected 'and', 'or' or the end of the query, found ${describe(rest)}`);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    return this.tokens[Math.min(this.at++, this.tokens.length - 1)]!;
  }

  private nested<T>(pos: number, parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new SearchSyntaxError(pos, `nested too deeply (at most ${MAX_DEPTH} levels of parentheses and not)`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private orExpr(): FilterNode {
    const items = [this.andExpr()];
    while (isKeyword(this.peek(), 'or') || isOp(this.peek(), '|', '||')) {
      this.next();
      items.push(this.andExpr());
    }
    return or(items);
  }

  private andExpr(): FilterNode {
    const items = [this.unary()];
    for (;;) {
      const t = this.peek();
      if (isKeyword(t, 'and') || isOp(t, '&', '&&')) {
        this.next();
        items.push(this.unary());
      } else if (t.kind === 'string' || (t.kind === 'word' && !isKeyword(t, 'or')) || isOp(t, '(', '!')) {
        items.push(this.unary());
      } else {
        return and(items)!;
      }
    }
  }

  private unary(): FilterNode {
    const t = this.peek();
    if (isKeyword(t, 'not') || isOp(t, '!')) {
      this.next();
      return this.nested(t.pos, () => not(this.unary()));
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const t = this.next();
    if (isOp(t, '(')) {
      const inner = this.nested(t.pos, () => this.orExpr());
      const close = this.next();
      if (!isOp(close, ')')) throw new SearchSyntaxError(close.pos, `expected ')' to close the '(' at column ${t.pos + 1}, found ${describe(close)}`);
      return inner;
    }
    if (t.kind === 'end') throw new SearchSyntaxError(t.pos, 'expected a condition, found the end of the query');
    if (t.kind === 'op') throw new SearchSyntaxError(t.pos, `expected a condition, found '${t.text}'`);
    this.count(t.pos);
    if (t.kind === 'word' && isKeyword(t, 'set?', 'null?')) return this.presence(t);
    const op = this.peek();
    if (t.kind === 'word' && op.kind === 'op' && COMPARISONS.has(op.text)) return this.condition(t, op);
    if (isKeyword(t, 'and') || isKeyword(t, 'or')) throw new SearchSyntaxError(t.pos, `expected a condition before '${t.text}'`);
    // A bare value searches the name.
    return leaf('name', 'contains', [this.value('name', t).value as string]);
  }

  private count(pos: number): void {
    if (++this.conditions > MAX_CONDITIONS) throw new SearchSyntaxError(pos, `too many conditions (at most ${MAX_CONDITIONS})`);
  }

  private field(t: Token): FieldName {
    const name = t.kind === 'word' ? fieldNamed(t.text) : undefined;
    if (name === undefined) throw new SearchSyntaxError(t.pos, `${describe(t)} is not a field (fields: ${FIELD_NAMES.join(', ')})`);
    return name;
  }

  private presence(keyword: Token): FilterNode {
    const t = this.next();
    const name = this.field(t);
    if (!fieldDef(name).nullable) throw new SearchSyntaxError(t.pos, `${name} always has a value: set? and null? do not apply to it`);
    const set = leaf(name, 'set', []);
    return keyword.kind === 'word' && keyword.text.toLowerCase() === 'set?' ? set : not(set);
  }

  private condition(fieldToken: Token, opToken: Token & { kind: 'op' }): FilterNode {
    const name = this.field(fieldToken);
    const def = fieldDef(name);
    this.next();
    const allowed: readonly string[] = OPERATORS_OF[def.kind];
    if (!allowed.includes(opToken.text)) throw new SearchSyntaxError(opToken.pos, `'${opToken.text}' does not apply to ${name} (use ${allowed.join(' ')})`);
    const negated = opToken.text.startsWith('!');
    const positive = negated ? opToken.text.slice(1) : opToken.text;
    let node: FilterNode;
    if (positive === '^') {
      node = leaf(name, 'in', this.list(name));
    } else if (def.kind === 'time') {
      const t = this.next();
      const time = this.valueToken(t, name);
      const value = parseTime(time, this.now);
      if (value === undefined) throw new SearchSyntaxError(t.pos, `${describe(t)} is not a time (${TIME_FORMS})`);
      const ops: Record<string, LeafOp> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
      node = positive === '=' ? leaf(name, 'during', [value.at, value.at + value.span]) : leaf(name, ops[positive]!, [value.at]);
    } else {
      const v = this.value(name, this.next());
      node = leaf(name, positive === '~' ? 'contains' : 'eq', [v.value]);
    }
    return negated ? not(node) : node;
  }

  /** `( v1, v2, ... )` or a single value. */
  private list(name: FieldName): FilterValue[] {
    if (!isOp(this.peek(), '(')) return [this.value(name, this.next()).value];
    const open = this.next();
    const values: FilterValue[] = [];
    for (;;) {
      const t = this.next();
      values.push(this.value(name, t).value);
      if (values.length > MAX_LIST_VALUES) throw new SearchSyntaxError(t.pos, `a list holds at most ${MAX_LIST_VALUES} values`);
      const sep = this.next();
      if (isOp(sep, ')')) return values;
      if (!isOp(sep, ',')) throw new SearchSyntaxError(sep.pos, `expected ',' or ')' in the list opened at column ${open.pos + 1}, found ${describe(sep)}`);
    }
  }

  private valueToken(t: Token, name: FieldName): string {
    if (t.kind === 'word' || t.kind === 'string') return t.text;
    throw new SearchSyntaxError(t.pos, `expected a value of ${name}, found ${describe(t)}`);
  }

  private value(name: FieldName, t: Token): { value: FilterValue } {
    const checked = parseValue(name, this.valueToken(t, name));
    if ('problem' in checked) throw new SearchSyntaxError(t.pos, checked.problem);
    return checked;
  }
}

/**
 * The filter a query denotes (undefined for an empty query), relative times resolved against `now`
 * (epoch ms); throws SearchSyntaxError.
 */
export function parseSearch(query: string, now: number): FilterNode | undefined {
  if (query.length > MAX_QUERY_LENGTH) throw new SearchSyntaxError(MAX_QUERY_LENGTH, `the query is longer than ${MAX_QUERY_LENGTH} characters`);
  return new Parser(tokenize(query), now).parse();
}
