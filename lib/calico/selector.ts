/**
 * Calico's selector language: AST, builders, parser, canonical printer and evaluator.
 *
 * The grammar follows Calico's own lexer and parser rather than the prose docs, because the
 * docs leave out details that decide whether a policy is accepted (which whitespace is
 * skipped, which characters a label key may hold, whether `{"a",}` parses).
 *
 * @see https://docs.tigera.io/calico/3.32/reference/resources/networkpolicy#selectors
 * @see https://github.com/projectcalico/calico/blob/master/libcalico-go/lib/selector/tokenizer/tokenizer.go
 * @see https://github.com/projectcalico/calico/blob/master/libcalico-go/lib/selector/parser/parser.go
 * @see https://github.com/projectcalico/calico/blob/master/libcalico-go/lib/selector/parser/ast.go
 */

/** A parsed or built Calico selector. `and`/`or` always hold at least two operands. */
export type Selector =
  | { readonly kind: 'all' }
  | { readonly kind: 'global' }
  | { readonly kind: 'has'; readonly key: string }
  | {
      readonly kind: 'eq' | 'neq' | 'contains' | 'startsWith' | 'endsWith';
      readonly key: string;
      readonly value: string;
    }
  | { readonly kind: 'in' | 'notIn'; readonly key: string; readonly values: readonly string[] }
  | { readonly kind: 'not'; readonly operand: Selector }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Selector[] };

/** A syntax error in selector text, with the 0-based offset of the offending character. */
export interface SelectorError {
  readonly message: string;
  readonly offset: number;
  readonly hint?: string;
}

export type SelectorParseResult =
  | { readonly ok: true; readonly selector: Selector }
  | { readonly ok: false; readonly error: SelectorError };

/** A resource's labels, as the evaluator sees them. */
export type Labels = Readonly<Record<string, string>>;

type ValueKind = 'eq' | 'neq' | 'contains' | 'startsWith' | 'endsWith';

// Calico's lexer reads a label key as the longest run of these characters (findIdentifier).
// The same file declares LabelKeyMatcher `[a-zA-Z0-9_./-]{1,512}`, which older lexers
// enforced; keeping the 512 cap means our selectors also parse on those releases.
const KEY = /^[A-Za-z0-9_./-]{1,512}$/;
const KEY_RUN = /[A-Za-z0-9_./-]+/y;
const MAX_KEY_LENGTH = 512;

// Calico's lexer skips only spaces and tabs (`whitespace = " \t"`); a line break outside a
// quoted literal is an "unexpected character".
const SKIPPED = /[ \t]*/y;

// The builders refuse what cannot sit on one line of a policy: control characters and the
// Unicode line/paragraph separators that YAML tools treat as line breaks.
const UNPRINTABLE = /[\p{Cc}\u2028\u2029]/u;

const OPERATORS_HINT = 'use one of ==, !=, in, not in, contains, starts with, ends with';

/** True when `key` is a label key Calico's selector lexer reads as one label. */
export function isValidSelectorKey(key: string): boolean {
  return KEY.test(key);
}

function checkKey(key: string): string {
  if (!isValidSelectorKey(key)) {
    throw new Error(
      `"${key}" is not a valid Calico selector label key: ` +
        `use 1 to ${MAX_KEY_LENGTH} of the characters a-z A-Z 0-9 _ . / -`,
    );
  }
  return key;
}

function checkValue(value: string): string {
  if (value.includes('"') && value.includes("'")) {
    throw new Error(
      `${JSON.stringify(value)} cannot be a Calico selector literal: ` +
        `literals have no escape sequences, so a value may hold ' or " but not both`,
    );
  }
  if (UNPRINTABLE.test(value)) {
    throw new Error(
      `${JSON.stringify(value)} holds a line break or control character; calico-shield will not put it in a selector`,
    );
  }
  return value;
}

// Calico keeps `in` values as a sorted, de-duplicated set (parser/stringset.go,
// ConvertToStringSetInPlace). Go sorts strings by UTF-8 bytes, i.e. by code point, which
// differs from JavaScript's UTF-16 order for characters above U+FFFF.
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const y = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return x.length - y.length;
}

function toSet(values: readonly string[]): readonly string[] {
  return [...new Set(values)].sort(compareCodePoints);
}

// `a && (b && c)` and `a && b && c` are the same selector; one flat node keeps equality
// and printing simple.
function flatten(kind: 'and' | 'or', operands: readonly Selector[]): Selector[] {
  return operands.flatMap((s) => (s.kind === kind ? s.operands : [s]));
}

function valueNode(kind: ValueKind, key: string, value: string): Selector {
  return { kind, key: checkKey(key), value: checkValue(value) };
}

function setNode(kind: 'in' | 'notIn', key: string, values: readonly string[]): Selector {
  return { kind, key: checkKey(key), values: toSet(values.map(checkValue)) };
}

/**
 * Builders for selectors. They throw on a key or value that cannot be written in Calico's
 * syntax: that is a bug in calico-shield, user input is validated before it gets here.
 *
 * `in`/`notIn` values become a sorted set, as in Calico; `and`/`or` flatten nested nodes of
 * their own kind; `and()` is `all()`.
 */
export const sel = {
  all: (): Selector => ({ kind: 'all' }),
  global: (): Selector => ({ kind: 'global' }),
  has: (key: string): Selector => ({ kind: 'has', key: checkKey(key) }),
  eq: (key: string, value: string): Selector => valueNode('eq', key, value),
  neq: (key: string, value: string): Selector => valueNode('neq', key, value),
  in: (key: string, values: readonly string[]): Selector => setNode('in', key, values),
  notIn: (key: string, values: readonly string[]): Selector => setNode('notIn', key, values),
  contains: (key: string, value: string): Selector => valueNode('contains', key, value),
  startsWith: (key: string, value: string): Selector => valueNode('startsWith', key, value),
  endsWith: (key: string, value: string): Selector => valueNode('endsWith', key, value),
  not: (s: Selector): Selector => ({ kind: 'not', operand: s }),
  and: (...s: Selector[]): Selector => {
    const operands = flatten('and', s);
    if (operands.length === 0) return { kind: 'all' };
    return operands.length === 1 ? (operands[0] as Selector) : { kind: 'and', operands };
  },
  or: (...s: Selector[]): Selector => {
    const operands = flatten('or', s);
    if (operands.length === 0) throw new Error('sel.or() needs at least one operand: an empty "or" matches nothing');
    return operands.length === 1 ? (operands[0] as Selector) : { kind: 'or', operands };
  },
} as const;

// ---------------------------------------------------------------------------------------
// Printer

const VALUE_OPERATORS: Readonly<Record<ValueKind, string>> = {
  eq: '==',
  neq: '!=',
  contains: 'contains',
  startsWith: 'starts with',
  endsWith: 'ends with',
};

const VALUE_KINDS: Readonly<Record<'==' | '!=' | 'contains' | 'starts with' | 'ends with', ValueKind>> = {
  '==': 'eq',
  '!=': 'neq',
  contains: 'contains',
  'starts with': 'startsWith',
  'ends with': 'endsWith',
};

// Same quote choice as Calico's String() (appendLabelOpAndQuotedString in ast.go).
function quote(value: string): string {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  throw new Error(`${JSON.stringify(value)} holds both ' and ", which no Calico selector literal can`);
}

// Binding strength: || < && < ! and the match operators. A same-kind nested and/or needs no
// parentheses, since the parser flattens it anyway.
function printOperand(s: Selector, parent: 'and' | 'not'): string {
  const needsParens = s.kind === 'or' || (s.kind === 'and' && parent === 'not');
  return needsParens ? `(${printSelector(s)})` : printSelector(s);
}

/**
 * Canonical text of a selector, which `parseSelector` reads back as an equal tree.
 *
 * Double quotes unless the value holds `"`, sorted `in` values and only the parentheses
 * precedence requires (`!` binds tighter than `&&`, which binds tighter than `||`).
 */
export function printSelector(s: Selector): string {
  switch (s.kind) {
    case 'all':
      return 'all()';
    case 'global':
      return 'global()';
    case 'has':
      return `has(${checkKey(s.key)})`;
    case 'eq':
    case 'neq':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return `${checkKey(s.key)} ${VALUE_OPERATORS[s.kind]} ${quote(s.value)}`;
    case 'in':
    case 'notIn':
      return `${checkKey(s.key)} ${s.kind === 'in' ? 'in' : 'not in'} {${toSet(s.values).map(quote).join(', ')}}`;
    case 'not':
      return `!${printOperand(s.operand, 'not')}`;
    case 'and':
    case 'or':
      if (s.operands.length < 2) throw new Error(`a Calico selector "${s.kind}" node needs at least two operands`);
      return s.kind === 'and'
        ? s.operands.map((o) => printOperand(o, 'and')).join(' && ')
        : s.operands.map(printSelector).join(' || ');
  }
}

/** True when both selectors print the same canonical text, i.e. are the same after flattening and set ordering. */
export function selectorEquals(a: Selector, b: Selector): boolean {
  return printSelector(a) === printSelector(b);
}

// ---------------------------------------------------------------------------------------
// Lexer

type TokenKind =
  | 'label'
  | 'string'
  | 'has()'
  | 'all()'
  | 'global()'
  | '('
  | ')'
  | '{'
  | '}'
  | ','
  | '!'
  | '&&'
  | '||'
  | '=='
  | '!='
  | 'in'
  | 'not in'
  | 'contains'
  | 'starts with'
  | 'ends with'
  | 'end';

type Token =
  | { readonly kind: TokenKind; readonly value: string; readonly offset: number }
  | { readonly kind: 'error'; readonly error: SelectorError; readonly offset: number };

const PUNCTUATION: ReadonlyMap<string, TokenKind> = new Map(['(', ')', '{', '}', ','].map((c) => [c, c as TokenKind]));

function describeChar(text: string, at: number): string {
  return JSON.stringify(String.fromCodePoint(text.codePointAt(at) ?? 0));
}

function unexpectedCharacter(text: string, at: number): SelectorError {
  const c = text[at];
  const hint =
    c === '\n' || c === '\r'
      ? 'Calico skips only spaces and tabs between tokens; ' +
        'write the selector on one line (in YAML a plain or ">-" scalar, not "|")'
      : 'label keys may hold only the characters a-z A-Z 0-9 _ . / -, and values must be quoted';
  return { message: `unexpected character ${describeChar(text, at)}`, offset: at, hint };
}

function skipBlanks(text: string, from: number): number {
  SKIPPED.lastIndex = from;
  SKIPPED.exec(text);
  return SKIPPED.lastIndex;
}

function keyAt(text: string, from: number): string {
  KEY_RUN.lastIndex = from;
  return KEY_RUN.exec(text)?.[0] ?? '';
}

// The words Calico's tokenizer accepts after a label, in its order.
const OPERATOR_WORDS: readonly (readonly [string, string, TokenKind])[] = [
  ['contains', '', 'contains'],
  ['starts', 'with', 'starts with'],
  ['ends', 'with', 'ends with'],
  ['not', 'in', 'not in'],
  ['in', '', 'in'],
];

// After a label only an operator word may follow. Calico matches these words as bare
// prefixes ("a notin{}" and "a startswith 'x'" are accepted) and allows any run of spaces
// and tabs inside "not in", "starts with" and "ends with".
function readOperatorWord(
  text: string,
  at: number,
  label: string,
): { readonly kind: TokenKind; readonly end: number } | SelectorError {
  for (const [first, second, kind] of OPERATOR_WORDS) {
    if (!text.startsWith(first, at)) continue;
    if (second === '') return { kind, end: at + first.length };
    const next = skipBlanks(text, at + first.length);
    if (text.startsWith(second, next)) return { kind, end: next + second.length };
    return { message: `expected "${second}" after "${first}"`, offset: next, hint: `write "${first} ${second}"` };
  }
  return {
    message: `expected an operator after label key "${label}", found ${describeChar(text, at)}`,
    offset: at,
    hint: OPERATORS_HINT,
  };
}

function tooLongKey(offset: number): SelectorError {
  return { message: `label key is longer than ${MAX_KEY_LENGTH} characters`, offset };
}

/**
 * Splits `text` into tokens exactly as Calico's tokenizer does, ending with an `end` token or,
 * at the first lexical error, an `error` token, so that the parser reports whichever problem
 * comes first in the text.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = skipBlanks(text, 0);
  const push = (kind: TokenKind, end: number, value = ''): void => {
    tokens.push({ kind, value, offset: i });
    i = skipBlanks(text, end);
  };
  const fail = (error: SelectorError): Token[] => [...tokens, { kind: 'error', error, offset: error.offset }];

  while (i < text.length) {
    const c = text[i] ?? '';
    const pair = text.slice(i, i + 2);
    const previous = tokens[tokens.length - 1];
    const call = ['has(', 'all(', 'global('].find((name) => text.startsWith(name, i));
    const punctuation = PUNCTUATION.get(c);
    if (c === '\n' || c === '\r') {
      return fail(unexpectedCharacter(text, i));
    } else if (punctuation) {
      push(punctuation, i + 1);
    } else if (c === '"' || c === "'") {
      // No escape sequences: a literal runs to the next quote of the same kind.
      const close = text.indexOf(c, i + 1);
      if (close < 0) {
        return fail({
          message: `unterminated string: no closing ${c} for the literal that starts here`,
          offset: i,
          hint: `Calico literals have no escape sequences; quote a value holding ${c} with ${c === '"' ? "'" : '"'}`,
        });
      }
      push('string', close + 1, text.slice(i + 1, close));
    } else if (pair === '==' || pair === '!=' || pair === '&&' || pair === '||') {
      push(pair, i + 2);
    } else if (c === '!') {
      push('!', i + 1);
    } else if (c === '=' || c === '&' || c === '|') {
      return fail({
        message: `expected "${c}${c}" but found a single "${c}"`,
        offset: i,
        hint: `Calico writes this operator as ${c}${c}`,
      });
    } else if (previous?.kind === 'label') {
      const word = readOperatorWord(text, i, previous.value);
      if ('message' in word) return fail(word);
      push(word.kind, word.end);
    } else if (call === 'has(') {
      // "has(", "all(" and "global(" take no space before "(": "has (a)" lexes as the
      // label "has" followed by "(".
      const keyStart = skipBlanks(text, i + call.length);
      const key = keyAt(text, keyStart);
      if (key === '') {
        return fail({
          message: 'expected a label key inside has()',
          offset: keyStart,
          hint: 'write has(key), e.g. has(projectcalico.org/name)',
        });
      }
      if (key.length > MAX_KEY_LENGTH) return fail(tooLongKey(keyStart));
      const close = skipBlanks(text, keyStart + key.length);
      if (text[close] !== ')') {
        return fail({ message: 'expected ")" to close has(', offset: close, hint: 'has() takes one label key' });
      }
      push('has()', close + 1, key);
    } else if (call) {
      const close = skipBlanks(text, i + call.length);
      if (text[close] !== ')') {
        return fail({ message: `expected ")" to close ${call}`, offset: close, hint: `${call}) takes no arguments` });
      }
      push(call === 'all(' ? 'all()' : 'global()', close + 1);
    } else {
      const key = keyAt(text, i);
      if (key === '') return fail(unexpectedCharacter(text, i));
      if (key.length > MAX_KEY_LENGTH) return fail(tooLongKey(i));
      push('label', i + key.length, key);
    }
  }
  push('end', i);
  return tokens;
}

// ---------------------------------------------------------------------------------------
// Parser

function describe(token: Token): string {
  switch (token.kind) {
    case 'error':
      return token.error.message;
    case 'end':
      return 'the end of the selector';
    case 'label':
      return `label key "${token.value}"`;
    case 'string':
      return `the literal ${quote(token.value)}`;
    default:
      return `"${token.kind}"`;
  }
}

function isError(x: Selector | SelectorError): x is SelectorError {
  return 'offset' in x;
}

/**
 * Recursive descent over Calico's grammar (parser.go):
 *
 *   or        := and ("||" and)*
 *   and       := operation ("&&" operation)*
 *   operation := "!"* ( has() | all() | global() | "(" or ")"
 *                     | label ("==" | "!=" | "contains" | "starts with" | "ends with") string
 *                     | label ("in" | "not in") "{" [string ("," string)* [","]] "}" )
 */
class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token {
    // tokenize() always ends with an `end` or `error` token, and the parser never reads past it.
    return this.tokens[this.position] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'end' && token.kind !== 'error') this.position++;
    return token;
  }

  // A lexical error wins over the syntax error the parser would report at the same token.
  fail(token: Token, message: string, hint?: string): SelectorError {
    if (token.kind === 'error') return token.error;
    return hint === undefined ? { message, offset: token.offset } : { message, offset: token.offset, hint };
  }

  parseOr(): Selector | SelectorError {
    return this.parseList('or', '||', () => this.parseAnd());
  }

  private parseAnd(): Selector | SelectorError {
    return this.parseList('and', '&&', () => this.parseOperation());
  }

  private parseList(
    kind: 'and' | 'or',
    operator: '&&' | '||',
    operand: () => Selector | SelectorError,
  ): Selector | SelectorError {
    const operands: Selector[] = [];
    for (;;) {
      const s = operand();
      if (isError(s)) return s;
      operands.push(s);
      if (this.peek().kind !== operator) break;
      this.next();
    }
    const flat = flatten(kind, operands);
    return flat.length === 1 ? (flat[0] as Selector) : { kind, operands: flat };
  }

  private parseOperation(): Selector | SelectorError {
    const token = this.next();
    switch (token.kind) {
      case '!': {
        const operand = this.parseOperation();
        return isError(operand) ? operand : { kind: 'not', operand };
      }
      case 'has()':
        return { kind: 'has', key: token.value };
      case 'all()':
        return { kind: 'all' };
      case 'global()':
        return { kind: 'global' };
      case '(': {
        const inner = this.parseOr();
        if (isError(inner)) return inner;
        const close = this.next();
        if (close.kind !== ')') {
          return this.fail(
            close,
            `expected ")" to close the "(" at offset ${token.offset}, found ${describe(close)}`,
            'add the missing ")" or join the expressions with && or ||',
          );
        }
        return inner;
      }
      case 'label':
        return this.parseMatch(token.value);
      case 'string':
        return this.fail(
          token,
          `expected an expression, found ${describe(token)}`,
          'the label key comes first: key == "value"',
        );
      default:
        return this.fail(
          token,
          `expected an expression, found ${describe(token)}`,
          'an expression is a match such as key == "value", has(key), all() or global(), ' +
            'a "!" before one, or a "(...)" group',
        );
    }
  }

  private parseMatch(key: string): Selector | SelectorError {
    const operator = this.next();
    switch (operator.kind) {
      case '==':
      case '!=':
      case 'contains':
      case 'starts with':
      case 'ends with': {
        const literal = this.next();
        if (literal.kind !== 'string') {
          return this.fail(
            literal,
            `expected a quoted value after "${operator.kind}", found ${describe(literal)}`,
            literal.kind === 'label' ? `quote it: "${literal.value}"` : 'values are quoted with "..." or \'...\'',
          );
        }
        return { kind: VALUE_KINDS[operator.kind], key, value: literal.value };
      }
      case 'in':
      case 'not in':
        return this.parseSet(operator.kind === 'in' ? 'in' : 'notIn', key);
      default:
        return this.fail(
          operator,
          `expected an operator after label key "${key}", found ${describe(operator)}`,
          OPERATORS_HINT,
        );
    }
  }

  // Calico accepts an empty set and a trailing comma (`{"a",}`), but not `{,}`.
  private parseSet(kind: 'in' | 'notIn', key: string): Selector | SelectorError {
    const open = this.next();
    const operator = kind === 'in' ? 'in' : 'not in';
    if (open.kind !== '{') {
      return this.fail(
        open,
        `expected "{" after "${operator}", found ${describe(open)}`,
        `write ${key} ${operator} {"a", "b"}`,
      );
    }
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.kind === '}') break;
      if (item.kind !== 'string') return this.fail(item, `expected a quoted value or "}", found ${describe(item)}`);
      values.push(item.value);
      const separator = this.next();
      if (separator.kind === '}') break;
      if (separator.kind !== ',') {
        return this.fail(separator, `expected "," or "}", found ${describe(separator)}`, 'separate values with ","');
      }
    }
    return { kind, key, values: toSet(values) };
  }
}

/**
 * Parses Calico selector text. Empty or blank text is `all()`, as in Calico.
 *
 * Errors are returned, not thrown, with the offset of the first offending character.
 */
export function parseSelector(text: string): SelectorParseResult {
  const parser = new Parser(tokenize(text));
  if (parser.peek().kind === 'end') return { ok: true, selector: { kind: 'all' } };
  const selector = parser.parseOr();
  if (isError(selector)) return { ok: false, error: selector };
  const rest = parser.peek();
  if (rest.kind !== 'end') {
    return {
      ok: false,
      error: parser.fail(
        rest,
        `unexpected ${describe(rest)} after a complete expression`,
        'join expressions with && or ||',
      ),
    };
  }
  return { ok: true, selector };
}

// ---------------------------------------------------------------------------------------
// Evaluator

/**
 * Whether `s` matches a resource with these labels, with Calico's semantics (ast.go Evaluate).
 *
 * `!=` and `not in` also match when the label is absent; `contains`, `starts with`,
 * `ends with`, `==` and `in` need it present. `global()` matches only non-namespaced
 * resources (`context.global`): Calico's node itself evaluates to true and leaves the scoping
 * to the namespaceSelector that holds it.
 */
export function matchesSelector(s: Selector, labels: Labels, context?: { readonly global?: boolean }): boolean {
  // Own properties only, so a key such as "constructor" is not found on Object.prototype.
  const label = (key: string): string | undefined => (Object.hasOwn(labels, key) ? labels[key] : undefined);
  switch (s.kind) {
    case 'all':
      return true;
    case 'global':
      return context?.global === true;
    case 'has':
      return label(s.key) !== undefined;
    case 'eq':
      return label(s.key) === s.value;
    case 'neq':
      return label(s.key) !== s.value;
    case 'contains':
      return label(s.key)?.includes(s.value) ?? false;
    case 'startsWith':
      return label(s.key)?.startsWith(s.value) ?? false;
    case 'endsWith':
      return label(s.key)?.endsWith(s.value) ?? false;
    case 'in': {
      const value = label(s.key);
      return value !== undefined && s.values.includes(value);
    }
    case 'notIn': {
      const value = label(s.key);
      return value === undefined || !s.values.includes(value);
    }
    case 'not':
      return !matchesSelector(s.operand, labels, context);
    case 'and':
      return s.operands.every((o) => matchesSelector(o, labels, context));
    case 'or':
      return s.operands.some((o) => matchesSelector(o, labels, context));
  }
}
