/**
 * `calico-shield explain`: "can <source> reach <destination>:<port>/<protocol>?", answered
 * from the objects of dist/<cluster>/ with the evaluator's verdict and steps.
 *
 * Query syntax (docs/verification.md):
 *
 *   query  = peer "->" peer ":" port [ "/" protocol ]
 *   peer   = "pod" namespace [ "/" name ] [ "{" label { "," label } "}" ] [ "on" node ] [ "ip" address ]
 *          | "host" node [ "/" interface ] [ "ip" address ]
 *          | "ip" address
 *   label  = key "=" value
 *
 * `protocol` is TCP (the default), UDP or SCTP, in any case. An IPv6 address followed by
 * `:port` is written in brackets: `ip [fd00::1]:9091`. What the query leaves out is filled in
 * and said: a pod's node (another node than the destination's), a pod's address (one no
 * object gives a meaning to), a host's interface and address (its host endpoint's).
 *
 * Parsing is pure: the CLI reads the files, this module turns text into a verdict.
 */
import { FAILSAFE_DEFAULTS } from '../calico/felix';
import { DEFAULT_CALICO } from '../calico/versions';
import type { IpFamily } from '../calico/net';
import type { CalicoObject } from '../calico/object';
import { parseIp } from '../calico/net';
import type { Labels } from '../calico/selector';
import { compareByName } from '../calico/strings';
import { checkDns1123Subdomain, checkInterfaceName, checkLabelKey, checkLabelValue, checkNamespace, checkNodeName, checkPort, type Problem } from '../calico/validate';
import { describeDecision } from './describe';
import { evaluate, type Flow, type Peer, type Verdict } from './evaluator';
import { buildModel, type HostEndpoint, type Model, type ModelContext } from './model';
import { ProbeAddresses } from './probe-addresses';

export type QueryProtocol = 'TCP' | 'UDP' | 'SCTP';

/** A query that does not parse, or names what the objects do not know. */
export interface QueryError {
  readonly code: string;
  readonly message: string;
  /** 1-based column of the offending character in the query. */
  readonly col: number;
  readonly hint?: string;
}

export type PeerQuery =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name?: string; readonly labels: Labels; readonly node?: string; readonly ip?: string; readonly col: number }
  | { readonly kind: 'host'; readonly node: string; readonly interface?: string; readonly ip?: string; readonly col: number }
  | { readonly kind: 'ip'; readonly ip: string; readonly col: number };

export interface Query {
  readonly source: PeerQuery;
  readonly destination: PeerQuery;
  readonly port: number;
  readonly protocol: QueryProtocol;
}

export type QueryResult = { readonly ok: true; readonly query: Query } | { readonly ok: false; readonly error: QueryError };

/** The verdict of one query. */
export interface Explanation {
  readonly verdict: Verdict;
  /** What the query left out and was filled in. */
  readonly assumptions: readonly string[];
  /** What in the objects the model could not take as Felix would (hand edits of dist/, say). */
  readonly issues: readonly string[];
}

export type ExplainResult = { readonly ok: true; readonly explanation: Explanation } | { readonly ok: false; readonly error: QueryError };

const PROTOCOLS: readonly QueryProtocol[] = ['TCP', 'UDP', 'SCTP'];

class Fail {
  constructor(readonly error: QueryError) {}
}

/** Reads a query; errors carry the column of the character at fault. */
export function parseQuery(text: string): QueryResult {
  try {
    return { ok: true, query: new QueryParser(text).query() };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    throw e;
  }
}

class QueryParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  query(): Query {
    this.spaces();
    const source = this.peer('source');
    this.spaces();
    if (!this.text.startsWith('->', this.pos)) {
      this.fail('expected-arrow', this.atEnd() ? 'the query ends before "->" and the destination' : `expected "->" between source and destination, found ${this.found()}`, 'write <source> -> <destination>:<port>/<protocol>');
    }
    this.pos += 2;
    this.spaces();
    const destination = this.peer('destination');
    if (this.text[this.pos] !== ':') {
      this.fail('expected-port', `expected ":<port>" after the destination, found ${this.found()}`, 'end the query with the port and protocol, e.g. :9091/TCP');
    }
    this.pos++;
    const portAt = this.pos;
    const digits = this.run(/[0-9]/);
    if (digits === '') this.fail('expected-port', `expected a port number after ":", found ${this.found()}`, 'ports are numbers from 1 to 65535');
    this.check(portAt, checkPort(Number(digits)), 'bad-port');
    let protocol: QueryProtocol = 'TCP';
    if (this.text[this.pos] === '/') {
      this.pos++;
      const at = this.pos;
      const word = this.run(/[A-Za-z]/).toUpperCase();
      if (!(PROTOCOLS as readonly string[]).includes(word)) {
        this.fail('bad-protocol', word === '' ? `expected a protocol after "/", found ${this.found()}` : `unknown protocol ${JSON.stringify(this.text.slice(at, this.pos))}`, 'use TCP, UDP or SCTP', at);
      }
      protocol = word as QueryProtocol;
    }
    this.spaces();
    if (!this.atEnd()) this.fail('trailing-input', `unexpected ${this.found()} after the port`, 'the query ends with :<port>/<protocol>');
    return { source, destination, port: Number(digits), protocol };
  }

  private peer(role: 'source' | 'destination'): PeerQuery {
    const start = this.pos;
    const col = start + 1;
    const word = this.run(/[A-Za-z]/);
    if (word !== 'pod' && word !== 'host' && word !== 'ip') {
      this.fail('expected-peer', `expected the ${role}: pod, host or ip, found ${word === '' ? this.found() : JSON.stringify(word)}`, 'e.g. "pod monitoring/prometheus{app=prometheus}", "host kubeadm-master/eth0" or "ip 172.15.0.7"', start);
    }
    this.requireSpace(word);
    if (word === 'ip') return { kind: 'ip', ip: this.address(role), col };
    if (word === 'host') {
      const node = this.name(/[a-z0-9.-]/i, checkNodeName, 'bad-node', 'node name');
      let iface: string | undefined;
      if (this.text[this.pos] === '/') {
        this.pos++;
        iface = this.text[this.pos] === '*' ? (this.pos++, '*') : this.name(/[A-Za-z0-9_.@+-]/, checkInterfaceName, 'bad-interface', 'interface name');
      }
      const ip = this.modifier('ip') ? this.address(role) : undefined;
      return { kind: 'host', node, ...(iface !== undefined && { interface: iface }), ...(ip !== undefined && { ip }), col };
    }
    const namespace = this.name(/[a-z0-9-]/i, checkNamespace, 'bad-namespace', 'namespace');
    let name: string | undefined;
    if (this.text[this.pos] === '/') {
      this.pos++;
      name = this.name(/[a-z0-9.-]/i, checkDns1123Subdomain, 'bad-pod-name', 'pod name');
    }
    const labels = this.text[this.pos] === '{' ? this.labels() : {};
    const node = this.modifier('on') ? this.name(/[a-z0-9.-]/i, checkNodeName, 'bad-node', 'node name') : undefined;
    const ip = this.modifier('ip') ? this.address(role) : undefined;
    return { kind: 'pod', namespace, ...(name !== undefined && { name }), labels, ...(node !== undefined && { node }), ...(ip !== undefined && { ip }), col };
  }

  /** `{key=value, ...}`. */
  private labels(): Labels {
    this.pos++;
    const labels: Record<string, string> = {};
    this.spaces();
    while (this.text[this.pos] !== '}') {
      const keyAt = this.pos;
      const key = this.run(/[A-Za-z0-9_./-]/);
      if (key === '') this.fail('bad-label', `expected a label key, found ${this.found()}`, 'write labels as {key=value, key2=value2}');
      this.check(keyAt, checkLabelKey(key), 'bad-label');
      if (Object.hasOwn(labels, key)) this.fail('bad-label', `label ${JSON.stringify(key)} is given twice`, 'give each label once', keyAt);
      this.spaces();
      if (this.text[this.pos] !== '=') this.fail('bad-label', `expected "=" after the label key ${JSON.stringify(key)}, found ${this.found()}`, 'write labels as {key=value, key2=value2}');
      this.pos++;
      this.spaces();
      const valueAt = this.pos;
      const value = this.run(/[A-Za-z0-9_.-]/);
      this.check(valueAt, checkLabelValue(value), 'bad-label');
      labels[key] = value;
      this.spaces();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.spaces();
      } else if (this.text[this.pos] !== '}') {
        this.fail('bad-label', this.atEnd() ? 'the labels are not closed with "}"' : `expected "," or "}" after a label, found ${this.found()}`, 'write labels as {key=value, key2=value2}');
      }
    }
    this.pos++;
    return labels;
  }

  /** ` on` / ` ip` after a peer: consumed only when present. */
  private modifier(word: 'on' | 'ip'): boolean {
    const start = this.pos;
    this.spaces();
    if (this.pos > start && this.text.startsWith(word, this.pos) && /[ \t]/.test(this.text[this.pos + word.length] ?? '')) {
      this.pos += word.length;
      this.spaces();
      return true;
    }
    this.pos = start;
    return false;
  }

  private address(role: 'source' | 'destination'): string {
    const at = this.pos;
    let text: string;
    if (this.text[this.pos] === '[') {
      const close = this.text.indexOf(']', this.pos);
      if (close < 0) this.fail('bad-ip', 'the address is not closed with "]"', 'write IPv6 addresses as [fd00::1]');
      text = this.text.slice(this.pos + 1, close);
      this.pos = close + 1;
    } else {
      text = this.run(/[0-9.]/);
      if (/[0-9A-Fa-f:]/.test(this.text[this.pos] ?? '') && !text.includes('.')) {
        if (role === 'destination') {
          this.pos = at;
          this.run(/[0-9A-Fa-f:.]/);
          this.fail('bad-ip', 'an IPv6 address before ":<port>" must be in brackets', `write [${this.text.slice(at, this.pos).replace(/:[0-9]+$/, '')}]:<port>`, at);
        }
        text += this.run(/[0-9A-Fa-f:.]/);
      }
    }
    if (text === '') this.fail('bad-ip', `expected an IP address, found ${this.found()}`, 'e.g. 172.15.0.7 or [fd00::1]', at);
    const parsed = parseIp(text);
    if (!parsed.ok) this.fail('bad-ip', parsed.problem.message, parsed.problem.hint ?? 'give one IPv4 or IPv6 address', at);
    return parsed.ip.text;
  }

  private name(chars: RegExp, check: (value: string) => Problem | undefined, code: string, what: string): string {
    const at = this.pos;
    const value = this.run(chars);
    if (value === '') this.fail(code, `expected a ${what}, found ${this.found()}`, undefined, at);
    this.check(at, check(value), code);
    return value;
  }

  private requireSpace(after: string): void {
    const start = this.pos;
    this.spaces();
    if (this.pos === start) this.fail('expected-space', this.atEnd() ? `the query ends after "${after}"` : `expected a space after "${after}", found ${this.found()}`, `e.g. "${after} …"`);
  }

  private check(at: number, problem: Problem | undefined, code: string): void {
    if (problem) this.fail(code, problem.message, problem.hint, at);
  }

  private run(chars: RegExp): string {
    const start = this.pos;
    while (this.pos < this.text.length && chars.test(this.text[this.pos] as string)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private spaces(): void {
    this.run(/[ \t]/);
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private found(): string {
    return this.atEnd() ? 'the end of the query' : JSON.stringify(this.text[this.pos]);
  }

  private fail(code: string, message: string, hint?: string, at = this.pos): never {
    throw new Fail({ code, message, col: at + 1, ...(hint !== undefined && { hint }) });
  }
}

/** Prints a flow as a query `explain` reads back to the same flow (pod addresses aside). */
export function printQuery(flow: Flow): string {
  const peer = (p: Peer, role: 'source' | 'destination'): string => {
    switch (p.kind) {
      case 'workload': {
        const labels = Object.entries(p.labels ?? {}).map(([k, v]) => `${k}=${v}`);
        return `pod ${p.namespace}${p.name === undefined ? '' : `/${p.name}`}${labels.length > 0 ? `{${labels.join(',')}}` : ''} on ${p.node}`;
      }
      case 'host':
        // An endpoint that names its interface by address is found by the address alone.
        return `host ${p.node}${/^[A-Za-z0-9_.@+*-]+$/.test(p.interface) ? `/${p.interface}` : ''} ip ${bracket(p.ip, role)}`;
      case 'external':
        return `ip ${bracket(p.ip, role)}`;
    }
  };
  return `${peer(flow.source, 'source')} -> ${peer(flow.destination, 'destination')}:${flow.port}/${flow.protocol}`;
}

function bracket(ip: string, role: 'source' | 'destination'): string {
  return role === 'destination' && ip.includes(':') ? `[${ip}]` : ip;
}

/**
 * What the objects in dist/ do not say, taken from the cluster's spec when it is at hand: the
 * failsafe lists Felix has where no FelixConfiguration sets them, in automatic host endpoints
 * mode the nodes whose host endpoints kube-controllers creates, and the cluster's environment
 * (IP pools and NAT, encapsulation) with the objects its installer adds (the operator's tier),
 * and its Calico minor.
 */
export interface ExplainContext extends Partial<Pick<ModelContext, 'failsafeDefaults' | 'nodes' | 'environment' | 'calicoVersion' | 'defaultEndpointToHostAction'>> {
  /** Objects the cluster has besides dist/'s, evaluated with them. @default - none */
  readonly installed?: readonly CalicoObject[];
}

/**
 * Answers a query from the objects of one cluster folder. Felix's failsafe ports are Calico's
 * defaults wherever the objects do not set them (a cluster whose spec gives other lists and
 * needs no FelixConfiguration is explained with the defaults, the same in every minor).
 */
export function explain(objects: readonly CalicoObject[], text: string, context: ExplainContext = {}): ExplainResult {
  const parsed = parseQuery(text);
  if (!parsed.ok) return parsed;
  const { installed = [], ...modelContext } = context;
  return explainQuery(buildModel([...installed, ...objects], { failsafeDefaults: FAILSAFE_DEFAULTS[context.calicoVersion ?? DEFAULT_CALICO], ...modelContext }), parsed.query);
}

/** Evaluates a parsed query on a model; fails when it names a host whose address the objects do not give. */
export function explainQuery(model: Model, query: Query): ExplainResult {
  const assumptions: string[] = [];
  const addresses = ProbeAddresses.forModel(model);
  const nodes = [...new Set(model.hostEndpoints.map((h) => h.node))].sort();
  const knownIp = (p: PeerQuery): string | undefined => (p.kind === 'pod' ? p.ip : p.kind === 'ip' ? p.ip : (p.ip ?? hostEndpointOf(model, p)?.expectedIPs[0]));
  const familyOf = (ip: string | undefined): IpFamily | undefined => (ip === undefined ? undefined : ip.includes(':') ? 6 : 4);

  const resolve = (p: PeerQuery, other: PeerQuery, role: 'source' | 'destination'): Peer | QueryError => {
    const family = familyOf(knownIp(other));
    switch (p.kind) {
      case 'ip':
        return { kind: 'external', ip: p.ip };
      case 'host': {
        const hep = hostEndpointOf(model, p);
        const iface = p.interface ?? (hep ? (hep.interfaceName ?? '*') : '*');
        if (p.interface === undefined && hep) assumptions.push(`${role} host ${p.node}: interface ${iface} (host endpoint ${hep.name})`);
        let ip = p.ip;
        if (ip === undefined) {
          const candidates = hep?.expectedIPs ?? [];
          ip = candidates.find((a) => familyOf(a) === family) ?? candidates[0];
          if (ip === undefined) {
            return {
              code: 'unknown-address',
              message: hep ? `host endpoint ${hep.name} lists no expected IP for node ${p.node}` : `no host endpoint of the objects is on node ${JSON.stringify(p.node)}`,
              col: p.col,
              hint: `give the host's address: host ${p.node}${p.interface ? `/${p.interface}` : ''} ip <address>`,
            };
          }
          assumptions.push(`${role} host ${p.node}: address ${ip} (an expected IP of ${hep?.name ?? 'its host endpoint'})`);
        }
        return { kind: 'host', node: p.node, interface: iface, ip };
      }
      case 'pod': {
        const otherNode = other.kind === 'ip' ? undefined : other.node;
        const node = p.node ?? nodes.find((n) => n !== otherNode) ?? 'node-without-host-endpoint';
        // Traffic to other nodes leaves by the node's first named interface; without one only its `*` endpoint applies.
        const hostInterface = firstByName(model.hostEndpoints.filter((h) => h.node === node && h.interfaceName !== undefined && h.interfaceName !== '*'))?.interfaceName;
        if (p.node === undefined) assumptions.push(`${role} pod ${p.namespace}/${p.name ?? '…'}: on node ${node}${otherNode !== undefined ? ` (not ${otherNode}'s)` : ''}`);
        let ip = p.ip;
        if (ip === undefined) {
          const made = addresses.get(role === 'source' ? 'client-pod' : 'server-pod', family ?? 4);
          if (made === undefined) return { code: 'unknown-address', message: 'every pod address calico-shield would pick is in a network the objects name', col: p.col, hint: 'give the pod an address with ip <address>' };
          ip = made.text;
          assumptions.push(`${role} pod ${p.namespace}/${p.name ?? '…'}: address ${ip}, which no object names`);
        }
        return {
          kind: 'workload',
          namespace: p.namespace,
          ...(p.name !== undefined && { name: p.name }),
          labels: p.labels,
          ip,
          node,
          ...(hostInterface !== undefined && { hostInterface }),
        };
      }
    }
  };
  const source = resolve(query.source, query.destination, 'source');
  if ('code' in source) return { ok: false, error: source };
  const destination = resolve(query.destination, query.source, 'destination');
  if ('code' in destination) return { ok: false, error: destination };
  if (familyOf(source.ip) !== familyOf(destination.ip)) {
    return { ok: false, error: { code: 'mixed-families', message: `the source ${source.ip} and the destination ${destination.ip} are not of one IP family`, col: query.destination.col, hint: 'give addresses of one family with ip <address>' } };
  }
  const flow: Flow = { source, destination, protocol: query.protocol, port: query.port };
  const issues = model.issues.map((i) => `${i.severity}: ${i.object.kind} ${i.object.namespace === undefined ? '' : `${i.object.namespace}/`}${i.object.name} ${i.path}: ${i.message}`);
  return { ok: true, explanation: { verdict: evaluate(model, flow), assumptions, issues } };
}

/** The host endpoint a host query speaks of: its interface's or address's, else the node's first. */
function hostEndpointOf(model: Model, p: Extract<PeerQuery, { kind: 'host' }>): HostEndpoint | undefined {
  if (p.interface !== undefined) return model.hostEndpointFor(p.node, p.interface, p.ip);
  return (p.ip === undefined ? undefined : model.hostEndpointFor(p.node, undefined, p.ip)) ?? firstByName(model.hostEndpoints.filter((h) => h.node === p.node));
}

function firstByName(list: readonly HostEndpoint[]): HostEndpoint | undefined {
  return [...list].sort(compareByName)[0];
}

/** The answer as `explain` prints it: verdict, what decided, assumptions, steps. */
export function formatExplanation(e: Explanation): string {
  const { verdict } = e;
  const lines = [
    `${verdict.allowed ? 'allowed' : 'denied'}: ${verdict.steps[0] ?? ''}`,
    `decided by: ${describeDecision(verdict.decidedBy)}`,
    ...(e.assumptions.length > 0 ? ['assumed (not in the query):', ...e.assumptions.map((a) => `  ${a}`)] : []),
    ...(e.issues.length > 0 ? ['objects the model reads differently than Felix:', ...e.issues.map((i) => `  ${i}`)] : []),
    'steps:',
    ...verdict.steps.slice(1).map((s) => `  ${s}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** A query error with the query and a caret under the column at fault. */
export function formatQueryError(query: string, error: QueryError): string {
  const lines = [`error[${error.code}] at column ${error.col}: ${error.message}`, `  ${query}`, `  ${' '.repeat(Math.max(0, error.col - 1))}^`];
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  return `${lines.join('\n')}\n`;
}
