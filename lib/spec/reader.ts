/**
 * A positioned reader over a spec's YAML nodes (lib/spec/nodes.ts): every value is read from
 * its node, so every finding names the file, line, column and field.
 *
 * Aliases are followed (so anchors can share an interface list) but every node visit is
 * counted against a budget, which bounds "billion laughs" expansion.
 */
import { AliasNode, ConvertedDocument, ScalarNode, SpecNode } from './nodes';
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
  readonly node: SpecNode;
  readonly path: string;
}

export class SpecReader {
  public readonly findings: Finding[] = [];
  public readonly positions: OffsetPositions;
  /**
   * Reading the fast reader's tree: no aliases and no budget, so resolve() only records the
   * position, and a node read without it loses no finding.
   */
  public readonly aliasFree: boolean;
  private visits = 0;
  /** The alias followed last: where a spent budget is reported. */
  private lastAlias: AliasNode | undefined;
  /** The file's own nodes plus ALIAS_BUDGET. */
  private readonly budget: number;
  private stopped = false;
  /** Anchored nodes by anchor name, in document order: an alias names the last one before it. */
  private readonly anchors = new Map<string, { readonly offset: number; readonly node: SpecNode }[]>();

  /**
   * @param doc the positioned reader's document, converted from the yaml library's; without
   * it, the reader reads the fast reader's tree, which has no aliases (lib/spec/fast-yaml.ts)
   * @param unrecorded the list whose items' fields' positions are not recorded (OffsetPositions)
   */
  public constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly lineCounter: TextLines,
    doc?: ConvertedDocument,
    unrecorded?: string,
  ) {
    this.positions = new OffsetPositions(lineCounter, unrecorded);
    this.aliasFree = doc === undefined;
    if (!doc) {
      this.budget = Infinity;
      return;
    }
    // Following an alias must not walk the whole document each time (a spec of a few
    // thousand aliases would take seconds): the anchors are indexed once.
    const index = (node: SpecNode | null): void => {
      if (node === null || node.kind === 'alias') return;
      if (node.kind !== 'pair' && node.anchor) {
        const list = this.anchors.get(node.anchor) ?? [];
        list.push({ offset: node.start, node });
        this.anchors.set(node.anchor, list);
      }
      if (node.kind === 'map') {
        for (const pair of node.items) {
          index(pair.key);
          index(pair.value);
        }
      } else if (node.kind === 'seq') node.items.forEach(index);
      else if (node.kind === 'pair') {
        index(node.key);
        index(node.value);
      }
    };
    index(doc.root);
    this.budget = doc.nodes + ALIAS_BUDGET;
  }

  private anchored(alias: AliasNode): SpecNode | undefined {
    let found: SpecNode | undefined;
    for (const a of this.anchors.get(alias.source) ?? []) if (a.offset < alias.start) found = a.node;
    return found;
  }

  /** Position of a node's first character. */
  public positionOf(node: SpecNode | undefined): Position {
    const p = this.lineCounter.linePos(node ? node.start : 0);
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
  public resolve(node: SpecNode | null | undefined, path: string): SpecNode | undefined {
    let current: SpecNode | null | undefined = node;
    let alias: AliasNode | undefined;
    while (current && current.kind === 'alias') {
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
    this.positions.set(path, current.start);
    return current;
  }

  /**
   * Reads a mapping whose keys must all be known; reports unknown and missing required
   * keys. Returns the present fields.
   */
  public mapping(at: Located, known: readonly string[], required: readonly string[] = []): Map<string, Located> | undefined {
    const node = at.node;
    if (node.kind !== 'map') {
      this.error(at, 'wrong-type', `expected a mapping, found ${describe(node)}`);
      return undefined;
    }
    const fields = new Map<string, Located>();
    for (const pair of node.items) {
      const keyNode = pair.key;
      const key = keyNode?.kind === 'scalar' ? keyNode.value : undefined;
      if (typeof key !== 'string') {
        this.error({ node: keyNode ?? node, path: at.path }, 'wrong-type', `keys must be strings, found ${describe(keyNode ?? undefined)}`, 'quote the key');
        continue;
      }
      const path = joinPath(at.path, key);
      if (!known.includes(key)) {
        const guess = closest(key, known);
        this.error(
          { node: keyNode as SpecNode, path },
          'unknown-field',
          `unknown field ${quote(key)}`,
          guess ? `did you mean ${JSON.stringify(guess)}?` : `known fields: ${known.join(', ')}`,
        );
        continue;
      }
      const value = this.resolve(pair.value, path);
      if (this.stopped) return undefined;
      // An alias that names no anchor has been reported by resolve().
      if (value === undefined && pair.value?.kind === 'alias') continue;
      if (value === undefined || isNull(value)) {
        this.error({ node: keyNode as SpecNode, path }, 'missing-value', `${quote(key)} has no value`, 'remove the field or give it a value');
        continue;
      }
      fields.set(key, { node: value, path });
    }
    for (const key of required) {
      if (!fields.has(key) && !node.items.some((p) => p.key?.kind === 'scalar' && p.key.value === key)) {
        this.error(at, 'missing-field', `missing required field ${quote(key)}`);
      }
    }
    return fields;
  }

  public sequence(at: Located): Located[] | undefined {
    if (at.node.kind !== 'seq') {
      this.error(at, 'wrong-type', `expected a list, found ${describe(at.node)}`, 'write a YAML list: "- item" lines or [a, b]');
      return undefined;
    }
    const items: Located[] = [];
    at.node.items.forEach((item, i) => {
      const path = `${at.path}[${i}]`;
      const node = this.resolve(item, path);
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
    if (node.kind !== 'scalar') {
      this.error(at, 'wrong-type', `expected a string, found ${describe(node)}`);
      return undefined;
    }
    const value = node.value;
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
    if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
    this.error(at, 'wrong-type', `expected true or false, found ${describe(node)}`, 'write true or false, without quotes');
    return undefined;
  }

  /** An integer written in plain decimal (no `0755`, `0x10`, `1e3` or `9091.0`). */
  public integer(at: Located): number | undefined {
    const node = at.node;
    if (node.kind === 'scalar' && typeof node.value === 'number') {
      const source = this.source(node);
      if (/^[1-9][0-9]*$|^0$/.test(source)) return Number(source);
      this.error(at, 'wrong-type', `expected a plain decimal integer, found ${clip(source)}`, 'write the number in decimal without leading zeros, exponent or fraction');
      return undefined;
    }
    if (node.kind === 'scalar' && typeof node.value === 'string' && /^[0-9]+$/.test(node.value)) {
      this.error(at, 'wrong-type', `expected an integer, found the string ${quote(node.value)}`, 'remove the quotes');
      return undefined;
    }
    this.error(at, 'wrong-type', `expected an integer, found ${describe(node)}`);
    return undefined;
  }

  /** A mapping of label keys to string values. */
  public stringMap(at: Located): Map<string, Located> | undefined {
    if (at.node.kind !== 'map') {
      this.error(at, 'wrong-type', `expected a mapping, found ${describe(at.node)}`);
      return undefined;
    }
    const fields = new Map<string, Located>();
    for (const pair of at.node.items) {
      const keyNode = pair.key;
      const key = keyNode?.kind === 'scalar' ? keyNode.value : undefined;
      if (typeof key !== 'string') {
        this.error({ node: keyNode ?? at.node, path: at.path }, 'wrong-type', `keys must be strings, found ${describe(keyNode ?? undefined)}`, 'quote the key');
        continue;
      }
      const path = joinPath(at.path, key);
      const value = this.resolve(pair.value, path);
      if (this.stopped) return undefined;
      if (value === undefined) {
        this.error({ node: keyNode as SpecNode, path }, 'missing-value', `${quote(key)} has no value`, 'label values are strings; write "" for an empty value');
        continue;
      }
      fields.set(key, { node: value, path });
    }
    return fields;
  }

  private source(node: ScalarNode): string {
    return this.text.slice(node.start, node.end).trim();
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

function describe(node: SpecNode | undefined): string {
  if (node === undefined) return 'nothing';
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.kind === 'scalar') {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'object') return `a value tagged ${node.tag ?? 'with a YAML tag'}`;
    if (typeof v === 'boolean') return 'the boolean';
    if (typeof v === 'number') return 'the number';
    return 'a string';
  }
  return 'an unsupported node';
}

/** A scalar whose value is null (`~`, `null`, or nothing at all). */
export function isNull(node: SpecNode): boolean {
  return node.kind === 'scalar' && node.value === null;
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
