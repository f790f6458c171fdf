/**
 * Who gains or loses access between two revisions of dist/: the access matrices of the
 * clusters' ACCESS.md compared cell by cell, as Markdown for a pull request comment.
 *
 * ACCESS.md is calico-shield's own report (lib/verify/report.ts); its "Access matrix" table has
 * a row per protected server (server, port, where it runs, then one cell per client class), and
 * each cell starts with its verdict: ✅ allowed, ⚠️ allowed only through a failsafe port,
 * ◐ allowed for some representatives, ⛔ denied, — nothing to probe.
 */
import { SYMBOLS, tableCells } from '../verify/report';

/** One cell: the verdict symbol and the rest of the cell (what decided it). */
export interface AccessCell {
  readonly verdict: string;
  readonly text: string;
}

/** A matrix: cells by `server (port)` and client class. */
export type AccessMatrixCells = ReadonlyMap<string, ReadonlyMap<string, AccessCell>>;

// The symbols lib/verify/report.ts writes; open: some connection gets through.
const VERDICTS = Object.values(SYMBOLS);
const OPEN = new Set([SYMBOLS.allowed, SYMBOLS.failsafe, SYMBOLS.mixed]);

/** The matrix of an ACCESS.md; an empty map when it has none (an old or foreign file). */
export function parseAccessMatrix(markdown: string): AccessMatrixCells {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === '## Access matrix');
  const rows = new Map<string, Map<string, AccessCell>>();
  if (start < 0) return rows;
  let i = start + 1;
  while (i < lines.length && lines[i].trim() === '') i++;
  const table: string[] = [];
  for (; i < lines.length && lines[i].startsWith('|'); i++) table.push(lines[i]);
  const [header, , ...body] = table.map(tableCells);
  if (!header || header.length < 4) return rows;
  const classes = header.slice(3);
  for (const cells of body) {
    if (cells.length !== header.length) continue;
    const server = `${cells[0]} (${cells[1]})`;
    const row = new Map<string, AccessCell>();
    classes.forEach((c, i) => {
      const cell = cells[i + 3];
      const verdict = VERDICTS.find((v) => cell.startsWith(v)) ?? '';
      row.set(c, { verdict, text: cell.slice(verdict.length).trim() });
    });
    rows.set(server, row);
  }
  return rows;
}


/** What changed for one cluster. */
export interface ClusterAccessChange {
  readonly cluster: string;
  /** `added` or `removed` for a whole cluster; `changed` otherwise. */
  readonly kind: 'added' | 'removed' | 'changed';
  readonly rows: readonly AccessChangeRow[];
}

export interface AccessChangeRow {
  readonly server: string;
  readonly client: string;
  readonly before?: AccessCell;
  readonly after?: AccessCell;
  /**
   * gains: from closed (or absent) to open; loses: the other way; changes: decided by something
   * else; unprotected: the server left the matrix (calico-shield no longer protects it: who
   * reaches it is up to the rest of the cluster's policy).
   */
  readonly change: 'gains' | 'loses' | 'changes' | 'unprotected';
}

/** The changes between the matrices of each cluster, before and after (undefined: no ACCESS.md). */
export function accessChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ClusterAccessChange[] {
  const clusters = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: ClusterAccessChange[] = [];
  for (const cluster of clusters) {
    const a = before.get(cluster);
    const b = after.get(cluster);
    if (a === b) continue;
    const old = parseAccessMatrix(a ?? '');
    const now = parseAccessMatrix(b ?? '');
    const rows: AccessChangeRow[] = [];
    for (const server of [...new Set([...old.keys(), ...now.keys()])].sort()) {
      const oldRow = old.get(server);
      const newRow = now.get(server);
      if (oldRow && !newRow) {
        rows.push({ server, client: '(every class)', change: 'unprotected' });
        continue;
      }
      for (const client of [...new Set([...(oldRow?.keys() ?? []), ...(newRow?.keys() ?? [])])]) {
        const x = oldRow?.get(client);
        const y = newRow?.get(client);
        if (x?.verdict === y?.verdict && x?.text === y?.text) continue;
        const wasOpen = x !== undefined && OPEN.has(x.verdict);
        const isOpen = y !== undefined && OPEN.has(y.verdict);
        rows.push({ server, client, ...(x ? { before: x } : {}), ...(y ? { after: y } : {}), change: !wasOpen && isOpen ? 'gains' : wasOpen && !isOpen ? 'loses' : 'changes' });
      }
    }
    const kind = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
    if (rows.length > 0 || kind !== 'changed') changes.push({ cluster, kind, rows });
  }
  return changes;
}

/** The changes as Markdown for a pull request comment. */
export function accessChangesMarkdown(changes: readonly ClusterAccessChange[], base: string): string {
  const out = [`## calico-shield: who gains or loses access (against \`${escapeCell(base)}\`)`, ''];
  if (changes.length === 0) {
    out.push('No change in who reaches the protected servers of any cluster.', '');
    return out.join('\n');
  }
  const counts = (kind: AccessChangeRow['change']): number => changes.reduce((n, c) => n + c.rows.filter((r) => r.change === kind).length, 0);
  out.push(`${counts('gains')} gained, ${counts('loses')} lost, ${counts('changes')} decided differently, ${counts('unprotected')} server${counts('unprotected') === 1 ? '' : 's'} no longer protected, in ${changes.length} cluster${changes.length === 1 ? '' : 's'}.`, '');
  for (const c of changes) {
    const what = c.kind === 'added' ? ' (new cluster)' : c.kind === 'removed' ? ' (cluster removed)' : '';
    out.push(`### \`${escapeCell(c.cluster)}\`${what}`, '');
    if (c.rows.length === 0) {
      out.push('No protected server.', '');
      continue;
    }
    out.push('| | Server | Client class | Before | After |', '| --- | --- | --- | --- | --- |');
    for (const r of c.rows) {
      const mark = { gains: '🔓 gains', loses: '🔒 loses', changes: '↔ changes', unprotected: '⚠️ unprotected' }[r.change];
      const after = r.change === 'unprotected' ? 'no longer protected by calico-shield' : cellText(r.after);
      out.push(`| ${mark} | ${escapeCell(r.server)} | ${escapeCell(r.client)} | ${r.change === 'unprotected' ? 'protected' : cellText(r.before)} | ${after} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function cellText(cell: AccessCell | undefined): string {
  return cell === undefined ? '(none)' : escapeCell(`${cell.verdict} ${cell.text}`.trim());
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
