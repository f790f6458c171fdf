/**
 * A YAML emitter for the JSON-shaped objects calico-shield writes (maps, lists, strings,
 * integers), byte-identical to `yaml`'s stringify with the options in OPTIONS.
 *
 * Serialising 20,000 host endpoints through yaml's Document model is the largest single cost
 * of a large synth; these objects need none of it. Strings are written plain only when they
 * match a conservative pattern that yaml writes plain too (test/gitops/emit.test.ts checks
 * both on random strings); anything else — and any value of another shape — makes emitYaml
 * return undefined, and the caller falls back to yaml itself.
 */
import { stringify } from 'yaml';

export const OPTIONS = { lineWidth: 0, minContentWidth: 0, indent: 2, indentSeq: true, singleQuote: false } as const;

/** Characters a plain scalar may hold here; it may not start with one of `-?:,[]{}#&*!|>'"%@` or a space. */
const PLAIN = /^[A-Za-z0-9_/(][A-Za-z0-9 _./@=,:()|&!"'{}+~<>-]*$/;
/** What YAML 1.2's core schema would read as a number, boolean or null. */
const CORE_SCALAR = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$/;

function plain(s: string): boolean {
  return PLAIN.test(s) && !CORE_SCALAR.test(s) && !s.endsWith(' ') && !s.endsWith(':') && !s.includes(': ') && !s.includes('#');
}

/** A scalar on one line, or undefined when yaml would need more than one. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (plain(value)) return value;
    const text = stringify(value, OPTIONS);
    const body = text.slice(0, -1);
    return body.includes('\n') ? undefined : body;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function emitMap(map: Record<string, unknown>, pad: string, firstPad: string, out: string[]): boolean {
  let first = true;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    if (!plain(key)) return false;
    const lead = first ? firstPad : pad;
    first = false;
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(`${lead}${key}: []\n`);
      else {
        out.push(`${lead}${key}:\n`);
        if (!emitSeq(value, `${pad}  `, out)) return false;
      }
    } else if (isMap(value)) {
      if (Object.keys(value).length === 0) out.push(`${lead}${key}: {}\n`);
      else {
        out.push(`${lead}${key}:\n`);
        if (!emitMap(value, `${pad}  `, `${pad}  `, out)) return false;
      }
    } else {
      const s = scalar(value);
      if (s === undefined) return false;
      out.push(`${lead}${key}: ${s}\n`);
    }
  }
  return !first;
}

function emitSeq(list: readonly unknown[], pad: string, out: string[]): boolean {
  for (const item of list) {
    if (isMap(item) && Object.keys(item).length > 0) {
      if (!emitMap(item, `${pad}  `, `${pad}- `, out)) return false;
    } else if (Array.isArray(item) || isMap(item)) {
      return false;
    } else {
      const s = scalar(item);
      if (s === undefined) return false;
      out.push(`${pad}- ${s}\n`);
    }
  }
  return true;
}

/** The YAML text of one object, or undefined when it holds something only yaml should write. */
export function emitYaml(value: Record<string, unknown>): string | undefined {
  const out: string[] = [];
  return emitMap(value, '', '', out) ? out.join('') : undefined;
}
