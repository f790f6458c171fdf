/**
 * `dist/<cluster>/ACCESS.md`: the access matrix for people reviewing a change of dist/ in a
 * pull request. Markdown that GitHub renders (tables, a Mermaid flowchart); no kustomization
 * lists it, so Argo CD and Flux never apply it. Deterministic: no timestamps, stable order,
 * one line per row, so a diff shows exactly which verdict changed.
 */
import type { EssentialDirection, EssentialHostPath } from '../calico/essentials';
import { printSelector } from '../calico/selector';
import { compareText } from '../calico/strings';
import { escapeHiddenCharacters, HIDDEN } from '../calico/validate';
import { CALICO_RELEASES } from '../calico/versions';
import type { ProtectionPlan } from '../plan/plan';
import type { Finding } from '../spec/errors';
import { CLIENT_CLASSES, type AccessCell, type AccessMatrix, type CellStatus, type EssentialAccess, type Probe } from './access';
import { describeDecision, describePeer, PEER_WORDS, ROLE_WORDS, serverTitle, shortDecision } from './describe';

export const ACCESS_REPORT_FILE = 'ACCESS.md';

export const SYMBOLS: Readonly<Record<CellStatus, string>> = { allowed: '✅', denied: '⛔', failsafe: '⚠️', mixed: '◐', none: '—' };

/** Renders the report of one cluster; `findings` are the verify stage's (only warnings reach a written report). */
export function renderAccessReport(plan: ProtectionPlan, access: AccessMatrix, findings: readonly Finding[], acknowledged: readonly { readonly finding: Finding; readonly reason: string }[] = []): string {
  const out: string[] = [];
  out.push(`# Access to the protected servers of cluster \`${plan.cluster}\``, '');
  out.push(
    `Written by calico-shield on every synth from the objects of this folder; Argo CD and Flux do not apply it (no kustomization lists it). Change \`${plan.spec.file}\`, not this file.`,
    '',
  );
  pushSection(out, approach(plan));
  pushSection(out, matrix(access));
  pushSection(out, diagram(access));
  if (access.essentials.length > 0) pushSection(out, essentials(access.essentials, plan.hostTraffic, plan.hostRoles));
  pushSection(out, probes(access));
  out.push(...warnings(findings));
  if (acknowledged.length > 0) {
    out.push('', '## Acknowledged', '', 'Findings the spec accepts on purpose (`spec.acknowledge`), with its reasons:', '');
    for (const a of [...acknowledged].sort((x, y) => compareText(x.finding.code, y.finding.code) || compareText(x.finding.message, y.finding.message))) {
      out.push(`- **${a.finding.code}** (${a.finding.severity}): ${md(a.finding.message)} — acknowledged: ${md(a.reason)}`);
    }
  }
  // Blank lines collapse into one whatever a section ends with; when none are left to collapse,
  // the text stays the one string join made (the probes of an allow-list are 600 kB).
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** A section's lines and one blank line after them: never a second one (the probes end with theirs). */
function pushSection(out: string[], lines: readonly string[]): void {
  out.push(...lines);
  if (out[out.length - 1] !== '') out.push('');
}

/** The environment the verdicts hold in, in words. */
function environmentText(plan: ProtectionPlan): string {
  const env = plan.spec.environment;
  const release = CALICO_RELEASES[plan.spec.calicoVersion];
  const install =
    env.install === 'manifests'
      ? "Calico's manifests"
      : release.operatorTier
        ? `Tigera operator install (tigera/operator ${release.operator}: its tier \`calico-system\` decides before calico-shield's)`
        : `Tigera operator install (tigera/operator ${release.operator}: no operator tier, which it creates on Calico Enterprise only)`;
  const pools = env.ipPools.map((p) => `\`${p.cidr}\`${p.natOutgoing ? ' with natOutgoing' : ''}`).join(', ');
  const nat = !env.ipPools.some((p) => p.natOutgoing) ? '' : release.natOutgoingExclusions ? `, natOutgoingExclusions ${env.natOutgoingExclusions}` : `, no natOutgoingExclusions (Calico ${release.minor})`;
  const tunnel = env.encapsulation === 'None' ? 'no encapsulation' : `${env.encapsulation} encapsulation`;
  const api = `API server on port ${env.apiServer.port}${env.apiServer.address === undefined ? '' : ` at ${env.apiServer.address}`}`;
  return `${install}; IP pools ${pools}${nat}; ${tunnel}${env.wireguard ? ', WireGuard' : ''}; ${api}`;
}

function approach(plan: ProtectionPlan): string[] {
  const presets = plan.hostTraffic?.presets ?? [];
  const text =
    plan.approach === 'deny-list'
      ? `**deny-list**: GlobalNetworkPolicy \`${plan.defaultAllow?.name ?? 'default-host'}\` (order ${plan.defaultAllow?.order ?? 5000}) allows all traffic of the host endpoints; each protected server's policy (order 500) denies its port to every source that is not an allowed client.`
      : `**allow-list**: no policy allows host traffic by default, so host endpoints deny what no policy allows, Felix's failsafe ports aside; each protected server's policy (order 500) allows its port to its allowed clients.${
          presets.length > 0
            ? ` The GlobalNetworkPolicies \`allow-<preset>\` (order 1000) allow the host paths of the presets of \`spec.hostTraffic\`: ${presets.map((p) => `\`${p}\``).join(', ')}, without the protected servers' ports.`
            : ''
        }`;
  return [
    '## Approach',
    '',
    text,
    '',
    // No counts of nodes or host endpoints here or below: the report changes when access does, not when a node joins.
    `Each cell is the verdict of connection attempts from representatives of a class of clients to the server, evaluated on these objects with Calico's policy semantics (iptables/nftables data plane, tiers in order) in the cluster's environment (\`spec.environment\`): ${environmentText(plan)}. Host endpoints that Felix treats alike (same labels, kind of interface, address families and Felix settings) are probed once, through the first of them by name.`,
    ...(plan.hostEndpointsMode === 'auto'
      ? [
          '',
          "Host endpoints mode **auto**: kube-controllers creates the host endpoints, so none is in this folder. They are evaluated as kube-controllers creates them, from `spec.nodes`: `<node>-auto-hep`, all interfaces (`*`), the node's labels and addresses; nodes that `spec.nodes` does not list are protected all the same, but not probed.",
        ]
      : []),
  ];
}

function matrix(access: AccessMatrix): string[] {
  const header = ['Server', 'Port', 'Runs on', ...CLIENT_CLASSES.map((c) => c.title)];
  const rows = access.servers.map((s) => [serverTitle(s.server), `${s.server.protocol} ${s.server.port}`, s.runsOn, ...s.cells.map(cellText)]);
  const allowed = CLIENT_CLASSES.filter((c) => c.intent === 'allowed').map((c) => c.title);
  return [
    '## Access matrix',
    '',
    table(header, rows),
    '',
    `${SYMBOLS.allowed} allowed · ${SYMBOLS.denied} denied · ${SYMBOLS.failsafe} allowed only through a Felix failsafe port · ${SYMBOLS.mixed} allowed for some representatives, denied for others · ${SYMBOLS.none} nothing to probe. Each verdict names what decided it. The spec allows ${allowed.join(', ')}; every other class must be denied, except that a pod may reach host-networked servers of its own node (see the warnings).`,
    '',
    'Client classes:',
    '',
    ...CLIENT_CLASSES.map((c) => `- **${c.title}**: ${md(c.description)}.`),
  ];
}

function cellText(cell: AccessCell): string {
  if (cell.status === 'none') return `${SYMBOLS.none}${cell.note ? ` ${md(cell.note)}` : ''}`;
  if (cell.status === 'mixed') {
    const allowed = cell.probes.filter((p) => p.allowed).length;
    return `${SYMBOLS.mixed} ${allowed} of ${cell.probes.length} allowed: ${decisions(cell.probes)}`;
  }
  return `${SYMBOLS[cell.status]} ${decisions(cell.probes)}`;
}

function decisions(list: readonly Probe[]): string {
  const distinct = [...new Set(list.map((p) => `${shortDecision(p.decidedBy)}${p.alsoFailsafe ? ' (also failsafe)' : ''}`))];
  return distinct.length <= 2 ? distinct.join(', ') : `${distinct.slice(0, 2).join(', ')}, …`;
}

function diagram(access: AccessMatrix): string[] {
  const edges: string[] = [];
  const used = new Set<string>();
  access.servers.forEach((s, i) => {
    for (const cell of s.cells) {
      if (cell.status === 'denied' || cell.status === 'none') continue;
      const port = `${s.server.protocol} ${s.server.port}`;
      const ownNode = cell.client === 'pod-same-node' ? ', own node' : '';
      const label = cell.status === 'failsafe' ? `${port} failsafe${ownNode}` : cell.status === 'mixed' ? `${port} some${ownNode}` : `${port}${ownNode}`;
      edges.push(`  ${classId(cell.client)} ${cell.status === 'failsafe' ? '-.->' : '-->'}|"${label}"| s${i}`);
      used.add(cell.client);
    }
  });
  if (edges.length === 0) return ['## Who reaches what', '', 'No class of clients reaches any protected server.'];
  return [
    '## Who reaches what',
    '',
    'Allowed connections only; a dashed arrow is open only through a Felix failsafe port.',
    '',
    '```mermaid',
    'flowchart LR',
    ...CLIENT_CLASSES.filter((c) => used.has(c.id)).map((c) => `  ${classId(c.id)}["${c.title}"]`),
    ...access.servers.map((s, i) => `  s${i}["${serverTitle(s.server)}<br/>${s.server.protocol} ${s.server.port}"]`),
    ...edges,
    '```',
  ];
}

function classId(id: string): string {
  return `c_${id.replace(/-/g, '_')}`;
}

function essentials(list: readonly EssentialAccess[], hostTraffic: ProtectionPlan['hostTraffic'], roles: ProtectionPlan['hostRoles']): string[] {
  const rows = list.map((e) => [
    e.path.name,
    `${e.path.protocol} ${e.port}`,
    hostTraffic === undefined ? (e.direction === 'local' ? 'local (loopback)' : e.direction) : legText(e.path, e.direction),
    e.status === 'none' ? `${SYMBOLS.none} nothing to probe` : `${SYMBOLS[e.status]} ${decisions(e.probes)}`,
    e.path.usedBy,
    `[source](${e.path.source})`,
  ]);
  const loopback =
    "A local path is a node connecting to itself over loopback (127.0.0.1): only host endpoints with `interfaceName: \"*\"` police it ([projectcalico/calico#4478](https://github.com/projectcalico/calico/issues/4478)), so where a node has named interfaces only it is ✅ not policed.";
  const intro =
    hostTraffic === undefined
      ? `What the host endpoints' default deny does to paths a Kubernetes node running Calico usually needs. \`spec.hostTraffic\` names no preset, so each path is probed from and to an address outside the cluster, on every class of host endpoints, whichever nodes the path concerns. ${loopback}`
      : `What the host endpoints' default deny and the \`allow-<preset>\` policies do to paths a Kubernetes node running Calico usually needs, for every preset, named or not. Each path is probed between the roles it names: from and to the host endpoints of its role — every node (\`${printSelector(roles.nodes)}\`) or the control plane (\`${printSelector(roles['control-plane'])}\`) — and its peers: hosts of a role by their addresses, a pod, or an address outside the cluster. ${loopback}${list.some((e) => e.status === 'none') ? ` ${SYMBOLS.none} nothing to probe: no host endpoint of \`spec.nodes\` has the role.` : ''}`;
  return [
    '## Usual host paths (allow-list)',
    '',
    intro,
    '',
    table(['Path', 'Port', hostTraffic === undefined ? 'Direction' : 'Direction and peers', 'Verdict', 'Used by', 'Documented'], rows),
  ];
}


/** `inbound to every node from the control plane`: a path's direction and roles, in the words of docs/presets.md. */
function legText(path: EssentialHostPath, direction: EssentialDirection): string {
  if (direction === 'inbound' && path.inbound) return `inbound to ${ROLE_WORDS[path.inbound.on]} from ${PEER_WORDS[path.inbound.from]}`;
  if (direction === 'outbound' && path.outbound) return `outbound from ${ROLE_WORDS[path.outbound.on]} to ${PEER_WORDS[path.outbound.to]}`;
  return path.local ? `local, on ${ROLE_WORDS[path.local]} (loopback)` : direction;
}

function probes(access: AccessMatrix): string[] {
  const out = ['## Probes', '', 'The connection attempts behind each cell, to replay with `calico-shield explain`.', ''];
  for (const s of access.servers) {
    out.push(`### ${serverTitle(s.server)} (${s.server.protocol} ${s.server.port})`, '');
    for (const cell of s.cells) {
      const title = CLIENT_CLASSES.find((c) => c.id === cell.client)?.title ?? cell.client;
      if (cell.probes.length === 0) out.push(`- ${title}: nothing to probe${cell.note ? ` (${md(cell.note)})` : ''}.`);
      for (const p of cell.probes) out.push(`- ${title}: ${probeText(p)}`);
    }
    if (s.otherPort) out.push(`- Another port of its pods: ${probeText(s.otherPort)}`);
    out.push('');
  }
  return out;
}

function probeText(p: Probe): string {
  const alike = (n: number): string => (n > 1 ? ' (and the nodes like it)' : '');
  return md(`${describePeer(p.source)}${alike(p.sourceNodes)} → ${describePeer(p.destination)}${alike(p.targetNodes)}, ${p.protocol} ${p.port}: ${SYMBOLS[p.allowed ? (p.decidedBy.kind === 'failsafe' ? 'failsafe' : 'allowed') : 'denied']} ${describeDecision(p.decidedBy)}${p.alsoFailsafe ? ', and a Felix failsafe port too' : ''}`);
}

/** By code and message, without positions: the report must not change when the spec is only reordered. */
function warnings(findings: readonly Finding[]): string[] {
  const list = findings.filter((f) => f.severity === 'warning').sort((a, b) => compareText(a.code, b.code) || compareText(a.message, b.message));
  if (list.length === 0) return ['## Warnings', '', 'None.'];
  return ['## Warnings', '', ...list.map((f) => `- **${f.code}**: ${md(f.message)}${f.hint ? ` (${md(f.hint)})` : ''}`)];
}

/** What md changes: a hidden character (escapeHiddenCharacters) or an angle bracket. */
const MD_CHANGES = new RegExp(`${HIDDEN.source}|[<>]`, 'u');

/** Free text in Markdown: `<node>` would be taken for an HTML tag and vanish. */
function md(text: string): string {
  // One test for the three changes below: most texts (a probe per line, thousands) need none.
  return MD_CHANGES.test(text) ? escapeHiddenCharacters(text).replace(/</g, '&lt;').replace(/>/g, '&gt;') : text;
}


function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The cells of one row `table` wrote, its `\|` read back as `|`. */
export function tableCells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.replace(/\\\|/g, '|').trim());
}
