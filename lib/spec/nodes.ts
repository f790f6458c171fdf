/**
 * The spec reader's view of a YAML text: plain objects with the offset where each node's text
 * starts. Both readers hand the SpecReader this tree: the positioned reader converts the yaml
 * library's Document node for node (aliases stay aliases, resolved as they are read, so the
 * alias budget bounds them), and the fast reader (lib/spec/fast-yaml.ts) builds it straight
 * from the text (its line reader, lib/spec/simple-yaml.ts) or from js-yaml's values. Plain objects of a few fixed shapes are cheap to build and to read:
 * the yaml library's own node classes cost a fifth of a 5,000-node synth when built for the
 * fast reader.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, Node } from 'yaml';

export interface ScalarNode {
  readonly kind: 'scalar';
  /** Offset of the node's first character. */
  readonly start: number;
  /** Offset past the value's text (the positioned reader), or `start` where the text is not needed. */
  readonly end: number;
  /**
   * A string, number, boolean or null; an object for a value of another YAML tag; in the line
   * reader's tree, the UnreadItems of a list it left unread (lib/spec/simple-yaml.ts), which
   * only readNodes reads (any other reader finds a value of the wrong type, and the positioned
   * reader reads the spec again).
   */
  readonly value: unknown;
  readonly tag?: string;
  readonly anchor?: string;
}

export interface MapNode {
  readonly kind: 'map';
  readonly start: number;
  readonly items: readonly PairNode[];
  readonly anchor?: string;
}

export interface PairNode {
  /** Null for `: value`, a key the text leaves out. */
  readonly key: SpecNode | null;
  readonly value: SpecNode | null;
}

export interface SeqNode {
  readonly kind: 'seq';
  readonly start: number;
  readonly items: readonly (SpecNode | null)[];
  readonly anchor?: string;
}

export interface AliasNode {
  readonly kind: 'alias';
  readonly start: number;
  /** The anchor's name. */
  readonly source: string;
}

/**
 * A key-value pair standing in a list, as the yaml library makes `!!omap` and `!!pairs`: no
 * node the spec accepts anywhere (`an unsupported node`, at the start of the text, where the
 * yaml library gives it no range), but its key and value hold nodes, anchors among them.
 */
export interface PairItemNode {
  readonly kind: 'pair';
  readonly start: number;
  readonly key: SpecNode | null;
  readonly value: SpecNode | null;
}

export type SpecNode = ScalarNode | MapNode | SeqNode | AliasNode | PairItemNode;

/** A converted Document: its root and how many nodes the text itself holds (keys included, aliases not expanded). */
export interface ConvertedDocument {
  readonly root: SpecNode | null;
  readonly nodes: number;
}

/** The yaml library's node tree as SpecNodes, one for each of its nodes. */
export function fromYamlNode(node: Node | null | undefined): ConvertedDocument {
  let nodes = 0;
  const convert = (n: unknown): SpecNode | null => {
    if (n === null || n === undefined) return null;
    // Not a node: the yaml library's visit, which counted the nodes before, counts only what is inside.
    if (isPair(n)) return { kind: 'pair', start: 0, key: convert(n.key), value: convert(n.value) };
    nodes++;
    const item = n as Node;
    const start = item.range ? item.range[0] : 0;
    const anchor = !isAlias(item) && item.anchor ? { anchor: item.anchor } : {};
    if (isAlias(item)) return { kind: 'alias', start, source: item.source };
    if (isMap(item)) return { kind: 'map', start, items: item.items.map((p) => ({ key: convert(p.key), value: convert(p.value) })), ...anchor };
    if (isSeq(item)) return { kind: 'seq', start, items: item.items.map((i) => convert(i)), ...anchor };
    if (isScalar(item)) return { kind: 'scalar', start, end: item.range ? item.range[1] : start, value: item.value, ...(item.tag !== undefined ? { tag: item.tag } : {}), ...anchor };
    throw new Error('internal error: a YAML node that is neither a mapping, a list, a scalar nor an alias');
  };
  const root = convert(node);
  return { root, nodes };
}

/** The plain value of a tree without aliases (the fast reader's): mappings as objects, lists as arrays. */
export function nodeValue(node: SpecNode | null): unknown {
  if (node === null) return null;
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(nodeValue);
    case 'map': {
      const value: Record<string, unknown> = {};
      // Defined, not assigned: a key `__proto__` is a field like any other.
      for (const pair of node.items) Object.defineProperty(value, String(nodeValue(pair.key)), { value: nodeValue(pair.value), enumerable: true, writable: true, configurable: true });
      return value;
    }
    case 'alias':
    case 'pair':
      throw new Error(`internal error: nodeValue of a tree with ${node.kind === 'alias' ? 'aliases' : 'pairs in a list'}`);
  }
}
