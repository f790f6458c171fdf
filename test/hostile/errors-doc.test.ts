/**
 * docs/errors.md is generated from the table of bad inputs below: each row is the finding
 * calico-shield reports for one mistake (code, position, field, message, hint), exactly as
 * the pipeline returns it. The test fails when the committed page differs from what the
 * pipeline says today; `UPDATE_ERRORS_DOC=1 npx jest test/hostile/errors-doc` rewrites it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { describeFailure, INTERNAL_ERROR_EXIT } from '../../lib/cli';
import { PARTIAL_WRITE_EXIT, PartialWriteError } from '../../lib/gitops/writer';
import { FILE_ERROR_EXIT, FileError, SYSTEM_ERRORS } from '../../lib/io/files';
import { BUSY_EXIT, RUN_LOCK_FILE } from '../../lib/io/lock';
import { admissionFindings } from '../../lib/pipeline';
import { Finding, formatFinding } from '../../lib/spec/errors';
import { clusterInput, compileProblems } from '../fuzz/invariants';
import { copyWorkspace, removeWorkspaces, runCli, workspace } from '../support/cli';
import { ROOT } from '../support/compile';

const DOC = join(__dirname, '..', '..', 'docs', 'errors.md');
const FILE = 'clusters/prod.yaml';

/** A valid spec (it compiles without findings); each case changes a few of its lines. */
const BASE: readonly string[] = [
  'apiVersion: calico-shield/v1alpha1', // 1
  'kind: Cluster', // 2
  'metadata:', // 3
  '  name: prod', // 4
  'spec:', // 5
  '  approach: allow-list', // 6
  '  nodes:', // 7
  '    - name: master-0', // 8
  '      interfaces:', // 9
  '        - name: eth0', // 10
  '          expectedIPs: [10.0.0.10]', // 11
  '    - name: worker-0', // 12
  '      interfaces:', // 13
  '        - name: eth0', // 14
  '          expectedIPs: [10.0.0.20]', // 15
  '  metrics:', // 16
  '    allowedNets: [192.0.2.0/24]', // 17
  '    calicoNode: {}', // 18
  '  protectedServers:', // 19
  '    - name: etcd', // 20
  '      port: 2379', // 21
  '      runsOn: {nodes: [master-0]}', // 22
  '      allowedClients:', // 23
  '        nodes: [worker-0]', // 24
  '        workloads: [{namespace: backup, labels: {app: etcd-backup}}]', // 25
  '  environment: {install: manifests, ipPools: [{cidr: 192.168.0.0/16, natOutgoing: false}], encapsulation: None}', // 26
];
/** The same cluster in hostEndpoints mode auto: nodes by their labels and addresses, picked by nodeSelector. */
const AUTO_BASE: readonly string[] = [
  'apiVersion: calico-shield/v1alpha1', // 1
  'kind: Cluster', // 2
  'metadata:', // 3
  '  name: prod', // 4
  'spec:', // 5
  '  approach: allow-list', // 6
  '  hostEndpoints: {mode: auto}', // 7
  '  nodes:', // 8
  '    - name: master-0', // 9
  '      labels: {kubernetes.io/hostname: master-0, node-role.kubernetes.io/control-plane: ""}', // 10
  '      interfaces: [{name: "*", expectedIPs: [10.0.0.10]}]', // 11
  '    - name: worker-0', // 12
  '      labels: {kubernetes.io/hostname: worker-0}', // 13
  '      interfaces: [{name: "*", expectedIPs: [10.0.0.20]}]', // 14
  '  metrics:', // 15
  '    allowedNets: [192.0.2.0/24]', // 16
  '    calicoNode: {}', // 17
  '  protectedServers:', // 18
  '    - name: etcd', // 19
  '      port: 2379', // 20
  '      runsOn: {nodeSelector: {node-role.kubernetes.io/control-plane: ""}}', // 21
  '      allowedClients:', // 22
  '        nodeSelector: {node-role.kubernetes.io/control-plane: ""}', // 23
  '        workloads: [{namespace: backup, labels: {app: etcd-backup}}]', // 24
  '  environment: {install: manifests, ipPools: [{cidr: 192.168.0.0/16, natOutgoing: false}], encapsulation: None}', // 25
];
const text = (lines: readonly string[]): string => `${lines.join('\n')}\n`;
const BASE_TEXT = text(BASE);

/** BASE (or `base`) with line `n` replaced by `lines` (none: the line is removed). */
function replace(n: number, ...lines: string[]): string {
  return replaceIn(BASE, n, ...lines);
}

function replaceIn(base: readonly string[], n: number, ...lines: string[]): string {
  return text([...base.slice(0, n - 1), ...lines, ...base.slice(n)]);
}

/** BASE with `lines` added after line `n`. */
function insert(n: number, ...lines: string[]): string {
  return text([...BASE.slice(0, n), ...lines, ...BASE.slice(n)]);
}

/** BASE with `lines` added at the end, under spec. */
function append(...lines: string[]): string {
  return text([...BASE, ...lines]);
}

interface Case {
  /** What the user did wrong. */
  readonly mistake: string;
  /** The input, as the table shows it: the changed line(s), or a description in parentheses. */
  readonly shown: string;
  readonly source: string | Uint8Array;
  /** The code of the finding the row shows. */
  readonly code: string;
}

/** One workload of 1,000 labels, listed 1,200 times through an alias: 1.2 million label reads. */
function aliasBomb(): string {
  const first = `        - &w {namespace: backup, labels: {${Array.from({ length: 1000 }, (_, i) => `l${i}: v`).join(', ')}}}`;
  return text([...BASE.slice(0, 23), '        nodes: [worker-0]', '        workloads:', first, ...Array<string>(1199).fill('        - *w')]);
}

const CASES: readonly Case[] = [
  { mistake: 'Unknown field (a typo)', shown: '  calicoNamespaces: kube-system', source: insert(6, '  calicoNamespaces: kube-system'), code: 'unknown-field' },
  { mistake: 'Wrong apiVersion', shown: 'apiVersion: calico-shield/v1', source: replace(1, 'apiVersion: calico-shield/v1'), code: 'unsupported-version' },
  { mistake: 'Wrong kind', shown: 'kind: Clusters', source: replace(2, 'kind: Clusters'), code: 'wrong-kind' },
  {
    mistake: 'An endpoint-to-host action the Tigera operator does not let calico-node have',
    shown: '  environment: {install: operator, defaultEndpointToHostAction: Drop}',
    source: replace(26, '  environment: {install: operator, defaultEndpointToHostAction: Drop}'),
    code: 'operator-endpoint-to-host',
  },
  { mistake: 'An unknown endpoint-to-host action', shown: '  environment: {…, defaultEndpointToHostAction: drop}', source: replace(26, '  environment: {install: manifests, ipPools: [{cidr: 192.168.0.0/16, natOutgoing: false}], encapsulation: None, defaultEndpointToHostAction: drop}'), code: 'bad-endpoint-to-host-action' },
  { mistake: 'A Calico version calico-shield does not model', shown: '  calicoVersion: v3.29', source: insert(5, '  calicoVersion: v3.29'), code: 'unsupported-calico' },
  { mistake: 'A Calico patch release instead of its minor', shown: '  calicoVersion: v3.31.7', source: insert(5, '  calicoVersion: v3.31.7'), code: 'unsupported-calico' },
  {
    mistake: 'A field the cluster\'s Calico version does not have',
    shown: '  environment: {…, natOutgoingExclusions: IPPoolsAndHostIPs}  (with calicoVersion: v3.30)',
    source: text([...BASE.slice(0, 5), '  calicoVersion: v3.30', ...BASE.slice(5, 25), '  environment: {install: manifests, ipPools: [{cidr: 192.168.0.0/16, natOutgoing: false}], encapsulation: None, natOutgoingExclusions: IPPoolsAndHostIPs}']),
    code: 'unsupported-field',
  },
  { mistake: 'metadata.name differs from the file name', shown: '  name: production', source: replace(4, '  name: production'), code: 'name-mismatch' },
  { mistake: 'Missing approach', shown: '(line 6 removed)', source: replace(6), code: 'missing-field' },
  { mistake: 'Unknown approach', shown: '  approach: allowlist', source: replace(6, '  approach: allowlist'), code: 'bad-approach' },
  { mistake: "A metrics port on the kubelet's 10250", shown: '    calicoNode: {port: 10250}', source: replace(18, '    calicoNode: {port: 10250}'), code: 'essential-cut' },
  { mistake: 'A protected server on SSH 22', shown: '      port: 22', source: replace(21, '      port: 22'), code: 'essential-cut' },
  {
    mistake: 'A protected port a named preset opens, its clients not those of the preset',
    shown: '      port: 5473  (Typha, with hostTraffic: {presets: [typha]} and allowed clients the backup pods only)',
    source: text([...BASE.slice(0, 20), '      port: 5473', BASE[21] as string, BASE[22] as string, BASE[24] as string, BASE[25] as string, '  hostTraffic: {presets: [typha]}']),
    code: 'preset-overridden',
  },
  { mistake: 'Every address as allowed clients', shown: '        nets: ["::/0"]', source: replace(24, '        nets: ["::/0"]'), code: 'catch-all-clients' },
  {
    mistake: "kube-controllers' pod labels that CoreDNS carries",
    shown: '    kubeControllers: {podLabels: {k8s-app: kube-dns}}  (Calico in kube-system)',
    source: insert(18, '    kubeControllers: {podLabels: {k8s-app: kube-dns}}'),
    code: 'selects-system-pods',
  },
  { mistake: 'Acknowledging what is always a mistake', shown: '  acknowledge: [{code: exposed-port, reason: x}]', source: append('  acknowledge: [{code: exposed-port, reason: x}]'), code: 'bad-acknowledge' },
  { mistake: 'Unknown install flavour', shown: '  environment: {install: helm}', source: replace(26, '  environment: {install: helm}'), code: 'bad-install' },
  { mistake: 'Unknown encapsulation', shown: '  environment: {encapsulation: vxlan}', source: replace(26, '  environment: {encapsulation: vxlan}'), code: 'bad-encapsulation' },
  { mistake: 'Unknown natOutgoingExclusions', shown: '  environment: {natOutgoingExclusions: HostIPs}', source: replace(26, '  environment: {natOutgoingExclusions: HostIPs}'), code: 'bad-nat-exclusions' },
  { mistake: 'Overlapping IP pools', shown: '  environment: {ipPools: [{cidr: 192.168.0.0/16}, {cidr: 192.168.1.0/24}]}', source: replace(26, '  environment: {ipPools: [{cidr: 192.168.0.0/16}, {cidr: 192.168.1.0/24}]}'), code: 'overlapping-pools' },
  { mistake: 'No IP pool', shown: '  environment: {ipPools: []}', source: replace(26, '  environment: {ipPools: []}'), code: 'no-ip-pools' },
  {
    mistake: "kube-controllers' metrics on an operator install",
    shown: '    kubeControllers: {}  (with environment: {install: operator, natOutgoingExclusions: IPPoolsAndHostIPs})',
    source: text([...BASE.slice(0, 18), '    kubeControllers: {}', ...BASE.slice(18, 25), '  environment: {install: operator, natOutgoingExclusions: IPPoolsAndHostIPs}']),
    code: 'operator-tier',
  },
  { mistake: 'Port 0', shown: '      port: 0', source: replace(21, '      port: 0'), code: 'bad-port' },
  { mistake: 'Port above 65535', shown: '      port: 70000', source: replace(21, '      port: 70000'), code: 'bad-port' },
  { mistake: 'Port with a leading zero (octal in YAML 1.1)', shown: '      port: 02379', source: replace(21, '      port: 02379'), code: 'wrong-type' },
  { mistake: 'Quoted port', shown: '      port: "2379"', source: replace(21, '      port: "2379"'), code: 'wrong-type' },
  { mistake: 'Protocol in lower case', shown: '      protocol: tcp', source: insert(21, '      protocol: tcp'), code: 'bad-protocol' },
  { mistake: 'Bad IP address', shown: '          expectedIPs: [10.0.0.256]', source: replace(11, '          expectedIPs: [10.0.0.256]'), code: 'bad-ip' },
  { mistake: 'IPv4 address with a leading zero', shown: '          expectedIPs: [10.0.0.010]', source: replace(11, '          expectedIPs: [10.0.0.010]'), code: 'bad-ip' },
  { mistake: 'CIDR with host bits set', shown: '    allowedNets: [192.0.2.1/24]', source: replace(17, '    allowedNets: [192.0.2.1/24]'), code: 'bad-cidr' },
  { mistake: 'Same IP on two nodes', shown: '          expectedIPs: [10.0.0.10]  # on worker-0', source: replace(15, '          expectedIPs: [10.0.0.10]'), code: 'duplicate-ip' },
  { mistake: 'Bad interface name (an alias label)', shown: '        - name: eth0:1', source: replace(10, '        - name: eth0:1'), code: 'bad-interface' },
  { mistake: 'Bad node name', shown: '    - name: Master_0', source: replace(8, '    - name: Master_0'), code: 'bad-node-name' },
  { mistake: 'Node listed twice', shown: '    - name: master-0  # instead of worker-0', source: replace(12, '    - name: master-0'), code: 'duplicate-node' },
  { mistake: 'Protected server on a node not in spec.nodes', shown: '      runsOn: {nodes: [master-1]}', source: replace(22, '      runsOn: {nodes: [master-1]}'), code: 'unknown-node' },
  { mistake: 'Server name too long for its label', shown: `    - name: ${'e'.repeat(47)}`, source: replace(20, `    - name: ${'e'.repeat(47)}`), code: 'bad-server-name' },
  {
    mistake: 'Server listed twice',
    shown: '    - {name: etcd, port: 2380, runsOn: {nodes: [worker-0]}}',
    source: text([...BASE.slice(0, 25), '    - {name: etcd, port: 2380, runsOn: {nodes: [worker-0]}}', ...BASE.slice(25)]),
    code: 'duplicate-server',
  },
  {
    mistake: 'Two servers on one port of one host',
    shown: '    - {name: etcd-peer, port: 2379, runsOn: {nodes: [master-0]}}',
    source: text([...BASE.slice(0, 25), '    - {name: etcd-peer, port: 2379, runsOn: {nodes: [master-0]}}', ...BASE.slice(25)]),
    code: 'port-conflict',
  },
  { mistake: 'Unknown host endpoints mode', shown: '  hostEndpoints: {mode: automatic}', source: insert(6, '  hostEndpoints: {mode: automatic}'), code: 'bad-mode' },
  {
    mistake: 'Host endpoint templates in static mode',
    shown: '  hostEndpoints: {templates: [{generateName: storage, interfaceCIDRs: [10.1.0.0/16]}]}',
    source: insert(6, '  hostEndpoints: {templates: [{generateName: storage, interfaceCIDRs: [10.1.0.0/16]}]}'),
    code: 'templates-static',
  },
  {
    mistake: 'Named interface (auto)',
    shown: '      interfaces: [{name: eth0, expectedIPs: [10.0.0.20]}]',
    source: replaceIn(AUTO_BASE, 14, '      interfaces: [{name: eth0, expectedIPs: [10.0.0.20]}]'),
    code: 'auto-interfaces',
  },
  {
    mistake: 'Node without addresses (auto)',
    shown: '      interfaces: [{name: "*"}]',
    source: replaceIn(AUTO_BASE, 14, '      interfaces: [{name: "*"}]'),
    code: 'auto-interfaces',
  },
  { mistake: 'Server on nodes picked by name (auto)', shown: '      runsOn: {nodes: [master-0]}', source: replaceIn(AUTO_BASE, 21, '      runsOn: {nodes: [master-0]}'), code: 'nodes-by-name' },
  {
    mistake: 'Node label that kube-controllers sets (auto)',
    shown: '      labels: {kubernetes.io/hostname: worker-0, projectcalico.org/created-by: calico-kube-controllers}',
    source: replaceIn(AUTO_BASE, 13, '      labels: {kubernetes.io/hostname: worker-0, projectcalico.org/created-by: calico-kube-controllers}'),
    code: 'reserved-label',
  },
  { mistake: 'Node label that calico-shield writes', shown: '      labels: {protected-etcd-server: "true"}', source: insert(8, '      labels: {protected-etcd-server: "true"}'), code: 'reserved-label' },
  {
    mistake: 'nodeSelector that matches no node of spec.nodes',
    shown: '      runsOn: {nodeSelector: {node-role.kubernetes.io/control-plane: ""}}',
    source: replace(22, '      runsOn: {nodeSelector: {node-role.kubernetes.io/control-plane: ""}}'),
    code: 'no-matching-node',
  },
  { mistake: 'Empty nodeSelector', shown: '      runsOn: {nodeSelector: {}}', source: replace(22, '      runsOn: {nodeSelector: {}}'), code: 'empty-selector' },
  { mistake: 'Unknown host traffic preset', shown: '  hostTraffic: {presets: [dns, vxaln]}', source: append('  hostTraffic: {presets: [dns, vxaln]}'), code: 'unknown-preset' },
  { mistake: 'Preset listed twice', shown: '  hostTraffic: {presets: [dns, vxlan, dns]}', source: append('  hostTraffic: {presets: [dns, vxlan, dns]}'), code: 'duplicate-preset' },
  { mistake: 'presets neither a list nor all', shown: '  hostTraffic: {presets: everything}', source: append('  hostTraffic: {presets: everything}'), code: 'bad-presets' },
  {
    mistake: 'Control-plane presets and no control-plane node',
    shown: '  hostTraffic: {presets: [api-server, kubelet, dns]}',
    source: append('  hostTraffic: {presets: [api-server, kubelet, dns]}'),
    code: 'no-matching-node',
  },
  {
    mistake: 'hostTraffic in the deny-list approach',
    shown: '  hostTraffic: {presets: [dns]}  (with approach: deny-list)',
    source: text([...BASE.slice(0, 5), '  approach: deny-list', ...BASE.slice(6), '  hostTraffic: {presets: [dns]}']),
    code: 'host-traffic-deny-list',
  },
  { mistake: 'Label value not a string', shown: '        workloads: [{namespace: backup, labels: {app: true}}]', source: replace(25, '        workloads: [{namespace: backup, labels: {app: true}}]'), code: 'wrong-type' },
  { mistake: 'Bad label value', shown: '        workloads: [{namespace: backup, labels: {app: etcd backup}}]', source: replace(25, '        workloads: [{namespace: backup, labels: {app: etcd backup}}]'), code: 'bad-label-value' },
  { mistake: 'Bad label key', shown: '        workloads: [{namespace: backup, labels: {"app name": etcd}}]', source: replace(25, '        workloads: [{namespace: backup, labels: {"app name": etcd}}]'), code: 'bad-label-key' },
  { mistake: 'Bad namespace', shown: '        workloads: [{namespace: Backup, labels: {app: etcd-backup}}]', source: replace(25, '        workloads: [{namespace: Backup, labels: {app: etcd-backup}}]'), code: 'bad-namespace' },
  { mistake: 'Duplicate key', shown: '      port: 2379↵      port: 2380', source: insert(21, '      port: 2380'), code: 'yaml-duplicate-key' },
  { mistake: 'Tab used for indentation', shown: '\t  - name: eth0', source: replace(10, '\t  - name: eth0'), code: 'yaml-tab-as-indent' },
  { mistake: 'Two documents in one file', shown: '---  (then a second spec)', source: `${BASE_TEXT}---\n${BASE_TEXT}`, code: 'multiple-documents' },
  { mistake: 'Alias with no anchor', shown: '        workloads: [*backup]', source: replace(25, '        workloads: [*backup]'), code: 'unknown-alias' },
  {
    mistake: 'Collections nested too deep',
    shown: `    allowedNets: ${'['.repeat(4)}…  (101 nested brackets)`,
    source: replace(17, `    allowedNets: ${'['.repeat(101)}192.0.2.0/24${']'.repeat(101)}`),
    code: 'too-deep',
  },
  { mistake: 'Empty file', shown: '(0 bytes)', source: '', code: 'empty' },
  {
    mistake: 'Not UTF-8 (a Latin-1 ö)',
    shown: '  name: pr\\xF6d',
    source: new Uint8Array(Buffer.concat([Buffer.from(text(BASE.slice(0, 3))), Buffer.from('  name: pr'), Buffer.from([0xf6]), Buffer.from(`d\n${text(BASE.slice(4))}`)])),
    code: 'not-utf8',
  },
  { mistake: 'Alias expansion too large', shown: '        - *w  (a 1,000-label workload, aliased 1,200 times)', source: aliasBomb(), code: 'too-large' },
];

/** One situation of the working tree calico-shield refuses or cannot handle, set up in a fresh repository. */
interface FileCase {
  readonly situation: string;
  readonly argv: readonly string[];
  /** Changes the repository (clusters/prod.yaml and deploy/, synthesised) before the run. */
  readonly setup: (dir: string) => void;
}

const write = (dir: string, file: string, text: string): void => fs.writeFileSync(join(dir, file), text);
const replaceWithFolder = (dir: string, file: string): void => {
  fs.rmSync(join(dir, file), { recursive: true });
  fs.mkdirSync(join(dir, file));
};
const touchSpec = (dir: string): void => write(dir, 'clusters/prod.yaml', `# changed\n${BASE_TEXT}`);
/** The host and process of the run that holds the lock in the table: the real ones vary. */
const HOLDER = { pid: 4242, host: 'ci-runner-7', since: '2025-03-04T09:12:33.000Z' };

const FILE_CASES: readonly FileCase[] = [
  { situation: 'A spec is a symbolic link', argv: ['synth'], setup: (dir) => fs.symlinkSync('/dev/zero', join(dir, 'clusters/zero.yaml')) },
  { situation: 'A spec is a folder', argv: ['synth'], setup: (dir) => fs.mkdirSync(join(dir, 'clusters/staging.yaml')) },
  { situation: 'A spec is a named pipe', argv: ['synth'], setup: (dir) => expect(spawnSync('mkfifo', [join(dir, 'clusters/staging.yaml')]).status).toBe(0) },
  { situation: 'A spec has another extension (.yml, .YAML)', argv: ['synth'], setup: (dir) => fs.renameSync(join(dir, 'clusters/prod.yaml'), join(dir, 'clusters/prod.yml')) },
  { situation: "An editor's backup, swap or lock file of a spec", argv: ['synth'], setup: (dir) => write(dir, 'clusters/prod.yaml~', BASE_TEXT) },
  { situation: 'A spec is not named <cluster>.yaml', argv: ['synth'], setup: (dir) => write(dir, 'clusters/Prod_EU.yaml', BASE_TEXT) },
  { situation: 'The cluster folder holds no spec', argv: ['synth'], setup: (dir) => fs.rmSync(join(dir, 'clusters/prod.yaml')) },
  {
    situation: 'A spec over 32 MiB (a finding, exit 1)',
    argv: ['synth'],
    setup: (dir) => {
      fs.closeSync(fs.openSync(join(dir, 'clusters/huge.yaml'), 'w'));
      fs.truncateSync(join(dir, 'clusters/huge.yaml'), 40 * 1024 * 1024);
    },
  },
  {
    situation: 'dist/ is a file',
    argv: ['synth'],
    setup: (dir) => {
      fs.rmSync(join(dir, 'dist'), { recursive: true });
      write(dir, 'dist', '');
    },
  },
  {
    situation: 'A file in a cluster folder that calico-shield did not write',
    argv: ['synth'],
    setup: (dir) => {
      write(dir, 'dist/prod/notes.md', '# notes\n');
      touchSpec(dir);
    },
  },
  {
    situation: 'A cluster folder calico-shield did not write',
    argv: ['synth'],
    setup: (dir) => {
      fs.rmSync(join(dir, 'dist/prod/calico-shield.lock'));
      touchSpec(dir);
    },
  },
  { situation: 'A symbolic link in dist/ (check)', argv: ['check'], setup: (dir) => fs.symlinkSync('/proc/self/environ', join(dir, 'dist/prod/env.yaml')) },
  { situation: 'A named pipe in dist/ (check)', argv: ['check'], setup: (dir) => expect(spawnSync('mkfifo', [join(dir, 'dist/prod/extra.yaml')]).status).toBe(0) },
  {
    situation: 'deploy/argocd is a file',
    argv: ['synth'],
    setup: (dir) => {
      fs.rmSync(join(dir, 'deploy/argocd'), { recursive: true });
      write(dir, 'deploy/argocd', '');
    },
  },
  { situation: 'A manifest in deploy/ that calico-shield did not write, where it writes one', argv: ['synth'], setup: (dir) => write(dir, 'deploy/flux/prod.yaml', 'kind: ConfigMap\n') },
  { situation: 'deploy/repository.yaml is a folder', argv: ['synth'], setup: (dir) => replaceWithFolder(dir, 'deploy/repository.yaml') },
  {
    situation: 'Another run holds dist/ (exit 5)',
    argv: ['synth'],
    setup: (dir) => write(dir, `dist/${RUN_LOCK_FILE}`, JSON.stringify({ pid: process.ppid, host: os.hostname(), command: 'synth', since: HOLDER.since, nonce: '0123456789abcdef01234567' })),
  },
];

/** Runs each case in a repository of its own; returns the row of each: exit code and what was printed. */
function fileRows(): string[] {
  try {
    const template = workspace([], { deploy: true, files: { 'clusters/prod.yaml': BASE_TEXT } });
    expect(runCli(template, ['synth']).code).toBe(0);
    return FILE_CASES.map((c) => {
      const dir = copyWorkspace(template);
      c.setup(dir);
      const r = runCli(dir, c.argv);
      // The spec's warnings are not what the row is about.
      const printed = r.stderr
        .replace(/^\S+: warning\[.*\n(  hint: .*\n)?/gm, '')
        .replace(`pid ${process.ppid} on ${os.hostname()}`, `pid ${HOLDER.pid} on ${HOLDER.host}`);
      expect({ situation: c.situation, printed: printed.startsWith('error: ') || printed.includes('error[too-large]') }).toEqual({ situation: c.situation, printed: true });
      return `| ${cell(c.situation)} | \`calico-shield ${c.argv.join(' ')}\` | ${r.code} | ${code(printed.trimEnd())} |`;
    });
  } finally {
    removeWorkspaces();
  }
}

/** What the run prints when it could not put back what it had swapped (rare: renames that fail twice). */
function partialWriteExample(): string {
  const root = join(ROOT, 'example-repository');
  const failure = new FileError(join(root, 'deploy/flux/prod.yaml'), SYSTEM_ERRORS.EACCES?.reason ?? '', SYSTEM_ERRORS.EACCES?.hint);
  const { text, code: exit } = describeFailure(new PartialWriteError([join(root, 'dist/prod')], failure), root);
  expect(exit).toBe(PARTIAL_WRITE_EXIT);
  return text.trimEnd();
}

/** Markdown table cell: pipes escaped, line breaks shown as ↵. */
function cell(value: string | undefined): string {
  return (value ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, '↵');
}

/** Inline code that survives backticks in the value. */
function code(value: string): string {
  return value.includes('`') ? `\`\` ${cell(value)} \`\`` : `\`${cell(value)}\``;
}

function row(c: Case, f: Finding): string {
  const shown = c.shown.startsWith('(') ? `*${cell(c.shown.slice(1, -1))}*` : code(c.shown.replace(/\t/g, '→'));
  return `| ${cell(c.mistake)} | ${shown} | \`${f.code}\` | ${f.line}:${f.col} | ${f.field ? code(f.field) : ''} | ${cell(f.message)} | ${cell(f.hint)} |`;
}

/**
 * What `invalid-object` looks like: the allow-loopback policy calico-shield wrote before its
 * rules were split per address family, which Calico's validator refuses.
 */
function invalidObjectExample(): Finding {
  const mixed = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'allow-loopback' },
    spec: { selector: 'all()', ingress: [{ action: 'Allow', protocol: 'TCP', source: { nets: ['127.0.0.0/8', '::1/128'] } }] },
  };
  const [finding] = admissionFindings(FILE, [mixed], 'v3.32');
  if (finding === undefined) throw new Error('the admission check accepts a rule that mixes IPv4 and IPv6');
  return finding;
}

/** The page; `example` is one finding as the CLI prints it; `files` the rows of the working tree's failures. */
function render(rows: readonly string[], example: Finding, files: readonly string[]): string {
  return `# Errors

<!-- Generated by test/hostile/errors-doc.test.ts from its table of cases: do not edit by hand.
     Regenerate with: UPDATE_ERRORS_DOC=1 npx jest test/hostile/errors-doc -->

Every mistake in a cluster spec comes back as a finding with a stable code, the file, line and
column, the field when there is one, a message that names the value, and usually a hint. Nothing
is written to \`dist/\` while a spec has an error. The CLI prints each finding once, as

\`\`\`
${formatFinding(example)}
\`\`\`

Each row below is what calico-shield reports today for one mistake in \`${FILE}\`, a valid
two-node spec (\`test/hostile/errors-doc.test.ts\`) with the line(s) shown changed. Rows marked
(auto) start from the same spec in \`hostEndpoints.mode: auto\`: its nodes list one interface
\`"*"\` with their addresses and carry labels, and the server and its host clients are picked by
\`nodeSelector\`. In the input, → stands for a tab and ↵ for a line break.

| Mistake | Input | Code | Line:col | Field | Message | Hint |
|---|---|---|---|---|---|---|
${rows.join('\n')}

## Objects Calico would refuse

After a spec passes every check above, the objects compiled from it go through Calico's own
admission rules (libcalico-go's validator at the pinned version, mirrored in
\`lib/calico/admission.ts\`; [docs/verification.md](verification.md#admission) lists them). An
object calico-apiserver would refuse is reported as \`invalid-object\`, naming the object, the
field, Calico's reason and the source line, and nothing is written:

\`\`\`
${formatFinding(invalidObjectExample())}
\`\`\`

No valid spec should produce one: each is a calico-shield bug that the check caught before the
cluster did.

Specs are read as YAML 1.2 (core schema): \`yes\`, \`no\`, \`on\` and \`off\` are strings, \`0755\` is
not a decimal number, \`true\` is a boolean wherever a string belongs. See
\`test/hostile/yaml.test.ts\` for every YAML pitfall and how it is read.

## Files, folders and other runs

\`clusters/\`, \`dist/\` and \`deploy/\` are read as untrusted input: calico-shield follows no symbolic
link there, opens no named pipe or device, reads no file over 32 MiB, and replaces or removes only
what it wrote (a cluster folder whose \`calico-shield.lock\` lists every file in it; a manifest of
\`deploy/argocd/\` or \`deploy/flux/\` with the header it writes). A file or folder it cannot or may not
use stops the run with one line, \`error: <path>: <reason>\`, a hint, and an exit code; a run never
prints a stack trace (\`--debug\` adds it). synth writes all of \`dist/\` and \`deploy/\` or nothing.

| Exit | Meaning |
|---|---|
| 0 | done (explain: allowed) |
| 1 | errors in the specs, or (check) \`dist/\` or \`deploy/\` differ from what the specs compile to |
| 2 | bad usage (explain: a bad query) |
| 3 | explain: denied |
| ${FILE_ERROR_EXIT} | a file or folder cannot or may not be read or written; nothing was changed |
| ${BUSY_EXIT} | another calico-shield run holds the folder (synth, check and nodes import lock the folder they write or compare, and never wait); nothing was changed |
| ${PARTIAL_WRITE_EXIT} | the run failed while swapping its output in and could not put back what it had swapped; the message names it, and the next synth puts it back first |
| ${INTERNAL_ERROR_EXIT} | a bug in calico-shield: the message says so; please report it with the output of \`--debug\` |

Each row below is what calico-shield prints today for one situation in a repository with
\`clusters/prod.yaml\` (the spec above), \`deploy/repository.yaml\` and their \`dist/\` and \`deploy/\`
(the holder's process and host in the exit 5 row are examples).

| Situation | Command | Exit | Printed |
|---|---|---|---|
${files.join('\n')}

A run that could not put back what it had swapped (exit ${PARTIAL_WRITE_EXIT}) names it:

\`\`\`
${partialWriteExample()}
\`\`\`

What the operating system refuses is printed the same way, with the path calico-shield was
reading or writing (for a file it was writing, the path it was writing it for), and exits ${FILE_ERROR_EXIT}:

| Error | Printed after the path | Hint |
|---|---|---|
${Object.entries(SYSTEM_ERRORS)
  .map(([name, e]) => `| \`${name}\` | ${cell(e.reason)} | ${cell(e.hint)} |`)
  .join('\n')}
`;
}

describe('docs/errors.md', () => {
  it('can compile the base spec of the table without findings', () => {
    expect(compileProblems(clusterInput('prod', BASE_TEXT)).result.findings).toEqual([]);
  });

  it('can compile the base spec of the (auto) rows without findings', () => {
    expect(compileProblems(clusterInput('prod', text(AUTO_BASE))).result.findings).toEqual([]);
  });

  it('matches what calico-shield reports for each bad input', () => {
    const found = CASES.map((c) => {
      const { result, problems } = compileProblems(clusterInput('prod', c.source));
      expect({ mistake: c.mistake, problems }).toEqual({ mistake: c.mistake, problems: [] });
      const f = result.findings.find((x) => x.severity === 'error' && x.code === c.code);
      expect({ mistake: c.mistake, codes: f ? [c.code] : result.findings.map((x) => x.code) }).toEqual({ mistake: c.mistake, codes: [c.code] });
      return f as Finding;
    });
    const rendered = render(
      CASES.map((c, i) => row(c, found[i] as Finding)),
      found[CASES.findIndex((c) => c.mistake === 'Port 0')] as Finding,
      fileRows(),
    );
    if (process.env.UPDATE_ERRORS_DOC) writeFileSync(DOC, rendered);
    let committed = '';
    try {
      committed = readFileSync(DOC, 'utf8');
    } catch {
      // Missing: the comparison below says how to create it.
    }
    if (committed !== rendered) {
      throw new Error(`docs/errors.md is out of date: run UPDATE_ERRORS_DOC=1 npx jest test/hostile/errors-doc and commit it\n\n${rendered}`);
    }
  }, 60_000);
});
