/**
 * The SpecNode trees both readers build (lib/spec/nodes.ts): the positioned reader's
 * conversion keeps every node of the yaml library's (the alias budget counts them), and the
 * fast reader's tree reads back as the yaml library reads the text (cdk8s synth's props).
 */
import * as fs from 'fs';
import { parse, parseDocument } from 'yaml';
import { fastRoot } from '../../lib/spec/fast-yaml';
import { fromYamlNode, nodeValue } from '../../lib/spec/nodes';
import { EXAMPLES, readSpec } from '../support/paths';

const examples = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();

describe('SpecNode trees', () => {
  it.each(examples)('of clusters/%s read back as the yaml library reads the text', (file) => {
    const text = readSpec(`clusters/${file}`);
    const root = fastRoot(text);
    expect(root).toBeDefined();
    expect(nodeValue(root ?? null)).toEqual(parse(text));
  });

  it('keep a key named __proto__ as a field, as the yaml library does', () => {
    const text = 'spec:\n  __proto__: {polluted: yes}\n  other: 1\n';
    const value = nodeValue(fastRoot(text) ?? null) as { spec: Record<string, unknown> };
    expect(Object.keys(value.spec)).toEqual(['__proto__', 'other']);
    expect(Object.getPrototypeOf(value.spec)).toBe(Object.prototype);
    expect(value).toEqual(parse(text));
  });

  it('count every node of the document, keys and aliases included, and keep aliases unexpanded', () => {
    const doc = parseDocument('a: &x [1, 2]\nb: *x\n? [k]\n: v\n');
    const converted = fromYamlNode(doc.contents);
    // Mapping, 3 keys (one a list of one item), the list of two, the alias, the value v.
    expect(converted.nodes).toBe(1 + 3 + 1 + 3 + 1 + 1);
    const root = converted.root;
    expect(root?.kind).toBe('map');
    if (root?.kind !== 'map') return;
    expect(root.items[0].value).toMatchObject({ kind: 'seq', anchor: 'x', start: 6 });
    expect(root.items[1].value).toEqual({ kind: 'alias', start: 16, source: 'x' });
  });
});
