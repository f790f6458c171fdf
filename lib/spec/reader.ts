/**
 * A positioned reader over the yaml Document API: every value is read from its node, so
 * every finding names the file, line, column and field.
 *
 * Aliases are followed (so anchors can share an interface list) but every node visit is
 * counted against a budget, which bounds "billion laughs" expansion.
 */
import { Alias, Document, isAlias, isMap, isNode, isScalar, isSeq, Node, Pair, Scalar, visit, YAMLMap, YAMLSeq } from 'yaml';
import { escapeHiddenCharacters, Problem, quote } from '../calico/validate';
import { Finding } from './errors';
import { OffsetPositions, TextLines } from './lines';
import { Position } from './types';

/**
 * How many YAML nodes aliases may add to what the file itself holds: enough to share
 * interface lists and label maps, small enough that an alias bomb is refused in well under a
 * second and never turns a few kilobytes of spec into megabytes of policy.
 */
const ALIAS_BUDGET = 100_000;
/** Findings reported per file before the reader stops: past that, more help nobody. */
const MAX_FINDINGS = 100;

export interface Located {
  readonly node: Node;
  readonly path: string;
}

export class SpecReader {
  public readonly findings: Finding[] = [];
  public readonly positions: OffsetPositions;
  private visits = 0;
  /** The alias followed last: where a spent budget is reported. */
  private lastAlias: Alias | undefined;
  /** The file's own nodes plus ALIAS_BUDGET. */
  private readonly budget: number;
  private stopped = false;
  /** Anchored nodes by anchor name, in document order: an alias names the last one before it. */
  private readonly anchors = new Map<string, { readonly offset: number; readonly node: Node }[]>();

  /**
   * @param doc the yaml library's document; without it, the reader reads a tree of nodes with
   * ranges but no aliases (lib/spec/fast-yaml.ts)
   */
  public constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly lineCounter: TextLines,
    doc?: Document,
  ) {
    this.positions = new OffsetPositions(lineCounter);
    if (!doc) {
      this.budget = Infinity;
      return;
    }
    // yaml's Alias.resolve() walks the whole document for every alias, which makes a spec of
    // a few thousand aliases take seconds: index the anchors once instead.
    let own = 0;
    visit(doc, (_key, node) => {
      if (!isNode(node)) return;
      own++;
      if (!isAlias(node) && node.anchor) {
        const list = this.anchors.get(node.anchor) ?? [];
        list.push({ offset: node.range?.[0] ?? 0, node });
        this.anchors.set(node.anchor, list);
      }
    });
    this.budget = own + ALIAS_BUDGET;
  }

  private anchored(alias: Alias): Node | undefined {
    const offset = alias.range?.[0] ?? 0;
    let found: Node | undefined;
    for (const a of this.anchors.get(alias.source) ?? []) if (a.offset < offset) found = a.node;
    return found;
  }

  /** Position of a node's first character. */
  public positionOf(node: Node | Pair | undefined): Position {
    const range = node && 'range' in node ? node.range : undefined;
    const offset = range ? range[0] : 0;
    const p = this.lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  }

  public positionAt(offset: number): Position {
    const p = this.lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  }

  public error(at: Located | { readonly path: string; readonly position: Position }, code: string, message: string, hint?: string): void {
    if (this.stopped) return;
    const position = 'position' in at ? at.position : this.positionOf(at.node);
    if (this.findings.length >= MAX_FINDINGS) {
      this.stopped = true;
      this.findings.push({ severity: 'error', code: 'too-many-errors', message: `more than ${MAX_FINDINGS} errors; calico-shield stopped reading here`, hint: 'fix the errors above and run again', file: this.file, line: position.line, col: position.col });
      return;
    }
    this.findings.push({
      severity: 'error',
      code,
      message,
      ...(hint ? { hint } : {}),
      file: this.file,
      line: position.line,
      col: position.col,
      field: at.path,
    });
  }

  public problem(at: Located, code: string, problem: Problem): void {
    this.error(at, code, problem.message, problem.hint);
  }

  /** Follows aliases, counting visits; undefined once the budget is spent or for an unknown alias. */
  public resolve(node: Node | null | undefined, path: string): Node | undefined {
    let current: Node | null | undefined = node;
    let alias: Alias | undefined;
    while (current && isAlias(current)) {
      alias = current;
      this.lastAlias = current;
      const target = this.anchored(current);
      if (!target) {
        const name = escapeHiddenCharacters(clip(current.source));
        this.error({ node: current, path }, 'unknown-alias', `the alias *${name} names no anchor defined before it`, `define &${name} on an earlier value, or write the value here`);
        return undefined;
      }
      // An anchor defined before its alias cannot contain it, so following aliases ends.
      current = target;
    }
    if (!current) return undefined;
    this.visits++;
    if (this.visits > this.budget) {
      if (!this.stopped) {
        this.error({ node: alias ?? this.lastAlias ?? current, path }, 'too-large', `its aliases expand the spec by more than ${ALIAS_BUDGET} YAML nodes`, 'repeat less through anchors and aliases: each alias copies the whole anchored value');
        this.stopped = true;
      }
      return undefined;
    }
    this.positions.set(path, current.range ? current.range[0] : 0);
    return current;
  }

  /**
   * Reads a mapping whose keys must all be known; reports unknown and missing required
   * keys. Returns the present fields.
   */
  public mapping(at: Located, known: readonly string[], required: readonly string[] = []): Map<string, Located> | undefined {
    const node = at.node;
    if (!isMap(node)) {
      this.error(at, 'wrong-type', `expected a mapping, found ${describe(node)}`);
      return undefined;
    }
    const fields = new Map<string, Located>();
    for (const pair of (node as YAMLMap).items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string') {
        this.error({ node: keyNode ?? node, path: at.path }, 'wrong-type', `keys must be strings, found ${describe(keyNode ?? undefined)}`, 'quote the key');
        continue;
      }
      const path = joinPath(at.path, key);
      if (!known.includes(key)) {
        const guess = closest(key, known);
        this.error(
          { node: keyNode as Node, path },
          'unknown-field',
          `unknown field ${quote(key)}`,
          guess ? `did you mean ${JSON.stringify(guess)}?` : `known fields: ${known.join(', ')}`,
        );
        continue;
      }
      const value = this.resolve(pair.value as Node | null, path);
      if (this.stopped) return undefined;
      // An alias that names no anchor has been reported by resolve().
      if (value === undefined && isAlias(pair.value)) continue;
      if (value === undefined || (isScalar(value) && value.value === null)) {
        this.error({ node: keyNode as Node, path }, 'missing-value', `${quote(key)} has no value`, 'remove the field or give it a value');
        continue;
      }
      fields.set(key, { node: value, path });
    }
    for (const key of required) {
      if (!fields.has(key) && !(node as YAMLMap).items.some((p) => isScalar(p.key) && p.key.value === key)) {
        this.error(at, 'missing-field', `missing required field ${quote(key)}`);
      }
    }
    return fields;
  }

  public sequence(at: Located): Located[] | undefined {
    if (!isSeq(at.node)) {
      this.error(at, 'wrong-type', `expected a list, found ${describe(at.node)}`, 'write a YAML list: "- item" lines or [a, b]');
      return undefined;
    }
    const items: Located[] = [];
    (at.node as YAMLSeq).items.forEach((item, i) => {
      const path = `${at.path}[${i}]`;
      const node = this.resolve(item as Node | null, path);
      if (this.stopped) return;
      if (node === undefined) {
        this.error({ node: at.node, path }, 'missing-value', 'empty list item');
        return;
      }
      items.push({ node, path });
    });
    return items;
  }

  /** A string scalar; numbers and booleans are refused, as YAML would silently convert them. */
  public string(at: Located): string | undefined {
    const node = at.node;
    if (!isScalar(node)) {
      this.error(at, 'wrong-type', `expected a string, found ${describe(node)}`);
      return undefined;
    }
    const value = (node as Scalar).value;
    if (typeof value !== 'string') {
      const source = this.source(node);
      if (typeof value === 'object' && value !== null) {
        this.error(at, 'wrong-type', `expected a string, found ${describe(node)}`, 'remove the tag and write the value as a quoted string');
      } else {
        this.error(at, 'wrong-type', `expected a string, found ${describe(node)} ${clip(source)}`, `quote it: ${JSON.stringify(source).length <= 100 ? JSON.stringify(source) : '"…"'}`);
      }
      return undefined;
    }
    return value;
  }

  /** A string that must pass one of lib/calico's checks; undefined, with a finding, when it does not. */
  public checkedString(at: Located, code: string, check: (value: string) => Problem | undefined): string | undefined {
    const value = this.string(at);
    if (value === undefined) return undefined;
    const problem = check(value);
    if (problem) {
      this.problem(at, code, problem);
      return undefined;
    }
    return value;
  }

  /** `true` or `false`. */
  public boolean(at: Located): boolean | undefined {
    const node = at.node;
    if (isScalar(node) && typeof (node as Scalar).value === 'boolean') return (node as Scalar).value as boolean;
    this.error(at, 'wrong-type', `expected true or false, found ${describe(node)}`, 'write true or false, without quotes');
    return undefined;
  }

  /** An integer written in plain decimal (no `0755`, `0x10`, `1e3` or `9091.0`). */
  public integer(at: Located): number | undefined {
    const node = at.node;
    if (isScalar(node) && typeof (node as Scalar).value === 'number') {
      const source = this.source(node);
      if (/^[1-9][0-9]*$|^0$/.test(source)) return Number(source);
      this.error(at, 'wrong-type', `expected a plain decimal integer, found ${clip(source)}`, 'write the number in decimal without leading zeros, exponent or fraction');
      return undefined;
    }
    if (isScalar(node) && typeof (node as Scalar).value === 'string' && /^[0-9]+$/.test(String((node as Scalar).value))) {
      this.error(at, 'wrong-type', `expected an integer, found the string ${quote(String((node as Scalar).value))}`, 'remove the quotes');
      return undefined;
    }
    this.error(at, 'wrong-type', `expected an integer, found ${describe(node)}`);
    return undefined;
  }

  /** A mapping of label keys to string values. */
  public stringMap(at: Located): Map<string, Located> | undefined {
    if (!isMap(at.node)) {
      this.error(at, 'wrong-type', `expected a mapping, found ${describe(at.node)}`);
      return undefined;
    }
    const fields = new Map<string, Located>();
    for (const pair of (at.node as YAMLMap).items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string') {
        this.error({ node: keyNode ?? at.node, path: at.path }, 'wrong-type', `keys must be strings, found ${describe(keyNode ?? undefined)}`, 'quote the key');
        continue;
      }
      const path = joinPath(at.path, key);
      const value = this.resolve(pair.value as Node | null, path);
      if (this.stopped) return undefined;
      if (value === undefined) {
        this.error({ node: keyNode as Node, path }, 'missing-value', `${quote(key)} has no value`, 'label values are strings; write "" for an empty value');
        continue;
      }
      fields.set(key, { node: value, path });
    }
    return fields;
  }

  private source(node: Node): string {
    const range = node.range;
    return range ? this.text.slice(range[0], range[1]).trim() : String((node as Scalar).value);
  }
}

/** Text for a message (YAML source as written, yaml's own messages), cut to a readable length. */
export function clip(text: string, max = 100, kept = 60): string {
  return text.length <= max ? text : `${text.slice(0, kept)}… (${text.length} characters)`;
}

function joinPath(base: string, key: string): string {
  if (base === '') return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `[${quote(key)}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${base}.${key}` : `${base}[${quote(key)}]`;
}

function describe(node: Node | undefined): string {
  if (node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = (node as Scalar).value;
    if (v === null) return 'null';
    if (typeof v === 'object') return `a value tagged ${(node as Scalar).tag ?? 'with a YAML tag'}`;
    if (typeof v === 'boolean') return 'the boolean';
    if (typeof v === 'number') return 'the number';
    return 'a string';
  }
  return 'an unsupported node';
}

/** The known name closest to a typo, if it is close enough to be a likely typo. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10) return Infinity;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
