/**
 * Findings about a user's input: data, never exceptions.
 *
 * Every stage returns them; only the edge (lib/cli.ts) prints them, once, without a stack.
 */

export type Severity = 'error' | 'warning';

export interface Finding {
  readonly severity: Severity;
  /** Stable machine-readable code, e.g. `unknown-field`, `bad-ip`, `exposed-port`. */
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly file?: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly col?: number;
  /** The field, e.g. `spec.nodes[1].interfaces[0].expectedIPs[0]`. */
  readonly field?: string;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Stable order: by file, line, column, code, message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}

/** `file:line:col: error[code] field: message` plus an indented hint line. */
export function formatFinding(f: Finding): string {
  const where = [f.file, f.line, f.col].filter((p) => p !== undefined).join(':');
  const head = `${where ? `${where}: ` : ''}${f.severity}[${f.code}]${f.field ? ` ${f.field}:` : ''} ${f.message}`;
  return f.hint ? `${head}\n  hint: ${f.hint}` : head;
}
