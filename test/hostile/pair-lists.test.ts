/**
 * `!!omap` and `!!pairs`: the yaml library reads them as lists of key-value pairs, which are
 * no YAML nodes. Wherever they stand, the spec reader reports a finding (or reads past them
 * under a field it refuses), never an internal error; anchors inside them still serve aliases.
 */
import { parseDocument, visit, isNode } from 'yaml';
import { parseClusterSpec } from '../../lib/spec/parse';
import { fromYamlNode } from '../../lib/spec/nodes';

const HEAD = 'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: deny-list\n';

function findings(text: string): string[] {
  const result = parseClusterSpec('clusters/c.yaml', 'c', new TextEncoder().encode(text));
  expect(result.spec).toBeUndefined();
  return result.findings.map((f) => `${f.line}:${f.col} ${f.code} ${f.field ?? ''}: ${f.message}`);
}

describe('lists of pairs', () => {
  it('as spec.nodes: the item is an unsupported node', () => {
    expect(findings(`${HEAD}  nodes: !!pairs\n    - a: 1\n`)).toEqual(['1:1 wrong-type spec.nodes[0]: expected a mapping, found an unsupported node']);
  });

  it('under a field the spec does not know: only the unknown field', () => {
    expect(findings(`${HEAD}  bogus: !!omap [{a: 1}]\n  nodes: []\n`)).toEqual(['5:3 unknown-field spec.bogus: unknown field "bogus"']);
  });

  it('as the whole document: a list where the spec is a mapping', () => {
    expect(findings('!!omap [{a: 1}]\n')).toEqual(['1:8 wrong-type : expected a mapping, found a list']);
  });

  it('hold anchors that aliases elsewhere follow', () => {
    const text = `${HEAD}  bogus: !!omap [{a: &x 1}]\n  nodes: [{name: n1, labels: {k: *x}, interfaces: [{name: eth0}]}]\n`;
    expect(findings(text)).toEqual(['5:3 unknown-field spec.bogus: unknown field "bogus"', '5:25 wrong-type spec.nodes[0].labels.k: expected a string, found the number 1']);
  });

  it('count toward the alias budget as the yaml library counts their nodes', () => {
    for (const text of ['!!omap [{a: 1}, {b: [2, 3]}]\n', `${HEAD}  nodes: !!pairs\n    - a: {b: c}\n    - d: &y e\n`, '!!set {a, b}\n']) {
      const doc = parseDocument(text, { version: '1.2', schema: 'core' });
      let own = 0;
      visit(doc, (_key, node) => {
        if (isNode(node)) own++;
      });
      expect(fromYamlNode(doc.contents).nodes).toBe(own);
      expect(own).toBeGreaterThan(2);
    }
  });
});
