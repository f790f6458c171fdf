/**
 * The first try of the fast reader (lib/spec/fast-yaml.ts): a line-by-line reader of the block
 * style most specs are written in, which builds the SpecNodes in one pass instead of going
 * through js-yaml's values and node events (about 0.5–0.7 of that path's time in a cold process
 * on 1,000- to 10,000-node specs, and less garbage).
 *
 * It reads a narrow part of YAML and gives up on everything else, which js-yaml then reads:
 * - block mappings whose keys are plain words (letters, digits, `_ . / -`, starting with a letter
 *   or `_`) followed by `: ` or a line end, each key once;
 * - block sequences, indented under their key or at its indentation, whose items are values
 *   or mappings starting on the item's line (`- name: x`);
 * - values on one line: plain scalars of a safe character set, quoted scalars without escapes,
 *   flow sequences and mappings of those;
 * - comment lines, comments after a value, and a leading `---`.
 * An empty value, a value continued on the next line, a block scalar, a nested sequence on an
 * item's line, a key it cannot read, a plain scalar that could be read as a key or a comment,
 * or a number other than a plain decimal integer: any of these gives up on the whole text (in
 * an item of `spec.nodes` left unread, SimpleOptions.unreadNodes, on the item when it is read,
 * which gives up on the whole text as well).
 *
 * Only ever called on a text the fast reader's filters passed (printable ASCII and line feeds,
 * no anchors, aliases, tags or directives, no flow collection or quoted scalar over two lines).
 * Each node starts at its first character, as js-yaml's path gives it; test/spec/simple-yaml.test.ts
 * compares both, and the values with the yaml library's, over the fuzz corpus and over random
 * block-style texts.
 */
import { MapNode, PairNode, ScalarNode, SeqNode, SpecNode } from './nodes';
import { isNonString, plainValue } from './plain-scalars';
import { lineStarts, type TextLines } from './lines';

/**
 * Thrown inside the reader when the text is not of the simple shape; out of
 * UnreadItems.item too, when the item it reads is not.
 */
export class NotSimple extends Error {}

/** What simpleRoot may leave unread. */
export interface SimpleOptions {
  /**
   * `spec.nodes`, when it is a block sequence, is not read into the tree: its node is a scalar
   * holding the UnreadItems, each read from its lines when asked for (readNodes in
   * lib/spec/parse.ts). A large spec's items then live for one item's reading each, instead of
   * the whole reading's: the tree of a 5,000-node spec is 13 MB, and the collector copied it
   * from one generation to the next while the rest was read.
   */
  readonly unreadNodes?: boolean;
  /**
   * The text's TextLines, when the caller has them already: finding the lines again is a pass
   * over the text, a megabyte for 5,000 nodes (they are found again for another text).
   */
  readonly lines?: TextLines;
}

/**
 * The items of a block sequence left unread (SimpleOptions.unreadNodes): where each item's
 * lines start and end. Item i is read exactly as simpleRoot would have read it in place, and
 * any of them may turn out not to be of the simple shape (NotSimple); so is the whole text,
 * whose reader then starts again from js-yaml's path (lib/spec/parse.ts).
 */
export class UnreadItems {
  /**
   * @param read reads the item on lines `from` up to `to`
   * @param readNode reads the item on lines `from` up to `to` as a NodeItem, if it is written as one
   * @param bounds the first line of each item, then the line after the last
   */
  public constructor(
    private readonly read: (from: number, to: number) => SpecNode,
    private readonly readNode: (from: number, to: number) => NodeItem | undefined,
    private readonly bounds: readonly number[],
  ) {}

  public get length(): number {
    return this.bounds.length - 1;
  }

  /** Item `i`, read from its lines; throws NotSimple when it is not of the simple shape. */
  public item(i: number): SpecNode {
    this.check(i);
    return this.read(this.bounds[i], this.bounds[i + 1]);
  }

  /**
   * Item `i` as a NodeItem, read straight from its lines without a tree, when it is written in
   * the layout NodeItem describes; undefined for any other item, which item(i) then reads.
   */
  public node(i: number): NodeItem | undefined {
    this.check(i);
    return this.readNode(this.bounds[i], this.bounds[i + 1]);
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`internal error: no item ${i} of ${this.length}`);
  }
}

/**
 * A node of spec.nodes written as `nodes import` and most specs write one, line for line:
 *
 *     - name: node-1
 *       interfaces:
 *         - name: eth0
 *           expectedIPs: [10.0.0.1, "fd00::1"]
 *
 * (the interfaces' dashes under `interfaces` or at its indentation; `expectedIPs` may be left
 * out, or be `[]`). It holds what the tree that item(i) reads from those lines holds: a mapping
 * of `name` and `interfaces`, a list of mappings of `name` and maybe `expectedIPs`, every value
 * a string. Every name is a plain scalar of letters, digits, `.`, `_` and `-` starting with a
 * letter or a digit that the core schema reads as a string; every address a plain scalar of
 * letters, digits and dots, or a double-quoted one, maybe empty, of letters, digits, dots and
 * colons; one space after each `-`, `:` and `,`; nothing after a value, not even a comment
 * (comment and blank lines between the lines are skipped, as the tree skips them). Any line
 * the line reader would give up on is not of this layout. test/spec/simple-yaml.test.ts
 * compares it with the tree on random items and on the layouts next to it.
 */
export interface NodeItem {
  readonly name: string;
  readonly interfaces: readonly { readonly name: string; readonly expectedIPs: readonly string[] }[];
}

/** A name NodeItem takes: a plain scalar of these characters (which the core schema may still read as a number). */
const NODE_ITEM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** An address NodeItem takes: plain (no `:` in a flow list), or between double quotes. */
const NODE_ITEM_PLAIN_IP = /^[A-Za-z0-9][A-Za-z0-9.]*$/;
const NODE_ITEM_QUOTED_IP = /^"[A-Za-z0-9.:]*"$/;

/** The unread items a node of simpleRoot's tree stands for, if it stands for any. */
export function unreadItems(node: SpecNode): UnreadItems | undefined {
  return node.kind === 'scalar' && node.value instanceof UnreadItems ? node.value : undefined;
}

/** Which mapping the reader is in: the root, the root's `spec`, or another one. */
type Where = 'root' | 'spec' | 'other';

/**
 * The lines with content: where each starts, how many spaces indent it, where it ends (before
 * `\n`). Three numbers a line in typed arrays rather than an object each: a 5,000-node spec has
 * 35,000 lines, and the reader keeps them for the items it leaves unread. A line is its index;
 * `count` stands for no line (past the last).
 */
class Lines {
  public readonly start: Int32Array;
  public readonly indent: Int32Array;
  public readonly end: Int32Array;
  public readonly count: number;

  /** @param starts lineStarts(text) */
  public constructor(text: string, starts: readonly number[]) {
    const most = starts.length;
    this.start = new Int32Array(most);
    this.indent = new Int32Array(most);
    this.end = new Int32Array(most);
    let count = 0;
    for (let k = 0; k < most; k++) {
      const start = starts[k] as number;
      // A line ends at the next one's line break, the last at the text's end.
      const end = k + 1 < most ? (starts[k + 1] as number) - 1 : text.length;
      let indent = 0;
      while (start + indent < end && text.charCodeAt(start + indent) === 0x20) indent++;
      // Blank lines and comment lines hold no node.
      if (start + indent < end && text.charCodeAt(start + indent) !== 0x23) {
        this.start[count] = start;
        this.indent[count] = indent;
        this.end[count] = end;
        count++;
      }
    }
    this.count = count;
  }
}

/** Characters of a key (letters, digits, `_ . / -`), and of its first one (letters, `_`). */
const isKeyStart = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isKeyChar = (c: number): boolean => isKeyStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2f || c === 0x2d;
/** A plain scalar in block context: no `#`, quotes, flow indicators but `,()`, or indicator first. */
const BLOCK_PLAIN = /^[A-Za-z0-9_./~+=()-][A-Za-z0-9 _./~+=(),:@-]*$/;
/** A plain scalar in a flow collection: no spaces, no `:`, no flow indicators. */
const FLOW_PLAIN = /^[A-Za-z0-9_./~+=()-][A-Za-z0-9_./~+=()@-]*$/;
/** The first characters of the core schema's non-strings: `~`, null, true, false, numbers. */
const MAY_NOT_BE_STRING = /^[~nNtTfF0-9+.-]/;

/** Whether the core schema reads the plain scalar `source` as a string (the first character tells most). */
function readsAsString(source: string): boolean {
  return !MAY_NOT_BE_STRING.test(source) || !isNonString(source);
}

/** The root mapping of a block-style text, or undefined when the text is not of that shape. */
export function simpleRoot(text: string, options: SimpleOptions = {}): SpecNode | undefined {
  try {
    return new SimpleReader(text, options.unreadNodes === true, options.lines?.startsOf(text) ?? lineStarts(text)).root();
  } catch (e) {
    if (e instanceof NotSimple) return undefined;
    throw e;
  }
}

class SimpleReader {
  private readonly lines: Lines;
  /** The line the reader is at. */
  private i = 0;

  /** @param leaveNodes leave the items of `spec.nodes` unread (SimpleOptions.unreadNodes) */
  public constructor(
    private readonly text: string,
    private readonly leaveNodes: boolean,
    starts: readonly number[],
  ) {
    this.lines = new Lines(text, starts);
  }

  public root(): SpecNode {
    const { start, indent, end, count } = this.lines;
    if (count > 0 && indent[0] === 0 && /^---(?: +#.*)? *$/.test(this.text.slice(start[0], end[0]))) this.i++;
    if (this.i === count) throw new NotSimple();
    const root = this.mapping(start[this.i] + indent[this.i], indent[this.i], 'root');
    if (this.i !== count) throw new NotSimple();
    return root;
  }

  /**
   * An item UnreadItems left unread as a NodeItem (its lines from `from` up to `to`, of a
   * sequence whose `-` are `indent` deep), if it is written as one; undefined otherwise.
   */
  private readNodeItem(from: number, to: number, indent: number): NodeItem | undefined {
    const { indent: indents } = this.lines;
    const keys = indent + 2;
    if (to - from < 3 || indents[from] !== indent || indents[from + 1] !== keys || !this.lineIs(from + 1, 'interfaces:')) return undefined;
    const name = this.nodeItemName(from, '- name: ');
    if (name === undefined) return undefined;
    // The interfaces' dashes: under the key, or at its indentation.
    const dash = indents[from + 2];
    if (dash !== keys && dash !== keys + 2) return undefined;
    const interfaces: { name: string; expectedIPs: readonly string[] }[] = [];
    for (let line = from + 2; line < to; ) {
      if (indents[line] !== dash) return undefined;
      const ifName = this.nodeItemName(line, '- name: ');
      if (ifName === undefined) return undefined;
      line++;
      let expectedIPs: readonly string[] = [];
      if (line < to && indents[line] === dash + 2) {
        const ips = this.nodeItemAddresses(line);
        if (ips === undefined) return undefined;
        expectedIPs = ips;
        line++;
      }
      interfaces.push({ name: ifName, expectedIPs });
    }
    return { name, interfaces };
  }

  /** Whether the content of `line` (past its indentation) is `content`. */
  private lineIs(line: number, content: string): boolean {
    const at = this.lines.start[line] + this.lines.indent[line];
    return this.lines.end[line] - at === content.length && this.text.startsWith(content, at);
  }

  /** The name after `prefix` on `line` (past its indentation), if it is a string NodeItem takes. */
  private nodeItemName(line: number, prefix: string): string | undefined {
    const at = this.lines.start[line] + this.lines.indent[line];
    if (!this.text.startsWith(prefix, at)) return undefined;
    const value = this.text.slice(at + prefix.length, this.lines.end[line]);
    return NODE_ITEM_NAME.test(value) && readsAsString(value) ? value : undefined;
  }

  /** The addresses of `expectedIPs: [a, "b"]` on `line`, if it is written so. */
  private nodeItemAddresses(line: number): string[] | undefined {
    const prefix = 'expectedIPs: [';
    const at = this.lines.start[line] + this.lines.indent[line];
    const end = this.lines.end[line];
    if (!this.text.startsWith(prefix, at) || this.text.charCodeAt(end - 1) !== 0x5d) return undefined;
    const list = this.text.slice(at + prefix.length, end - 1);
    if (list === '') return [];
    const ips = list.split(', ');
    for (let i = 0; i < ips.length; i++) {
      const ip = ips[i];
      if (NODE_ITEM_QUOTED_IP.test(ip)) ips[i] = ip.slice(1, -1);
      else if (!NODE_ITEM_PLAIN_IP.test(ip) || !readsAsString(ip)) return undefined;
    }
    return ips;
  }

  /** An item UnreadItems left unread: its lines, from `from` up to `to`, of a sequence whose `-` are `indent` deep. */
  private readItem(from: number, to: number, indent: number): SpecNode {
    this.i = from;
    const item = this.item(indent);
    if (this.i !== to) throw new NotSimple();
    return item;
  }

  /**
   * A block mapping whose first key is at `first` (maybe after `- `) and whose keys are
   * `indent` deep; `where` it is, for SimpleOptions.unreadNodes.
   */
  private mapping(first: number, indent: number, where: Where = 'other'): MapNode {
    const items: PairNode[] = [];
    const keys = new Set<string>();
    const lines = this.lines;
    for (let col = first; ; ) {
      const end = lines.end[this.i];
      const { key, after } = this.key(col, end);
      if (keys.has(key)) throw new NotSimple();
      keys.add(key);
      const keyNode: ScalarNode = { kind: 'scalar', start: col, end: col, value: key };
      const v = this.skipSpaces(after, end);
      let value: SpecNode;
      if (v < end && this.text.charCodeAt(v) !== 0x23) {
        value = this.inline(v, end);
        this.i++;
      } else {
        const next = ++this.i;
        if (next === lines.count) throw new NotSimple();
        const leave = this.leaveNodes && where === 'spec' && key === 'nodes';
        const nextIndent = lines.indent[next];
        if (nextIndent > indent) value = this.isItem(next) ? this.blockSequence(nextIndent, leave) : this.mapping(lines.start[next] + nextIndent, nextIndent, where === 'root' && key === 'spec' ? 'spec' : 'other');
        else if (nextIndent === indent && this.isItem(next)) value = this.blockSequence(indent, leave);
        else throw new NotSimple();
      }
      items.push({ key: keyNode, value });
      const next = this.i;
      if (next === lines.count || lines.indent[next] < indent) break;
      if (lines.indent[next] > indent || this.isItem(next)) throw new NotSimple();
      col = lines.start[next] + lines.indent[next];
    }
    return { kind: 'map', start: first, items };
  }

  /** A block sequence whose `-` are `indent` deep, read, or (`leave`) left unread. */
  private blockSequence(indent: number, leave: boolean): SpecNode {
    return leave ? this.unreadSequence(indent) : this.sequence(indent);
  }

  /** A block sequence whose `-` are `indent` deep. */
  private sequence(indent: number): SeqNode {
    const items: SpecNode[] = [];
    const lines = this.lines;
    const start = lines.start[this.i] + indent;
    for (;;) {
      const line = this.i;
      if (line === lines.count || lines.indent[line] < indent) break;
      if (lines.indent[line] > indent) throw new NotSimple();
      if (!this.isItem(line)) break;
      items.push(this.item(indent));
    }
    return { kind: 'seq', start, items };
  }

  /**
   * A block sequence whose `-` are `indent` deep, left unread: each item is the lines from its
   * `-` to the next line indented no deeper than the `-`, which is where sequence() would end
   * it or refuse the text (an item's lines that the item does not take are refused by readItem).
   */
  private unreadSequence(indent: number): ScalarNode {
    const lines = this.lines;
    const start = lines.start[this.i] + indent;
    const bounds: number[] = [];
    // The caller is at the first item's `-`; every later line either belongs to an item (it is
    // indented deeper) or is indented no deeper than the `-` (so never deeper at the loop's top).
    for (;;) {
      const line = this.i;
      if (line === lines.count || lines.indent[line] < indent || !this.isItem(line)) break;
      bounds.push(line);
      this.i++;
      while (this.i < lines.count && lines.indent[this.i] > indent) this.i++;
    }
    bounds.push(this.i);
    return {
      kind: 'scalar',
      start,
      end: start,
      value: new UnreadItems(
        (from, to) => this.readItem(from, to, indent),
        (from, to) => this.readNodeItem(from, to, indent),
        bounds,
      ),
    };
  }

  /**
   * The sequence item on the line the reader is at, whose `-` is `indent` deep: a
   * mapping starting on its line, or a value.
   */
  private item(indent: number): SpecNode {
    const line = this.i;
    const lineStart = this.lines.start[line];
    const end = this.lines.end[line];
    const v = this.skipSpaces(lineStart + indent + 1, end);
    if (v === end || this.text.charCodeAt(v) === 0x23 || this.isDash(v, end)) throw new NotSimple();
    if (this.keyEnd(v, end) >= 0) return this.mapping(v, v - lineStart);
    const value = this.inline(v, end);
    this.i++;
    return value;
  }

  /** Whether the line is a sequence item: `-` then a space (a lone `-` is not read here). */
  private isItem(line: number): boolean {
    return this.isDash(this.lines.start[line] + this.lines.indent[line], this.lines.end[line]);
  }

  private isDash(at: number, end: number): boolean {
    return this.text.charCodeAt(at) === 0x2d && at + 1 < end && this.text.charCodeAt(at + 1) === 0x20;
  }

  /** Where the `:` is when a key and `: ` (or `:` at the line's end) start at `at`; -1 otherwise. */
  private keyEnd(at: number, end: number): number {
    if (!isKeyStart(this.text.charCodeAt(at))) return -1;
    let p = at + 1;
    while (p < end && isKeyChar(this.text.charCodeAt(p))) p++;
    return this.text.charCodeAt(p) === 0x3a && (p + 1 === end || this.text.charCodeAt(p + 1) === 0x20) ? p : -1;
  }

  /** The key at `at`, and where its value may start (past the `:`). */
  private key(at: number, end: number): { key: string; after: number } {
    const p = this.keyEnd(at, end);
    if (p < 0) throw new NotSimple();
    const key = this.text.slice(at, p);
    // A key the core schema reads as null, a boolean or a number is no string.
    if (!readsAsString(key)) throw new NotSimple();
    return { key, after: p + 1 };
  }

  /** A value on the rest of the line: a scalar or a flow collection, then at most a comment. */
  private inline(at: number, end: number): SpecNode {
    const c = this.text.charCodeAt(at);
    if (c === 0x5b || c === 0x7b || c === 0x22 || c === 0x27) {
      const { node, next } = this.flowNode(at, end);
      const rest = this.skipSpaces(next, end);
      // Nothing after it but a comment, after a space (the filter's rule, kept here as well).
      if (rest < end && !(this.text.charCodeAt(rest) === 0x23 && rest > next)) throw new NotSimple();
      return node;
    }
    // A `#` after a space starts a comment. One after another character never gets here (the
    // fast reader's filter sends the text to the positioned reader); refused all the same.
    const hash = this.find(0x23, at, end);
    if (hash < end && this.text.charCodeAt(hash - 1) !== 0x20) throw new NotSimple();
    const source = this.text.slice(at, hash).trimEnd();
    if (!BLOCK_PLAIN.test(source) || source.includes(': ') || source.endsWith(':') || source === '-' || source.startsWith('- ') || source.startsWith('--') || source.startsWith('..')) throw new NotSimple();
    return this.plain(at, source);
  }

  /** A flow collection or a scalar inside one (or a quoted scalar anywhere), and where it ends. */
  private flowNode(at: number, end: number): { node: SpecNode; next: number } {
    const c = this.text.charCodeAt(at);
    if (c === 0x22) {
      const close = this.find(0x22, at + 1, end);
      if (close === end) throw new NotSimple();
      const value = this.text.slice(at + 1, close);
      if (value.includes('\\')) throw new NotSimple();
      return { node: { kind: 'scalar', start: at, end: at, value }, next: close + 1 };
    }
    if (c === 0x27) {
      let p = at + 1;
      for (;;) {
        const close = this.find(0x27, p, end);
        if (close === end) throw new NotSimple();
        if (this.text.charCodeAt(close + 1) !== 0x27) {
          const value = this.text.slice(at + 1, close).split("''").join("'");
          return { node: { kind: 'scalar', start: at, end: at, value }, next: close + 1 };
        }
        p = close + 2;
      }
    }
    if (c === 0x5b) return this.flowSequence(at, end);
    if (c === 0x7b) return this.flowMapping(at, end);
    let p = at;
    for (let d = this.text.charCodeAt(p); p < end && d !== 0x2c && d !== 0x5d && d !== 0x7d; d = this.text.charCodeAt(++p));
    const source = this.text.slice(at, p).trimEnd();
    if (!FLOW_PLAIN.test(source) || source === '-') throw new NotSimple();
    return { node: this.plain(at, source), next: at + source.length };
  }

  private flowSequence(at: number, end: number): { node: SpecNode; next: number } {
    const items: SpecNode[] = [];
    const next = this.flowEntries(at, end, 0x5d, (p) => {
      const item = this.flowNode(p, end);
      items.push(item.node);
      return item.next;
    });
    return { node: { kind: 'seq', start: at, items }, next };
  }

  private flowMapping(at: number, end: number): { node: SpecNode; next: number } {
    const items: PairNode[] = [];
    const keys = new Set<string>();
    const next = this.flowEntries(at, end, 0x7d, (p) => {
      const { key, after } = this.key(p, end);
      // In a flow mapping the key's `:` is followed by a space here (`a:b` is one scalar).
      if (after >= end || keys.has(key)) throw new NotSimple();
      keys.add(key);
      const v = this.skipSpaces(after, end);
      if (v === after || v >= end) throw new NotSimple();
      const value = this.flowNode(v, end);
      items.push({ key: { kind: 'scalar', start: p, end: p, value: key }, value: value.node });
      return value.next;
    });
    return { node: { kind: 'map', start: at, items }, next };
  }

  /**
   * The entries of the flow collection opening at `at`, read by `entry` (which returns where
   * the entry ends), separated by commas, up to `close`; where the collection ends.
   */
  private flowEntries(at: number, end: number, close: number, entry: (p: number) => number): number {
    let p = this.skipSpaces(at + 1, end);
    if (this.text.charCodeAt(p) === close) return p + 1;
    for (;;) {
      p = this.skipSpaces(entry(p), end);
      const c = this.text.charCodeAt(p);
      if (c === close) return p + 1;
      if (c !== 0x2c) throw new NotSimple();
      // A trailing comma leaves no scalar or key for `entry` to read: it gives up.
      p = this.skipSpaces(p + 1, end);
    }
  }

  /** A plain scalar: a string, or the null, boolean or decimal integer of the core schema. */
  private plain(at: number, source: string): ScalarNode {
    if (readsAsString(source)) return { kind: 'scalar', start: at, end: at, value: source };
    const value = plainValue(source);
    if (value === undefined) throw new NotSimple();
    return { kind: 'scalar', start: at, end: at + source.length, value };
  }

  /** The first `code` in [at, end), or `end`. */
  private find(code: number, at: number, end: number): number {
    let p = at;
    while (p < end && this.text.charCodeAt(p) !== code) p++;
    return p;
  }

  private skipSpaces(at: number, end: number): number {
    let p = at;
    while (p < end && this.text.charCodeAt(p) === 0x20) p++;
    return p;
  }
}
