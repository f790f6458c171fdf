/**
 * Addresses for the probes' made-up peers (pods, outside hosts, node addresses no host
 * endpoint lists). Calico identifies peers by IP, so a made-up address must not be one the
 * objects give a meaning to: no host endpoint's expected IP, and outside every network of a
 * network set or a rule. Otherwise an "unlabelled pod" could be allowed only because its
 * address happens to lie in an allowed network.
 */
import { cidrContains, ipFromBytes, parseIp, type IpFamily, type ParsedCidr, type ParsedIp } from '../calico/net';
import type { Model } from './model';

/** What a made-up address stands for. */
export type AddressRole = 'client-pod' | 'server-pod' | 'local-pod' | 'external' | 'node';

// Readable first choices, each followed by a fallback should an allowed network cover it.
// 203.0.113.0/24 and 2001:db8::/32 are documentation ranges (RFC 5737, RFC 3849), 198.18.0.0/15
// is reserved for benchmarks (RFC 2544): none of them is an address a user's cluster owns.
const CANDIDATES: Readonly<Record<AddressRole, Readonly<Record<IpFamily, readonly string[]>>>> = {
  'client-pod': { 4: ['10.244.1.10', '100.64.1.10', '198.18.1.10'], 6: ['fd00:244:1::a', '2001:db8:1:1::a'] },
  'server-pod': { 4: ['10.244.2.10', '100.64.2.10', '198.18.2.10'], 6: ['fd00:244:2::a', '2001:db8:1:2::a'] },
  'local-pod': { 4: ['10.244.3.10', '100.64.3.10', '198.18.3.10'], 6: ['fd00:244:3::a', '2001:db8:1:3::a'] },
  external: { 4: ['203.0.113.10', '192.0.2.10', '198.51.100.10', '198.19.0.10'], 6: ['2001:db8:ffff::a', '2001:db8:fffe::a'] },
  node: { 4: ['198.18.0.10', '100.127.0.10', '10.255.0.10'], 6: ['fd00:198:18::a', '2001:db8:fffd::a'] },
};
/** Addresses (or networks skipped) tried after each candidate before the next one. */
const STEPS = 4096;

/** Which pod address of a pool each pod role takes: the pool's address plus this many 1/16ths of it. */
const POOL_SLOTS: Readonly<Partial<Record<AddressRole, number>>> = { 'client-pod': 1, 'server-pod': 2, 'local-pod': 3 };

export class ProbeAddresses {
  private readonly taken: Set<string>;
  private readonly given = new Map<string, ParsedIp | undefined>();

  /**
   * @param pools the cluster's IP pools: pods take their addresses in them (as Calico's IPAM
   *        gives them), every other made-up peer stays out of them
   */
  constructor(
    known: Iterable<string>,
    private readonly nets: readonly ParsedCidr[],
    private readonly pools: readonly ParsedCidr[] = [],
  ) {
    this.taken = new Set(known);
  }

  /** The known addresses of a model: host endpoint addresses, the networks of network sets and rules, and the IP pools. */
  static forModel(model: Model): ProbeAddresses {
    const ips = model.hostEndpoints.flatMap((h) => h.expectedIPs);
    const nets: ParsedCidr[] = model.networkSets.flatMap((s) => s.nets.map((n) => n.cidr));
    for (const p of model.policies) {
      for (const r of [...p.ingress, ...p.egress]) {
        for (const e of [r.source, r.destination]) nets.push(...(e.nets ?? []), ...(e.notNets ?? []));
      }
    }
    return new ProbeAddresses(ips, nets, (model.environment?.ipPools ?? []).map((p) => p.cidr));
  }

  /**
   * One address per role and family, the same on every call; undefined when networks the
   * objects name cover every candidate (an allowed network of `0.0.0.0/0`, say).
   */
  get(role: AddressRole, family: IpFamily): ParsedIp | undefined {
    const key = `${role}/${family}`;
    if (this.given.has(key)) return this.given.get(key);
    const slot = POOL_SLOTS[role];
    const inPools = slot === undefined ? [] : this.pools.filter((p) => p.family === family).map((p) => poolAddress(p, slot).text);
    // Pods in a pool of their family when there is one; everything else outside every pool.
    const found = inPools.length > 0 ? this.find(inPools, []) : this.find(CANDIDATES[role][family], slot === undefined ? this.pools : []);
    if (found) this.taken.add(found.text);
    this.given.set(key, found);
    return found;
  }

  /**
   * An address for a probe's destination (a node address no host endpoint lists, a server's
   * pod): a free one if there is, else the first candidate, which then lies in a network the
   * objects name. A destination's address only matters to destination rules, which
   * calico-shield does not write.
   */
  target(role: 'server-pod' | 'node', family: IpFamily): ParsedIp {
    return this.get(role, family) ?? mustParse(CANDIDATES[role][family][0] as string);
  }

  private find(candidates: readonly string[], avoid: readonly ParsedCidr[]): ParsedIp | undefined {
    const nets = [...this.nets, ...avoid];
    for (const text of candidates) {
      let bytes: Uint8Array | undefined = mustParse(text).bytes;
      for (let step = 0; step < STEPS && bytes !== undefined; step++) {
        const ip = ipFromBytes(bytes);
        const covering = nets.find((n) => cidrContains(n, ip));
        if (covering === undefined && !this.taken.has(ip.text)) return ip;
        // Skip the whole network rather than its addresses one by one (think of 0.0.0.0/0).
        bytes = covering === undefined ? increment(bytes) : afterNetwork(covering);
      }
    }
    return undefined;
  }
}

/** An address of the pool: its network address plus `slot` sixteenths of its size, plus 10 where there is room. */
function poolAddress(pool: ParsedCidr, slot: number): ParsedIp {
  const bits = pool.family === 4 ? 32 : 128;
  const hostBits = BigInt(bits - pool.prefixLength);
  const size = 1n << hostBits;
  const step = size >= 16n ? size / 16n : 1n;
  const offset = (BigInt(slot) * step + (step > 20n ? 10n : 0n)) % size;
  const bytes = Uint8Array.from(pool.address.bytes);
  let carry = offset;
  for (let i = bytes.length - 1; i >= 0 && carry > 0n; i--) {
    const sum = BigInt(bytes[i] as number) + (carry & 0xffn);
    bytes[i] = Number(sum & 0xffn);
    carry = (carry >> 8n) + (sum >> 8n);
  }
  return ipFromBytes(bytes);
}

function mustParse(text: string): ParsedIp {
  const parsed = parseIp(text);
  if (!parsed.ok) throw new Error(`probe address candidate ${text} is not an address`);
  return parsed.ip;
}

/** The first address after a network, or undefined at the end of the address space. */
function afterNetwork(cidr: ParsedCidr): Uint8Array | undefined {
  const last = cidr.address.bytes.map((b, i) => {
    const kept = Math.min(Math.max(cidr.prefixLength - 8 * i, 0), 8);
    return b | (0xff >> kept);
  });
  const next = increment(last);
  return next.every((b) => b === 0) ? undefined : next;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    next[i] = (next[i] + 1) & 0xff;
    if (next[i] !== 0) break;
  }
  return next;
}

/**
 * The first host of a network, the address a probe from "inside an allowed network" uses:
 * the network address itself for a /32 or /128 (and /31, /127, which have no network address).
 */
export function firstHost(cidr: ParsedCidr): ParsedIp {
  const bits = cidr.family === 4 ? 32 : 128;
  return cidr.prefixLength >= bits - 1 ? cidr.address : ipFromBytes(increment(cidr.address.bytes));
}
