/**
 * dist/ depends on what a spec says, never on how it is written down: Argo CD and Flux should
 * see a change only where the cluster changed, and a reviewer a diff that is the change.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { unifiedDiff } from '../../lib/gitops/diff';
import { Lock, sha256, shardCount, shardFolder, shardOf } from '../../lib/gitops/render';
import { LOCK_FILE } from '../../lib/gitops/writer';
import { CLUSTERS, readTree, removeWorkspaces, synth, workspace } from '../support/cli';

/** A cluster with more than one entry in every list whose order a user might change. */
const RICH_SPEC = `apiVersion: calico-shield/v1alpha1
kind: Cluster
metadata:
  name: rich
spec:
  approach: allow-list
  nodes:
    - name: master-a
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1, "fd00::1", 10.0.0.11]
        - name: eth1
          expectedIPs: [192.168.0.1, 192.168.0.11]
    - name: master-b
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.2, "fd00::2"]
    - name: worker-1
      interfaces:
        - name: eth0
          expectedIPs: [10.0.1.1]
        - name: bond0
          expectedIPs: [10.0.2.1, 10.0.3.1]
    - name: worker-2
      interfaces:
        - name: eth0
          expectedIPs: [10.0.1.2]
  metrics:
    allowedNets: [172.16.0.0/24, 172.16.1.0/24, 10.200.0.0/16, "fd00:200::/64"]
    calicoNode: {}
    typha: {}
    kubeControllers: {}
  protectedServers:
    - name: etcd
      protocol: TCP
      port: 2379
      runsOn:
        nodes: [master-a, master-b]
      allowedClients:
        workloads:
          - namespace: backup
            labels: {app: etcd-backup}
          - namespace: monitoring
            labels: {app: etcd-exporter, tier: infra}
        nodes: [master-b, master-a, worker-1]
        nets: [192.0.2.0/24, 198.51.100.0/24, "2001:db8::/64"]
    - name: vault
      protocol: TCP
      port: 8200
      runsOn:
        nodes: [worker-2, worker-1]
      allowedClients:
        nets: [203.0.113.0/24, 198.51.100.0/25]
        nodes: [master-a, worker-2]
`;

/** Lists whose order carries no meaning, as paths into the parsed spec (`*` is every item). */
const UNORDERED = [
  'spec.nodes',
  'spec.nodes.*.interfaces',
  'spec.nodes.*.interfaces.*.expectedIPs',
  'spec.metrics.allowedNets',
  'spec.protectedServers',
  'spec.protectedServers.*.runsOn.nodes',
  'spec.protectedServers.*.allowedClients.workloads',
  'spec.protectedServers.*.allowedClients.nodes',
  'spec.protectedServers.*.allowedClients.nets',
];

/** mulberry32: a seeded generator, so a failing permutation can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleAt(value: unknown, keys: readonly string[], next: () => number): void {
  if (keys.length === 0) {
    if (!Array.isArray(value)) return;
    for (let i = value.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [value[i], value[j]] = [value[j], value[i]];
    }
    return;
  }
  const [key, ...rest] = keys;
  if (key === '*' && Array.isArray(value)) value.forEach((item) => shuffleAt(item, rest, next));
  else if (typeof value === 'object' && value !== null && key in value) shuffleAt((value as Record<string, unknown>)[key], rest, next);
}

function shuffledSpec(text: string, seed: number): string {
  const spec: unknown = parse(text);
  const next = random(seed);
  for (const p of UNORDERED) shuffleAt(spec, p.split('.'), next);
  return stringify(spec);
}

/** A workspace with these specs in clusters/, or all the examples, synthesised; returns its dist/. */
function synthesise(specs: Readonly<Record<string, string>> | 'all'): string {
  const work = specs === 'all' ? workspace('all') : workspace([], { files: Object.fromEntries(Object.entries(specs).map(([name, text]) => [`clusters/${name}.yaml`, text])) });
  synth(work);
  return path.join(work, 'dist');
}

/** The tree with the lock's specSha256 taken out: the one value that hashes the spec's bytes. */
function withoutSpecHash(tree: ReadonlyMap<string, string>): Map<string, string> {
  return new Map(
    [...tree].map(([file, text]): [string, string] => {
      if (path.posix.basename(file) !== LOCK_FILE) return [file, text];
      const lock = JSON.parse(text) as Lock;
      expect(lock.specSha256).toMatch(/^[0-9a-f]{64}$/);
      return [file, JSON.stringify(lock, (key: string, value: unknown) => (key === 'specSha256' ? undefined : value))];
    }),
  );
}

/** The lines a minimal diff adds and removes, without the ---/+++ labels and @@ headers. */
function changedLines(oldText: string, newText: string): { added: string[]; removed: string[] } {
  const rows = unifiedDiff(oldText, newText, 'a', 'b', 0).split('\n').slice(2);
  return {
    added: rows.filter((r) => r.startsWith('+')).map((r) => r.slice(1)),
    removed: rows.filter((r) => r.startsWith('-')).map((r) => r.slice(1)),
  };
}

afterAll(removeWorkspaces);

describe('calico-shield synth', () => {
  it('can write byte-identical dist/ folders from the same specs', () => {
    const first = readTree(synthesise('all'));
    const second = readTree(synthesise('all'));
    // Every cluster was written, or the comparison below would prove nothing for the missing ones.
    expect(new Set([...first.keys()].map((f) => f.split('/')[0]))).toEqual(new Set(CLUSTERS));
    expect(second).toEqual(first);
  });

  it('can leave every cluster folder untouched on a second synth, without compiling a spec that did not change', () => {
    const dist = synthesise({ rich: RICH_SPEC });
    const before = readTree(dist);
    expect(synth(path.dirname(dist))).toBe('same    dist/rich/ (spec unchanged since the last synth: not compiled; --force compiles it)\n');
    expect(synth(path.dirname(dist), ['--force'])).toBe('same    dist/rich/\n');
    expect(readTree(dist)).toEqual(before);
  });

  it('can write the same bytes, lock included, for a spec with CRLF line ends (git core.autocrlf)', () => {
    const crlf = RICH_SPEC.replace(/\n/g, '\r\n');
    expect(crlf).not.toBe(RICH_SPEC);
    expect(readTree(synthesise({ rich: crlf }))).toEqual(readTree(synthesise({ rich: RICH_SPEC })));
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('can ignore the order of nodes, interfaces, IPs, servers, clients and nets (seed %i)', (seed) => {
    const shuffled = shuffledSpec(RICH_SPEC, seed);
    // The permutation changed the spec, or the comparison below would prove nothing.
    expect(parse(shuffled)).not.toEqual(parse(RICH_SPEC));
    const original = readTree(synthesise({ rich: RICH_SPEC }));
    const permuted = readTree(synthesise({ rich: shuffled }));
    expect(JSON.parse(permuted.get(`rich/${LOCK_FILE}`) ?? '{}').specSha256).not.toBe(JSON.parse(original.get(`rich/${LOCK_FILE}`) ?? '{}').specSha256);
    expect(withoutSpecHash(permuted)).toEqual(withoutSpecHash(original));
  });
});

describe('a 1,200-node cluster, its host endpoints in four shards', () => {
  const ip = (i: number): string => `10.1.${i >> 8}.${i & 255}`;
  const fleet = (extra: string): string =>
    [
      'apiVersion: calico-shield/v1alpha1',
      'kind: Cluster',
      'spec:',
      '  approach: deny-list',
      '  metrics:',
      '    allowedNets: [172.15.0.0/24]',
      '    calicoNode: {}',
      '  nodes:',
      ...Array.from({ length: 1200 }, (_, i) => `    - {name: node-${String(i).padStart(4, '0')}, interfaces: [{name: eth0, expectedIPs: [${ip(i)}]}]}`),
      extra,
    ].join('\n') + '\n';
  const NEW_NODE = 'node-0499a';
  const NEW_IP = '10.9.9.9';

  it('can name shards by the hash bits their nodes share, so that a name never comes back with other nodes', () => {
    expect([0, 1, 2, 3].map((i) => shardFolder(i, 4))).toEqual(['shard-00', 'shard-01', 'shard-10', 'shard-11']);
    // Doubling the count splits shard-01 into shard-010 and shard-011: every node of those was in shard-01.
    for (const node of Array.from({ length: 200 }, (_, i) => `node-${i}`)) {
      expect(shardFolder(shardOf(node, 8), 8).startsWith(shardFolder(shardOf(node, 4), 4))).toBe(true);
    }
  });

  it('can change only the lines of the new node, in its one shard, when one node is added', () => {
    const before = readTree(synthesise({ fleet: fleet('') }));
    const after = readTree(synthesise({ fleet: fleet(`    - {name: ${NEW_NODE}, interfaces: [{name: eth0, expectedIPs: [${NEW_IP}]}]}`) }));
    const touched = [...after.keys()].filter((f) => after.get(f) !== before.get(f));
    expect([...after.keys()]).toEqual([...before.keys()]);
    // 1,200 host endpoints: four shards (of ~300), all of them present; the new node's is the one its name hashes to.
    const shards = [...after.keys()].filter((f) => f.endsWith('/hostendpoints.yaml'));
    expect(shards).toEqual(['00', '01', '10', '11'].map((bits) => `fleet/02-host-endpoints/shard-${bits}/hostendpoints.yaml`));
    expect(shardCount(1201)).toBe(4);
    const hostEndpoints = `fleet/02-host-endpoints/${shardFolder(shardOf(NEW_NODE, 4), 4)}/hostendpoints.yaml`;
    expect(touched).toEqual([hostEndpoints, `fleet/${LOCK_FILE}`]);

    const yamlChange = changedLines(before.get(hostEndpoints) ?? '', after.get(hostEndpoints) ?? '');
    const newDocument = (after.get(hostEndpoints) ?? '')
      .split(/(?=^---$)/m)
      .filter((doc) => doc.includes(`\n  name: ${NEW_NODE}.eth0\n`));
    expect(newDocument).toHaveLength(1);
    const documentLines = newDocument[0].split('\n').slice(0, -1);
    // Nothing removed; the added lines are the new HostEndpoint document, line for line (a diff
    // may slide the block by a few identical lines, so compare them as sorted lists).
    expect(yamlChange.removed).toEqual([]);
    expect(yamlChange.added.length).toBe(documentLines.length);
    expect([...yamlChange.added].sort()).toEqual([...documentLines].sort());
    expect(yamlChange.added.filter((l) => l.includes(NEW_NODE) || l.includes(NEW_IP)).length).toBe(3);

    const lockChange = changedLines(before.get(`fleet/${LOCK_FILE}`) ?? '', after.get(`fleet/${LOCK_FILE}`) ?? '');
    for (const lines of [lockChange.removed, lockChange.added]) {
      expect(lines.map((l) => l.trim().split('"')[1])).toEqual(['specSha256', hostEndpoints.slice('fleet/'.length)]);
    }
  });
});

describe('the shard of a node', () => {
  it("puts a node in the shard of its name's SHA-256's leading bits, the same on every Node version", () => {
    // The one-shot crypto.hash (Node 20.12 and later) and a Hash object give the same bytes; a
    // shard that moved with the Node version would move every host endpoint in git.
    const names = ['node-0001', 'worker-7.example.com', 'ünïcode-nöde', ''];
    for (const name of names) {
      const digest = createHash('sha256').update(name, 'utf8').digest();
      expect(sha256(name)).toBe(digest.toString('hex'));
      // Before Node 20.12, without crypto.hash.
      expect(sha256(name, null)).toBe(digest.toString('hex'));
      for (const count of [2, 8, 64]) expect(shardOf(name, count)).toBe(digest.readUInt32BE(0) >>> (32 - Math.log2(count)));
    }
    // Bytes too (the lock's hashes of the spec and of each file).
    const bytes = Uint8Array.of(0, 1, 0xff, 0x0a);
    expect([sha256(bytes), sha256(bytes, null)]).toEqual([createHash('sha256').update(bytes).digest('hex'), createHash('sha256').update(bytes).digest('hex')]);
    expect(shardOf('node-0001', 1)).toBe(0);
    expect([2, 8, 64].map((count) => shardOf('node-0001', count))).toEqual([1, 7, 57]);
  });
});
