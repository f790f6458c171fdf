/**
 * A YAML emitter for the JSON-shaped objects calico-shield writes (maps, lists, strings,
 * integers), byte-identical to {@link yamlText} — `yaml`'s stringify with the options in
 * OPTIONS and every string that a YAML 1.1, YAML 1.2 or Go reader would resolve to something
 * else double-quoted (lib/gitops/scalars.ts).
 *
 * Serialising 20,000 host endpoints through yaml's Document model is the largest single cost
 * of a large synth; these objects need none of it. Strings are written plain only when they
 * match a conservative pattern that yaml writes plain too (test/gitops/emit.test.ts checks
 * both on random strings); anything else — and any value of another shape — makes emitYaml
 * return undefined, and the caller falls back to yamlText.
 */
import { Document, stringify, visit, type ToStringOptions } from 'yaml';
import { memoize } from '../calico/strings';
import { needsQuotes } from './scalars';

export const OPTIONS = { lineWidth: 0, minContentWidth: 0, indent: 2, indentSeq: true, singleQuote: false } as const;

/** Characters a plain scalar may hold here; it may not start with one of `-?:,[]{}#&*!|>'"%@` or a space. */
const PLAIN = /^[A-Za-z0-9_/(][A-Za-z0-9 _./@=,:()|&!"'{}+~<>-]*$/;

/**
 * Whether a string may be written plain, remembered per string: the same keys, kinds, labels
 * and annotations come back in every object (10,000 host endpoints write the same dozen keys).
 */
const plainChecked = memoize(
  (s: string): boolean => PLAIN.test(s) && !needsQuotes(s) && !s.endsWith(' ') && !s.endsWith(':') && !s.includes(': ') && !s.includes('#'),
  1 << 16,
);

/**
 * Strings plain for certain, without the checks: a letter other than `e` and `E`, then letters,
 * digits, `.`, `-` and `/`, six characters or more (the names of objects and nodes, each of them
 * once: 20,000 of them would only fill the memo). PLAIN takes every such string; needsQuotes's
 * words have five characters at most, its numbers and timestamps start with a digit, a sign or
 * a dot, or are an exponent (`e5`); and none has a space, `:` or `#`. test/gitops/emit.test.ts
 * checks random strings of this form against yamlText.
 */
const SURELY_PLAIN = /^[A-DF-Za-df-z][A-Za-z0-9./-]{5,}$/;
/**
 * Dotted quads, plain for certain too (the addresses of host endpoints, each written once):
 * PLAIN takes them, and needsQuotes's numbers have at most one dot, its timestamps a `-`.
 */
const SURELY_PLAIN_IPV4 = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;

function plain(s: string): boolean {
  return SURELY_PLAIN.test(s) || SURELY_PLAIN_IPV4.test(s) || plainChecked(s);
}

/**
 * The YAML text of any JSON-shaped value: `yaml`'s stringify with OPTIONS, except that every
 * string (key or value) some reader of dist/ would not read back as itself is double-quoted.
 */
export function yamlText(value: unknown, options: ToStringOptions = OPTIONS): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && needsQuotes(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString(options);
}

/** A scalar on one line, or undefined when yaml would need more than one. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (plain(value)) return value;
    // Printable ASCII without '"' or '\\' reads the same between double quotes in any YAML.
    if (needsQuotes(value)) return /^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value) ? `"${value}"` : undefined;
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

/** The YAML text of a mapping: emitYaml's, or `yaml`'s when emitYaml declines. */
export function mappingYaml(value: Record<string, unknown>): string {
  return emitYaml(value) ?? yamlText(value);
}
