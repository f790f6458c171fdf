/**
 * Findings about a user's input: data, never exceptions.
 *
 * Every stage returns them; only the edge (lib/cli.ts) prints them, once, without a stack.
 */
import { compareText } from '../calico/strings';

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

/**
 * Stable order: by file, line, column, code, message, text by code unit (compareText): never by
 * locale, whose first call also loads ICU's data, tens of milliseconds.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      compareText(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

/** `file:line:col: error[code] field: message` plus an indented hint line. */
export function formatFinding(f: Finding): string {
  const where = [f.file, f.line, f.col].filter((p) => p !== undefined).join(':');
  const head = `${where ? `${where}: ` : ''}${f.severity}[${f.code}]${f.field ? ` ${f.field}:` : ''} ${f.message}`;
  return f.hint ? `${head}\n  hint: ${f.hint}` : head;
}

/** How findings are printed: `text` for people, `json` and `github` for CI. */
export type FindingsFormat = 'text' | 'json' | 'github';
export const FINDINGS_FORMATS: readonly FindingsFormat[] = ['text', 'json', 'github'];

/**
 * Findings as one JSON document: `{"findings": [...]}`, each with severity, code, message and,
 * when known, hint, file, line, col and field. Ends with a newline.
 */
export function findingsJson(findings: readonly Finding[]): string {
  return `${JSON.stringify({ findings: findings.map((f) => ({ severity: f.severity, code: f.code, message: f.message, ...pick(f) })) }, null, 2)}\n`;
}

function pick(f: Finding): Partial<Finding> {
  return {
    ...(f.hint !== undefined ? { hint: f.hint } : {}),
    ...(f.file !== undefined ? { file: f.file } : {}),
    ...(f.line !== undefined ? { line: f.line } : {}),
    ...(f.col !== undefined ? { col: f.col } : {}),
    ...(f.field !== undefined ? { field: f.field } : {}),
  };
}

/**
 * Findings as GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`),
 * one line each, so a workflow run annotates the spec lines in the pull request. Values are
 * escaped as the runner expects: %, CR and LF everywhere, and : and , in properties.
 */
export function findingsGithub(findings: readonly Finding[]): string {
  const data = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (s: string): string => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return findings
    .map((f) => {
      const props = [
        ...(f.file !== undefined ? [`file=${property(f.file)}`] : []),
        ...(f.line !== undefined ? [`line=${f.line}`] : []),
        ...(f.col !== undefined ? [`col=${f.col}`] : []),
        `title=${property(`calico-shield ${f.code}${f.field ? ` at ${f.field}` : ''}`)}`,
      ];
      return `::${f.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${data(f.hint ? `${f.message}\nhint: ${f.hint}` : f.message)}\n`;
    })
    .join('');
}
