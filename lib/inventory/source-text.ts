/**
 * A spec's text as lines, and edits spliced into it, so every byte calico-shield does not
 * change stays as the user wrote it: comments, blank lines, quoting, indentation, flow lists.
 *
 * The yaml Document API finds the values; this module only knows lines and offsets.
 */

import { lineIndex, lineStarts } from '../spec/lines';

/** Replace `text[start, end)` by `text`; an insertion has start === end. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export class SourceText {
  /** The file's line break: CRLF when the user's file uses it, else LF. */
  public readonly eol: string;
  private readonly starts: readonly number[];

  public constructor(public readonly text: string) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    this.starts = lineStarts(text);
  }

  public get lineCount(): number {
    return this.starts.length;
  }

  /** 0-based line of an offset. */
  public lineOf(offset: number): number {
    return lineIndex(this.starts, offset);
  }

  /** 0-based column of an offset. */
  public columnOf(offset: number): number {
    return offset - this.starts[this.lineOf(offset)];
  }

  /** Offset of a line's first character; the end of the text for the line after the last. */
  public lineStart(line: number): number {
    return line < this.starts.length ? this.starts[line] : this.text.length;
  }

  public isBlank(line: number): boolean {
    return this.content(line).trim() === '';
  }

  public isComment(line: number): boolean {
    return this.content(line).trimStart().startsWith('#');
  }

  /** Leading spaces (YAML indents with spaces only). */
  public indent(line: number): number {
    const content = this.content(line);
    return content.length - content.replace(/^ +/, '').length;
  }

  /**
   * The last line of the block entry that starts on `line` with its indicator (`-` of a list
   * item, or a mapping key) at column `col`.
   *
   * Lines indented deeper belong to the entry, comments included; so does a list written at the
   * key's own indentation under a mapping key (`nodes:` then `- name: ...` in the same column).
   * Blank lines and shallower comments count only when more of the entry follows them.
   */
  public entryEnd(line: number, col: number, kind: 'item' | 'pair'): number {
    let last = line;
    for (let l = line + 1; l < this.lineCount; l++) {
      if (this.isBlank(l)) continue;
      const indent = this.indent(l);
      if (indent > col) last = l;
      else if (this.isComment(l)) continue;
      else if (kind === 'pair' && indent === col && /^-(\s|$)/.test(this.content(l).slice(col))) last = l;
      else break;
    }
    return last;
  }

  /** The first of the comment lines right above `line` (no blank line between), `floor` at the highest. */
  public leadStart(line: number, floor: number): number {
    let l = line;
    while (l - 1 >= floor && this.isComment(l - 1)) l--;
    return l;
  }

  /** The line without its line break. */
  private content(line: number): string {
    const start = this.lineStart(line);
    let end = this.lineStart(line + 1);
    if (end > start && this.text[end - 1] === '\n') end--;
    if (end > start && this.text[end - 1] === '\r') end--;
    return this.text.slice(start, end);
  }
}

/**
 * The text with the edits applied. Edits must not overlap; insertions at one offset keep their
 * order, and come before a deletion that starts there. Overlap is a bug in calico-shield: it throws.
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const ordered = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - a.edit.start - (b.edit.end - b.edit.start) || a.order - b.order)
    .map((e) => e.edit);
  const out: string[] = [];
  let cursor = 0;
  for (const edit of ordered) {
    if (edit.start < cursor || edit.end < edit.start) {
      throw new Error(`applyEdits: edit [${edit.start}, ${edit.end}) overlaps an earlier one (cursor ${cursor})`);
    }
    out.push(text.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
  }
  out.push(text.slice(cursor));
  return out.join('');
}
