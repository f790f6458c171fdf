import type { Position, Positions } from './types';

/** Where each line of `text` starts: 0, then one past each line break. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The 0-based line of an offset, by the line starts of its text (lineStarts). */
export function lineIndex(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Line and column of an offset in a spec's text, from the text itself. (yaml's LineCounter
 * learns line breaks from the tokens it accepts, so after a rejected multi-line token it
 * reports later positions a line too high.)
 */
export class TextLines {
  /** Where each line starts (lineStarts). */
  public readonly starts: readonly number[];

  public constructor(private readonly text: string) {
    this.starts = lineStarts(text);
  }

  /** The line starts of `text` (for the line reader): these when it is this text, else found again. */
  public startsOf(text: string): readonly number[] {
    return text === this.text ? this.starts : lineStarts(text);
  }

  /** 1-based line and column (in UTF-16 code units, as editors count them). */
  public linePos(offset: number): { line: number; col: number } {
    const line = lineIndex(this.starts, offset);
    return { line: line + 1, col: offset - this.starts[line] + 1 };
  }
}

/**
 * Fields' offsets by path; line and column computed only for the fields a finding names.
 *
 * The fields of one list's items (the fast reader's `spec.nodes`: nine in ten of a large
 * spec's fields, which a valid spec's later findings seldom name) may be left out while
 * reading, and recorded item by item when a field of the item is first asked for, or all at
 * once for a listing: `defer` gives the readings that record them.
 */
export class OffsetPositions implements Positions {
  private offsets = new Map<string, number>();
  private deferred: (DeferredItems & { readonly loaded: Set<number> }) | undefined;
  /** `<list>[`, the start of every field `set` leaves out; undefined: none. */
  private readonly itemsOf: string | undefined;

  /** @param unrecorded the list (`spec.nodes`) whose items' fields `set` leaves to `defer` */
  public constructor(
    private readonly lines: TextLines,
    private readonly unrecorded?: string,
  ) {
    this.itemsOf = unrecorded === undefined ? undefined : `${unrecorded}[`;
  }

  public set(path: string, offset: number): void {
    if (this.itemsOf === undefined || !path.startsWith(this.itemsOf)) this.offsets.set(path, offset);
  }

  /** The readings that record the fields `set` left out (the constructor's `unrecorded`). */
  public defer(items: DeferredItems): void {
    if (this.unrecorded === undefined) throw new Error('internal error: positions deferred for no list');
    this.deferred = { ...items, loaded: new Set() };
  }

  private complete(path?: string): void {
    const deferred = this.deferred;
    if (deferred === undefined || this.unrecorded === undefined || this.itemsOf === undefined) return;
    if (path === undefined) {
      this.deferred = undefined;
      this.offsets = deferred.all().offsets;
      return;
    }
    if (!path.startsWith(this.itemsOf)) return;
    const index = /^\[(\d+)\]/.exec(path.slice(this.unrecorded.length));
    if (index === null) return;
    const i = Number(index[1]);
    if (deferred.loaded.has(i)) return;
    deferred.loaded.add(i);
    for (const [field, offset] of deferred.item(i).offsets) this.offsets.set(field, offset);
  }

  public get(path: string): Position | undefined {
    this.complete(path);
    const offset = this.offsets.get(path);
    return offset === undefined ? undefined : this.lines.linePos(offset);
  }

  public has(path: string): boolean {
    this.complete(path);
    return this.offsets.has(path);
  }

  public *[Symbol.iterator](): Iterator<[string, Position]> {
    this.complete();
    for (const [path, offset] of this.offsets) yield [path, this.lines.linePos(offset)];
  }
}

/** The readings that record the fields of a list's items, left out of the first. */
export interface DeferredItems {
  /** Item `index`'s fields (none past the end of the list), the item's own position included. */
  readonly item: (index: number) => OffsetPositions;
  /** Every field of the spec, in the order the reader meets them. */
  readonly all: () => OffsetPositions;
}

/** Deepest nesting of flow collections calico-shield reads; yaml's parser recurses per level. */
export const MAX_FLOW_DEPTH = 100;

/**
 * Offset where flow collections (`[`, `{`) nest deeper than MAX_FLOW_DEPTH, or undefined.
 * Quoted scalars and comments are skipped; a spec needs a handful of levels.
 */
export function tooDeep(text: string): number | undefined {
  let depth = 0;
  // By code unit (a megabyte for 5,000 nodes): `"` 0x22, `'` 0x27, `\` 0x5c, `#` 0x23, `[` 0x5b, `{` 0x7b, `]` 0x5d, `}` 0x7d.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      // Skip the quoted scalar; in double quotes a backslash escapes the next character.
      for (i++; i < text.length && text.charCodeAt(i) !== c; i++) if (c === 0x22 && text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x23 && (i === 0 || /\s/.test(text[i - 1] as string))) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}
