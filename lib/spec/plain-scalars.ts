/**
 * What the spec's fast readers (lib/spec/simple-yaml.ts, lib/spec/fast-yaml.ts) make of a
 * plain scalar: the positioned reader resolves plain scalars by the YAML 1.2 core schema (as
 * lib/spec/parse.ts reads), so the tests are taken from the yaml library's own core schema and
 * all three readers agree on which scalars are strings.
 */
import { Schema } from 'yaml';

const CORE_TAGS = new Schema({ schema: 'core' }).tags.flatMap((t) => ('test' in t && t.test instanceof RegExp ? [{ tag: t.tag, test: t.test }] : []));

/** The core schema's tests of every plain scalar that is not a string. */
export const NON_STRING: readonly RegExp[] = CORE_TAGS.map((t) => t.test);

/**
 * The same tests as one expression: each is anchored at both ends and has no flags (checked
 * here), so their alternation matches exactly the scalars one of them matches, in one match
 * instead of up to eight (a 5,000-node spec has 10,000 IPv4 addresses to tell from numbers).
 */
const ANY_NON_STRING = ((): RegExp => {
  if (NON_STRING.some((t) => t.flags !== '' || !t.source.startsWith('^') || !t.source.endsWith('$'))) {
    throw new Error("internal error: the yaml library's core schema has a test with flags or without anchors");
  }
  return new RegExp(NON_STRING.map((t) => `(?:${t.source})`).join('|'));
})();

/** Whether the core schema reads the plain scalar `source` as something other than a string. */
export function isNonString(source: string): boolean {
  return ANY_NON_STRING.test(source);
}

const coreTest = (tag: string): RegExp => {
  const found = CORE_TAGS.find((t) => t.tag === tag);
  if (!found) throw new Error(`the yaml library's core schema has no ${tag}`);
  return found.test;
};
const NULL = coreTest('tag:yaml.org,2002:null');
const BOOLEAN = coreTest('tag:yaml.org,2002:bool');
/** The only numbers the spec accepts (SpecReader.integer): anything else is a finding, so it takes the positioned path. */
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * The null, boolean or decimal integer a plain scalar of the core schema's non-strings stands
 * for; undefined for any other number (octal, hexadecimal, signed, float), which the fast
 * readers leave to the positioned reader.
 */
export function plainValue(source: string): null | boolean | number | undefined {
  if (NULL.test(source)) return null;
  if (BOOLEAN.test(source)) return source.toLowerCase() === 'true';
  if (DECIMAL.test(source)) return Number(source);
  return undefined;
}
