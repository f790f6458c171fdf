/**
 * The fast way into the spec reader: a YAML text of the plain, common shape (block and flow
 * collections, plain and quoted strings, decimal integers, booleans) is read by the line reader
 * (lib/spec/simple-yaml.ts) when it is in the block style that reader takes, and otherwise
 * loaded with js-yaml, about 15× faster than the yaml library's Document API; either hands the
 * same SpecReader a tree of SpecNodes (lib/spec/nodes.ts), each with the offset where its text
 * starts (js-yaml's from its node events), so every position is the one the positioned reader
 * gives.
 *
 * It is only ever a shortcut. Whatever could make the two parsers disagree — anchors and
 * aliases, tags, merge keys, directives, explicit or collection keys, tabs, carriage returns,
 * characters beyond printable ASCII — and every number that is not a plain decimal integer
 * sends the text to the positioned reader instead, and so does any error js-yaml raises; the
 * caller also reads the text again with the positioned reader as soon as the reading finds
 * anything wrong. So the accepted specs, every finding of the reader, the positions and the
 * alias budget are exactly those of the positioned reader (test/spec/fast-yaml.test.ts runs
 * both readers over the fuzz corpus and compares every field's position).
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { PairNode, SpecNode } from './nodes';
import { isNonString, plainValue } from './plain-scalars';
import { SimpleOptions, simpleRoot } from './simple-yaml';

/**
 * Text the fast path leaves to the positioned reader: non-printable or non-ASCII characters
 * (tabs and carriage returns included), anchors, tags, directives, merge keys, keys that are
 * collections, explicit (`? key`) or empty (`: value`), a `#` right after another character
 * (a comment without its space), lines of 1,000 characters or more (implicit keys end at
 * 1,024), content on the line of `---` or `...`, `\U` escapes (js-yaml decodes those beyond
 * U+10FFFF) and block scalars with an indentation indicator (`|2`). Strings and comments that merely contain one of these characters take the
 * positioned path too, which costs time, never correctness.
 */
const NOT_PLAIN = /[^\x20-\x7e\n]|[&!%]|<<|[\]}] *:|(?:^|[ ,[{])\?(?: |$)|\S#|(?:^|[{,[]) *:(?: |$)|^.{1000}|^(?:---|\.\.\.)(?! *(?:#|$))|\\U|[|>][-+]?[1-9]/m;

/**
 * Lines the two parsers may join differently: a flow collection or a quoted string that goes
 * on to the next line (indentation rules and line folding are where YAML readers differ).
 * Each line is scanned on its own, quotes and comments followed; what cannot be told apart
 * on one line (an apostrophe in a plain scalar) sends the text to the positioned reader too,
 * which costs time, never correctness. One pass over the text, without splitting it into
 * lines (a 5,000-node spec has 35,000); exported for test/spec/fast-yaml.test.ts, which
 * compares it with a line-by-line reading.
 */
export function spansLines(text: string): boolean {
  let depth = 0;
  let quote = 0;
  let comment = false;
  for (let i = 0; i <= text.length; i++) {
    // The end of the text ends its last line.
    const c = i < text.length ? text.charCodeAt(i) : 0x0a;
    if (c === 0x0a) {
      if (depth !== 0 || quote !== 0) return true;
      comment = false;
    } else if (comment) continue;
    else if (quote === 0x22) {
      // An escape takes the next character, but never the line's end.
      if (c === 0x5c && i + 1 < text.length && text.charCodeAt(i + 1) !== 0x0a) i++;
      else if (c === 0x22) quote = 0;
    } else if (quote === 0x27) {
      if (c === 0x27) quote = 0;
    } else if (c === 0x23 && (i === 0 || text.charCodeAt(i - 1) === 0x20 || text.charCodeAt(i - 1) === 0x0a)) comment = true;
    else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * A plain scalar that is not a string, as js-yaml hands it over. A class of its own, so a
 * key written as `true:` or `80:` never turns into the string "true" or "80": js-yaml keys
 * are strings, and this one's string form marks the mapping for the positioned reader.
 */
class PlainScalar {
  public readonly [Symbol.toStringTag] = 'PlainScalar';
  public constructor(public readonly source: string) {}
  public toString(): string {
    return NOT_A_KEY;
  }
}
const NOT_A_KEY = '\u0000not a string key';

const schema = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type('tag:calico-shield,2026:plain-scalar', {
      kind: 'scalar',
      resolve: (data: string) => isNonString(data),
      construct: (data: string) => new PlainScalar(data),
    }),
  ],
});

/** Thrown inside the conversion when the text needs the positioned reader. */
class NotPlain extends Error {}

/**
 * The nodes js-yaml composed, numbered in the order it opened them (0 is the document around
 * the root): where each began (before separating space), what it became (`mapping`,
 * `sequence`, `scalar`, or null for nothing), and the nodes composed inside it, in document
 * order. Numbers in arrays, not an object per node: a large spec has a hundred thousand.
 */
class Composed {
  readonly starts: number[] = [0];
  readonly kinds: (string | null)[] = [null];
  readonly counts: number[] = [0];
  readonly firstChild: number[] = [-1];
  readonly lastChild: number[] = [-1];
  readonly nextSibling: number[] = [-1];
  private readonly open: number[] = [0];

  /** js-yaml's listener: it reports every node it composes, keys included, when it opens and closes it. */
  readonly listener = (event: 'open' | 'close', state: { readonly position: number; readonly kind: string | null }): void => {
    if (event === 'close') {
      const node = this.open.pop();
      if (node !== undefined && node !== 0) this.kinds[node] = state.kind;
      return;
    }
    const node = this.starts.length;
    const parent = this.open[this.open.length - 1];
    this.starts.push(state.position);
    this.kinds.push(null);
    this.counts.push(0);
    this.firstChild.push(-1);
    this.lastChild.push(-1);
    this.nextSibling.push(-1);
    if (this.counts[parent] === 0) this.firstChild[parent] = node;
    else this.nextSibling[this.lastChild[parent]] = node;
    this.lastChild[parent] = node;
    this.counts[parent]++;
    this.open.push(node);
  };

  children(node: number): number[] {
    const list: number[] = [];
    for (let c = this.firstChild[node]; c >= 0; c = this.nextSibling[c]) list.push(c);
    return list;
  }
}

/**
 * The document's root as SpecNodes, each with the offset its text starts at (what the
 * positioned reader reports), or undefined when the text needs the positioned reader.
 * `options` are the line reader's: what it may leave unread (js-yaml's path reads everything).
 */
export function fastRoot(text: string, options: SimpleOptions = {}): SpecNode | undefined {
  if (NOT_PLAIN.test(text) || spansLines(text)) return undefined;
  return simpleRoot(text, options) ?? composedRoot(text);
}

/** js-yaml's reading of a text the filters passed (exported for test/spec/simple-yaml.test.ts, which compares it with simpleRoot's). */
export function composedRoot(text: string): SpecNode | undefined {
  const composed = new Composed();
  let value: unknown;
  try {
    value = load(text, { schema, json: false, listener: composed.listener });
  } catch {
    return undefined;
  }
  try {
    if (composed.counts[0] !== 1) throw new NotPlain();
    return toNode(text, value, composed, composed.firstChild[0]);
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
}

/**
 * The SpecNode for a value js-yaml loaded and the node it composed for it: a mapping's
 * composed children are its keys and values in turn, a list's its items. js-yaml also
 * composes on the way: a scalar may hold the key it was tried as, a collection may be the
 * one child of a node that tried it as a key (same start), and a block mapping may end in
 * an empty node (before `...`). Any other shape leaves the text to the positioned reader.
 */
function toNode(text: string, value: unknown, composed: Composed, node: number): SpecNode {
  const start = nodeStart(text, composed.starts[node]);
  // A string's end is never read: only the text of numbers and booleans shows in messages.
  if (value === null || value === undefined || typeof value === 'string') return { kind: 'scalar', start, end: start, value: value ?? null };
  if (value instanceof PlainScalar) {
    if (!text.startsWith(value.source, start)) throw new NotPlain();
    return { kind: 'scalar', start, end: start + value.source.length, value: scalarValue(value.source) };
  }
  const children = composed.children(collectionNode(text, composed, node, start));
  if (Array.isArray(value)) {
    if (children.length !== value.length) throw new NotPlain();
    const items: SpecNode[] = new Array<SpecNode>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = toNode(text, value[i], composed, children[i]);
    return { kind: 'seq', start, items };
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    const pairs = children.length === 2 * keys.length + 1 && composed.kinds[children[children.length - 1]] === null ? children.slice(0, -1) : children;
    if (pairs.length !== 2 * keys.length) throw new NotPlain();
    const items: PairNode[] = new Array<PairNode>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      // A key js-yaml made from a non-string scalar; or a key like "80", which a JavaScript
      // object would move ahead of the others, losing the order of the text.
      if (key.includes('\u0000') || /^[0-9]+$/.test(key)) throw new NotPlain();
      items[i] = { key: toNode(text, key, composed, pairs[2 * i]), value: toNode(text, (value as Record<string, unknown>)[key], composed, pairs[2 * i + 1]) };
    }
    return { kind: 'map', start, items };
  }
  // The failsafe schema and PlainScalar construct nothing else.
  throw new NotPlain();
}

/** The composed node that holds a collection's children, past the nodes that only tried it as a key. */
function collectionNode(text: string, composed: Composed, node: number, start: number): number {
  let n = node;
  while (composed.counts[n] === 1 && composed.kinds[composed.firstChild[n]] === composed.kinds[n] && nodeStart(text, composed.starts[composed.firstChild[n]]) === start) n = composed.firstChild[n];
  return n;
}

/** Where a node's own text begins: js-yaml opens it before the space and comments that separate it. */
function nodeStart(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a) i++;
    else if (c === 0x23) {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return text.length;
      i = eol;
    } else return i;
  }
}

function scalarValue(source: string): null | boolean | number {
  const value = plainValue(source);
  if (value === undefined) throw new NotPlain();
  return value;
}
