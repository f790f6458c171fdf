/**
 * The rules every name, label, interface name, port and protocol calico-shield writes must pass.
 *
 * A value that breaks a rule is the user's mistake, so it comes back as a {@link Problem}
 * (data, never an exception); only misuse of these functions by calico-shield itself throws.
 * The rules are Kubernetes' own (k8s.io/apimachinery `pkg/util/validation` and
 * `pkg/api/validate/content`) and Calico's (libcalico-go `lib/validator/v3/validator.go`, as
 * shipped in Calico v3.32), so nothing calico-shield emits is refused by the API server or
 * silently ignored by Calico.
 */

import { createHash } from 'node:crypto';

/** A rule a value breaks: what is wrong (naming the value) and how to fix it. */
export interface Problem {
  readonly message: string;
  readonly hint?: string;
}

/** The Calico resource kinds calico-shield writes. */
export type ResourceKind =
  | 'HostEndpoint'
  | 'GlobalNetworkPolicy'
  | 'NetworkPolicy'
  | 'GlobalNetworkSet'
  | 'NetworkSet'
  | 'FelixConfiguration'
  | 'KubeControllersConfiguration';

/** Values whose quoted form is longer than this are cut in messages, so a 10 kB mistake does not flood the report. */
const QUOTE_FULL_MAX = 100;
/** How much of a cut value a message keeps. */
const QUOTE_CUT_AT = 60;

/**
 * Characters a terminal, a CI log or a code review would not show as themselves: control
 * characters (C0, DEL, C1: ESC c resets a terminal, BEL rings), bidirectional overrides and
 * isolates (U+202E turns the rest of a line around), zero-width and invisible formatting
 * characters, line and paragraph separators, lone surrogates.
 */
export const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'gu');

/** One hidden character as a JSON-style escape, `\u001b`. */
const escapeHidden = (ch: string): string => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;

/**
 * Text for a terminal or a log: every hidden character (see HIDDEN) escaped as `\u…`, except
 * line breaks and tabs, which lay the text out.
 */
export function escapeHiddenCharacters(text: string): string {
  return HIDDEN.test(text) ? text.replace(HIDDEN_ALL, (ch) => (ch === '\n' || ch === '\t' ? ch : escapeHidden(ch))) : text;
}

/**
 * The value as a JSON string for a message, cut to 60 characters when its quoted form is longer than 100.
 *
 * JSON escapes make quotes, newlines and control characters visible, and so does this for the
 * other characters a reader would not see (bidirectional overrides, zero-width characters); a
 * cut value says how long the original was.
 */
export function quote(value: string): string {
  let shown = '';
  let cut: string | undefined;
  for (const ch of value) {
    const json = JSON.stringify(ch).slice(1, -1);
    const escaped = json === ch && HIDDEN.test(ch) ? escapeHidden(ch) : json;
    if (cut === undefined && shown.length + escaped.length > QUOTE_CUT_AT) cut = shown;
    shown += escaped;
    if (shown.length > QUOTE_FULL_MAX) return `"${cut ?? shown}"… (${value.length} characters)`;
  }
  return `"${shown}"`;
}

/** One broken rule, phrased to follow a subject: "it …", "its prefix "x" …". */
interface Flaw {
  readonly reason: string;
  readonly hint?: string;
}

/** `"value" is not a valid <what>: <subject> <reason>`, with the guessed fix as hint when there is one. */
function problem(value: string, what: string, flaw: Flaw, suggestion?: string, subject = 'it'): Problem {
  const message = `${quote(value)} is not a valid ${what}: ${subject} ${flaw.reason}`;
  const hint = suggestion === undefined ? flaw.hint : `did you mean ${JSON.stringify(suggestion)}?`;
  return hint === undefined ? { message } : { message, hint };
}

// ---------------------------------------------------------------------------------------------
// Characters

const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';
const isLower = (ch: string): boolean => ch >= 'a' && ch <= 'z';
const isUpper = (ch: string): boolean => ch >= 'A' && ch <= 'Z';
const isLowerAlnum = (ch: string): boolean => isLower(ch) || isDigit(ch);
const isAlnum = (ch: string): boolean => isLowerAlnum(ch) || isUpper(ch);
const isAscii = (ch: string): boolean => (ch.codePointAt(0) ?? 0) <= 0x7f;

/**
 * A character as a message shows it: JSON-quoted, plus its code point when it is not printable
 * ASCII, so a Cyrillic "а" (U+0430) or a newline cannot pass for something else.
 */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const quoted = JSON.stringify(ch);
  if (code > 0x20 && code < 0x7f) return quoted;
  return `${quoted} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

const NOT_ASCII_HINT =
  'retype it using plain ASCII characters only: a character outside ASCII may look like a Latin letter, digit or punctuation mark but is a different character';

// ---------------------------------------------------------------------------------------------
// Names built from a character set with letters or digits at both ends

interface NameRule {
  /** Longest accepted value; values that pass the character rule are ASCII, so characters = bytes. */
  readonly maxLength: number;
  readonly isAllowed: (ch: string) => boolean;
  readonly isEdge: (ch: string) => boolean;
  /** The allowed characters in words, for hints. */
  readonly allowed: string;
  /** DNS-1123 subdomain: each part between dots must itself start and end with a letter or digit. */
  readonly dotSeparated: boolean;
  readonly emptyAllowed: boolean;
  readonly lowerCaseOnly: boolean;
  /** A rule-specific explanation for a refused character, when the generic one would mislead. */
  readonly explain?: (ch: string, index: number) => Flaw | undefined;
}

/**
 * DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
 *
 * @see k8s.io/apimachinery/pkg/util/validation IsDNS1123Label (dns1123LabelFmt, DNS1123LabelMaxLength)
 */
const DNS_LABEL: NameRule = {
  maxLength: 63,
  isAllowed: (ch) => isLowerAlnum(ch) || ch === '-',
  isEdge: isLowerAlnum,
  allowed: "lower-case letters, digits and '-'",
  dotSeparated: false,
  emptyAllowed: false,
  lowerCaseOnly: true,
};

/**
 * DNS-1123 subdomain: DNS-1123 labels joined by '.', at most 253 characters.
 *
 * @see k8s.io/apimachinery/pkg/util/validation IsDNS1123Subdomain (dns1123SubdomainFmt, DNS1123SubdomainMaxLength)
 */
const DNS_SUBDOMAIN: NameRule = {
  ...DNS_LABEL,
  maxLength: 253,
  isAllowed: (ch) => isLowerAlnum(ch) || ch === '-' || ch === '.',
  allowed: "lower-case letters, digits, '-' and '.'",
  dotSeparated: true,
};

/**
 * The name of a calico-shield (Global)NetworkPolicy: Calico's `nameLabelFmt` with no dot, at
 * most 245 characters.
 *
 * Calico v3.32.1 accepts a DNS-1123 label with at most one dot, up to 253 characters
 * (libcalico-go/lib/validator/v3/validator.go:78-82, 1864-1895, 2085-2115): v3.32 dropped the
 * tier prefixes of policy names. calico-shield is stricter on purpose, so that a name means the
 * same policy on the releases before v3.32 as well:
 * - up to v3.31, Calico read the text before the first '.' as the policy's tier
 *   (v3.31.7 libcalico-go/lib/names/policy.go:52 TierFromPolicyName), and "default.x" and "x"
 *   were two different policies (projectcalico/calico#9615). calico-shield writes to the default
 *   tier, so: no dots.
 * - up to v3.31, with the Kubernetes datastore, Calico stored a default-tier policy in its
 *   crd.projectcalico.org/v1 resource under "default.<name>" (v3.31.7 libcalico-go/lib/names/policy.go:132
 *   TieredPolicyName), and that stored name had to fit Kubernetes' 253 characters:
 *   253 − "default.".length = 245.
 */
const POLICY_NAME: NameRule = {
  ...DNS_LABEL,
  maxLength: 253 - 'default.'.length,
  explain: (ch, index) =>
    ch === '.'
      ? {
          reason: `contains "." at character ${index}; Calico v3.32 accepts one dot, but releases before it read the text before a dot in a policy name as the policy's tier, so calico-shield writes policy names without dots`,
          hint: "use '-' instead of '.'",
        }
      : undefined,
};

/**
 * The name part of a label key (a Kubernetes qualified name): `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63.
 *
 * @see k8s.io/apimachinery/pkg/api/validate/content IsLabelKey (labelKeyFmt, labelKeyMaxLength)
 */
const LABEL_NAME: NameRule = {
  maxLength: 63,
  isAllowed: (ch) => isAlnum(ch) || ch === '-' || ch === '_' || ch === '.',
  isEdge: isAlnum,
  allowed: "letters, digits, '-', '_' and '.'",
  dotSeparated: false,
  emptyAllowed: false,
  lowerCaseOnly: false,
};

/**
 * A label value: empty, or the label key name format, at most 63 characters.
 *
 * @see k8s.io/apimachinery/pkg/api/validate/content IsLabelValue (labelValueFmt, LabelValueMaxLength)
 */
const LABEL_VALUE: NameRule = { ...LABEL_NAME, emptyAllowed: true };

function characterFlaw(ch: string, index: number, rule: NameRule): Flaw {
  const explained = rule.explain?.(ch, index);
  if (explained) return explained;
  if (!isAscii(ch)) {
    return { reason: `contains ${describeChar(ch)} at character ${index}, which is not ASCII`, hint: NOT_ASCII_HINT };
  }
  if (rule.lowerCaseOnly && isUpper(ch)) {
    return { reason: `contains the upper-case letter ${describeChar(ch)} at character ${index}`, hint: 'use lower case' };
  }
  return { reason: `contains ${describeChar(ch)} at character ${index}`, hint: `use only ${rule.allowed}` };
}

function nameFlaw(value: string, rule: NameRule): Flaw | undefined {
  if (value === '') {
    return rule.emptyAllowed ? undefined : { reason: 'is empty', hint: `give a name made of ${rule.allowed}` };
  }
  // Length first, as Kubernetes does: a 10 kB value gets one clear complaint.
  if (value.length > rule.maxLength) {
    return {
      reason: `is ${value.length} characters long; the maximum is ${rule.maxLength}`,
      hint: `shorten it to ${rule.maxLength} characters or fewer`,
    };
  }
  let index = 0;
  for (const ch of value) {
    index += 1;
    if (!rule.isAllowed(ch)) return characterFlaw(ch, index, rule);
  }
  // Every character is allowed, hence ASCII: indexing by code unit is safe from here on.
  const edgeHint = 'start and end it with a letter or digit';
  if (!rule.isEdge(value[0])) {
    return { reason: `starts with ${describeChar(value[0])}; it must start with a letter or digit`, hint: edgeHint };
  }
  const last = value[value.length - 1];
  if (!rule.isEdge(last)) {
    return { reason: `ends with ${describeChar(last)}; it must end with a letter or digit`, hint: edgeHint };
  }
  if (rule.dotSeparated) {
    for (const part of value.split('.')) {
      if (part === '') return { reason: 'has two dots in a row', hint: 'remove the extra dot' };
      if (!rule.isEdge(part[0]) || !rule.isEdge(part[part.length - 1])) {
        return {
          reason: `has the part ${JSON.stringify(part)}; each part between dots must start and end with a letter or digit`,
          hint: "remove the '-' next to the dot",
        };
      }
    }
  }
  return undefined;
}

/**
 * A valid name close to `value` (lower-cased, each run of bad characters turned into one '-'),
 * or undefined when no honest guess exists: too long, empty, or non-ASCII (a look-alike letter
 * cannot be told from the letter the user meant).
 */
function suggestName(value: string, rule: NameRule): string | undefined {
  if (value.length > rule.maxLength || ![...value].every(isAscii)) return undefined;
  const source = rule.lowerCaseOnly ? value.toLowerCase() : value;
  let fixed = '';
  let inBadRun = false;
  for (const ch of source) {
    if (rule.isAllowed(ch)) {
      fixed += ch;
      inBadRun = false;
    } else if (!inBadRun) {
      fixed += '-';
      inBadRun = true;
    }
  }
  if (rule.dotSeparated) fixed = fixed.replace(/\.{2,}/g, '.').replace(/-+\./g, '.').replace(/\.-+/g, '.');
  let start = 0;
  let end = fixed.length;
  while (start < end && !rule.isEdge(fixed[start])) start += 1;
  while (end > start && !rule.isEdge(fixed[end - 1])) end -= 1;
  fixed = fixed.slice(start, end);
  return fixed !== '' && fixed !== value && nameFlaw(fixed, rule) === undefined ? fixed : undefined;
}

/** A problem for `value` under `rule`; length and emptiness get no guessed fix. */
function checkName(value: string, what: string, rule: NameRule): Problem | undefined {
  const flaw = nameFlaw(value, rule);
  return flaw && problem(value, what, flaw, suggestName(value, rule));
}

// ---------------------------------------------------------------------------------------------
// Public checks

/**
 * Checks a DNS-1123 subdomain: at most 253 characters of lower-case letters, digits, '-' and
 * '.', each dot-separated part starting and ending with a letter or digit.
 *
 * @see k8s.io/apimachinery/pkg/util/validation IsDNS1123Subdomain
 */
export function checkDns1123Subdomain(value: string): Problem | undefined {
  return checkName(value, 'DNS-1123 subdomain', DNS_SUBDOMAIN);
}

/**
 * Checks a DNS-1123 label: at most 63 characters of lower-case letters, digits and '-',
 * starting and ending with a letter or digit.
 *
 * @see k8s.io/apimachinery/pkg/util/validation IsDNS1123Label
 */
export function checkDns1123Label(value: string): Problem | undefined {
  return checkName(value, 'DNS-1123 label', DNS_LABEL);
}

/** Prefixes Calico gives policy names itself (libcalico-go lib/names/policy.go). */
const RESERVED_POLICY_PREFIXES: ReadonlyArray<readonly [prefix: string, owner: string]> = [
  ['knp.default.', 'Calico reserves for policies it converts from Kubernetes NetworkPolicies'],
  ['kcnp.', 'Calico reserves for policies it converts from Kubernetes ClusterNetworkPolicies'],
  ['ossg.', 'Calico reserves for policies it converts from OpenStack security groups'],
];

function policyNameFlaw(name: string): { flaw: Flaw; suggestion?: string } | undefined {
  if (name.startsWith('default.')) {
    const rest = name.slice('default.'.length);
    return {
      flaw: {
        reason:
          'starts with "default.", which Calico releases before v3.32 read as the default tier\'s prefix; calico-shield writes policies to the default tier under their bare name, and "default.<name>" and "<name>" would be two different policies',
        hint: 'drop the "default." prefix',
      },
      suggestion: nameFlaw(rest, POLICY_NAME) === undefined ? rest : undefined,
    };
  }
  for (const [prefix, owner] of RESERVED_POLICY_PREFIXES) {
    if (name.startsWith(prefix)) {
      return { flaw: { reason: `starts with ${JSON.stringify(prefix)}, which ${owner}`, hint: 'choose a name without this prefix' } };
    }
  }
  const flaw = nameFlaw(name, POLICY_NAME);
  return flaw && { flaw, suggestion: suggestName(name, POLICY_NAME) };
}

/**
 * The longest name calico-shield gives a resource of this kind (for {@link shortenName}).
 *
 * Policies: 245 (see POLICY_NAME). Every other kind: Calico checks names against the DNS-1123
 * subdomain format and 253 characters (libcalico-go validator.go validateObjectMeta).
 */
export function resourceNameMaxLength(kind: ResourceKind): number {
  return kind === 'GlobalNetworkPolicy' || kind === 'NetworkPolicy' ? POLICY_NAME.maxLength : DNS_SUBDOMAIN.maxLength;
}

/**
 * Checks a resource name against Calico's rules for its kind.
 *
 * - GlobalNetworkPolicy, NetworkPolicy: lower-case letters, digits and '-', no dot, at most 245
 *   characters, no "default." tier prefix nor a prefix Calico reserves (see POLICY_NAME).
 * - KubeControllersConfiguration: exactly "default", the only one calico-kube-controllers reads
 *   (docs.tigera.io/calico/latest/reference/resources/kubecontrollersconfig: "Must be default").
 * - HostEndpoint, GlobalNetworkSet, NetworkSet, FelixConfiguration: a DNS-1123 subdomain of at
 *   most 253 characters (validator.go validateObjectMeta, nameRegex). FelixConfiguration names
 *   carry meaning ("default", "node.<node name>") but any valid name is accepted.
 */
export function checkResourceName(kind: ResourceKind, name: string): Problem | undefined {
  const what = `${kind} name`;
  switch (kind) {
    case 'GlobalNetworkPolicy':
    case 'NetworkPolicy': {
      const found = policyNameFlaw(name);
      return found && problem(name, what, found.flaw, found.suggestion);
    }
    case 'KubeControllersConfiguration':
      return name === 'default'
        ? undefined
        : problem(name, what, {
            reason: 'is not "default"; calico-kube-controllers reads only the KubeControllersConfiguration named "default"',
            hint: 'name it "default"',
          });
    case 'HostEndpoint':
    case 'GlobalNetworkSet':
    case 'NetworkSet':
    case 'FelixConfiguration':
      return checkName(name, what, DNS_SUBDOMAIN);
  }
}

/**
 * Checks a Kubernetes namespace name: a DNS-1123 label.
 *
 * @see k8s.io/apimachinery/pkg/api/validation ValidateNamespaceName
 */
export function checkNamespace(value: string): Problem | undefined {
  return checkName(value, 'namespace name', DNS_LABEL);
}

/**
 * Checks a Kubernetes node name (a HostEndpoint's spec.node): a DNS-1123 subdomain.
 *
 * @see k8s.io/kubernetes/pkg/apis/core/validation ValidateNodeName (NameIsDNSSubdomain)
 */
export function checkNodeName(value: string): Problem | undefined {
  return checkName(value, 'node name', DNS_SUBDOMAIN);
}

/**
 * Checks a label key: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63
 * letters, digits, '-', '_' and '.' that starts and ends with a letter or digit.
 *
 * Calico validates labels with this same Kubernetes rule (validator.go validateLabels,
 * IsQualifiedName), and every such key is also a label name its selector language can spell
 * (libcalico-go lib/selector/tokenizer LabelKeyMatcher `[a-zA-Z0-9_./-]{1,512}`).
 *
 * @see k8s.io/apimachinery/pkg/api/validate/content IsLabelKey
 */
export function checkLabelKey(key: string): Problem | undefined {
  // A cluster's host endpoints repeat a few label keys thousands of times.
  if (validLabelKeys.has(key)) return undefined;
  const problem = checkLabelKeyUncached(key);
  if (problem === undefined && validLabelKeys.size < VALID_LABEL_KEYS_LIMIT) validLabelKeys.add(key);
  return problem;
}

const validLabelKeys = new Set<string>();
const VALID_LABEL_KEYS_LIMIT = 10_000;

function checkLabelKeyUncached(key: string): Problem | undefined {
  const what = 'label key';
  const parts = key.split('/');
  if (parts.length > 2) {
    return problem(key, what, {
      reason: `contains ${parts.length - 1} '/' characters; a label key has at most one, after its optional prefix`,
      hint: 'write it as "name" or "prefix/name", e.g. "example.com/my-label"',
    });
  }
  const [prefix, name] = parts.length === 2 ? [parts[0], parts[1]] : [undefined, parts[0]];
  if (prefix === '') {
    return problem(key, what, {
      reason: "has an empty prefix before '/'",
      hint: 'remove the \'/\' or put a DNS subdomain before it, e.g. "example.com/my-label"',
    });
  }
  const prefixFlaw = prefix === undefined ? undefined : nameFlaw(prefix, DNS_SUBDOMAIN);
  const ownNameFlaw = nameFlaw(name, LABEL_NAME);
  const fixedName = ownNameFlaw === undefined ? name : suggestName(name, LABEL_NAME);
  let suggestion: string | undefined;
  if (prefix === undefined) suggestion = fixedName;
  else {
    const fixedPrefix = prefixFlaw === undefined ? prefix : suggestName(prefix, DNS_SUBDOMAIN);
    suggestion = fixedPrefix === undefined || fixedName === undefined ? undefined : `${fixedPrefix}/${fixedName}`;
  }
  if (prefix !== undefined && prefixFlaw !== undefined) {
    return problem(key, what, prefixFlaw, suggestion, `its prefix ${quote(prefix)}`);
  }
  if (ownNameFlaw !== undefined) {
    return problem(key, what, ownNameFlaw, suggestion, prefix === undefined ? 'it' : `its name ${quote(name)}`);
  }
  return undefined;
}

/**
 * Checks a label value: empty, or at most 63 letters, digits, '-', '_' and '.' that start and
 * end with a letter or digit.
 *
 * @see k8s.io/apimachinery/pkg/api/validate/content IsLabelValue
 */
export function checkLabelValue(value: string): Problem | undefined {
  return checkName(value, 'label value', LABEL_VALUE);
}

/**
 * Longest Linux interface name: IFNAMSIZ (16) minus the terminating NUL.
 *
 * @see linux net/core/dev.c dev_valid_name
 */
const INTERFACE_MAX_LENGTH = 15;

/**
 * Checks a HostEndpoint interfaceName: "*" (all of the host's interfaces) or one Linux
 * interface name.
 *
 * Calico accepts `^[a-zA-Z0-9_.-]{1,15}$` or "*" (libcalico-go validator.go validateInterface,
 * interfaceRegex; the v3.32 CRD also caps it at 15). Linux additionally refuses "." and ".."
 * (net/core/dev.c dev_valid_name), which Calico's pattern lets through.
 */
export function checkInterfaceName(value: string): Problem | undefined {
  if (value === '*') return undefined;
  const what = 'interface name';
  if (value === '') {
    return problem(value, what, {
      reason: 'is empty',
      hint: 'give the name `ip link` shows, e.g. "eth0", or "*" for all of the host\'s interfaces',
    });
  }
  if (value.length > INTERFACE_MAX_LENGTH) {
    return problem(value, what, {
      reason: `is ${value.length} characters long; Linux interface names have at most ${INTERFACE_MAX_LENGTH}`,
      hint: 'give the name `ip link` shows for the interface',
    });
  }
  let index = 0;
  for (const ch of value) {
    index += 1;
    if (isAlnum(ch) || ch === '_' || ch === '.' || ch === '-') continue;
    if (ch === '*' || ch === '+') {
      return problem(value, what, {
        reason: `contains the wildcard ${describeChar(ch)} at character ${index}; a HostEndpoint names one interface`,
        hint: 'write "*" alone for all of the host\'s interfaces, or one HostEndpoint per interface',
      });
    }
    return problem(value, what, {
      reason: `contains ${describeChar(ch)} at character ${index}`,
      hint: isAscii(ch) ? "Calico accepts only letters, digits, '_', '.' and '-' in interface names" : NOT_ASCII_HINT,
    });
  }
  if (value === '.' || value === '..') {
    return problem(value, what, {
      reason: 'is a directory name, which Linux refuses as an interface name',
      hint: 'give the name `ip link` shows for the interface',
    });
  }
  return undefined;
}

const MAX_PORT = 65535;

/**
 * Why `port` is not a port number, if it is not.
 *
 * Calico ports are 1–65535 (libcalico-go validator.go validatePort: "port number must be
 * between 1 and 65535"; the v3.32 CRDs set maximum 65535).
 */
function portFlaw(port: number): Flaw | undefined {
  if (!Number.isInteger(port)) return { reason: 'is not a whole number', hint: `ports are whole numbers from 1 to ${MAX_PORT}` };
  if (port === 0) return { reason: `is outside 1–${MAX_PORT}`, hint: 'port 0 cannot be matched; give the port the server listens on' };
  if (port < 0) return { reason: `is outside 1–${MAX_PORT}`, hint: 'ports are never negative; give the port the server listens on' };
  if (port > MAX_PORT) return { reason: `is outside 1–${MAX_PORT}`, hint: `the highest port is ${MAX_PORT}` };
  return undefined;
}

/** Checks a port number: a whole number from 1 to 65535. */
export function checkPort(port: number): Problem | undefined {
  const flaw = portFlaw(port);
  return flaw && { message: `port ${port} is not valid: it ${flaw.reason}`, hint: flaw.hint };
}

/**
 * Checks a Calico port range "from:to": both valid ports, from below to.
 *
 * Calico also accepts from == to, but that is a single port and is written as one.
 */
export function checkPortRange(from: number, to: number): Problem | undefined {
  const range = `${from}:${to}`;
  const fromFlaw = portFlaw(from);
  if (fromFlaw) return { message: `port range ${range} is not valid: its start ${from} ${fromFlaw.reason}`, hint: fromFlaw.hint };
  const toFlaw = portFlaw(to);
  if (toFlaw) return { message: `port range ${range} is not valid: its end ${to} ${toFlaw.reason}`, hint: toFlaw.hint };
  if (from === to) return { message: `port range ${range} is not valid: it covers a single port`, hint: `write the port ${from} instead` };
  if (from > to) return { message: `port range ${range} is not valid: it starts after it ends`, hint: `did you mean ${to}:${from}?` };
  return undefined;
}

/**
 * Protocol names Calico knows besides TCP and UDP (libcalico-go validator.go protocolRegex),
 * and the IANA numbers of TCP and UDP, which Calico also accepts.
 */
const OTHER_CALICO_PROTOCOLS = ['ICMP', 'ICMPV6', 'SCTP', 'UDPLITE'];
const PROTOCOL_NUMBERS: Readonly<Record<string, 'TCP' | 'UDP'>> = { '6': 'TCP', '17': 'UDP' };

/**
 * Checks the protocol of a protected server: "TCP" or "UDP", spelled as Calico spells them.
 *
 * Calico's protocol names are case-sensitive (validator.go protocolRegex
 * `^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$`); protected servers listen on TCP or UDP only.
 */
export function checkProtocol(value: string): Problem | undefined {
  if (value === 'TCP' || value === 'UDP') return undefined;
  const what = 'protocol';
  const cleaned = value.trim().toUpperCase();
  if (cleaned === 'TCP' || cleaned === 'UDP') {
    const reason = value.trim() !== value ? 'has spaces around it' : "is not in upper case; Calico's protocol names are case-sensitive";
    return problem(value, what, { reason, hint: `write ${JSON.stringify(cleaned)}` });
  }
  const named = PROTOCOL_NUMBERS[value.trim()];
  if (named !== undefined) {
    return problem(value, what, {
      reason: 'is a protocol number; calico-shield writes protocols by name',
      hint: `write ${JSON.stringify(named)}`,
    });
  }
  if (OTHER_CALICO_PROTOCOLS.includes(cleaned) || /^[0-9]+$/.test(value)) {
    return problem(value, what, {
      reason: 'is not TCP or UDP; calico-shield protects only servers that listen on TCP or UDP',
      hint: 'use "TCP" or "UDP"',
    });
  }
  return problem(value, what, { reason: 'is not "TCP" or "UDP"', hint: 'use "TCP" or "UDP"' });
}

/** Hex characters of the SHA-256 digest that make a shortened name unique. */
const HASH_CHARS = 10;

/**
 * A name that fits `maxLength`: `name` itself when it fits, else a prefix of it, '-' and the
 * first 10 hex characters of the SHA-256 of the whole name.
 *
 * Deterministic, so re-running calico-shield keeps names stable; distinct names give distinct
 * results (2^40 hash values). The prefix loses any trailing '-' or '.', so a valid DNS-1123
 * label or subdomain stays valid. Throws when `maxLength` leaves no room for a prefix (a bug in
 * the caller, not the user's input).
 */
export function shortenName(name: string, maxLength: number): string {
  if (!Number.isInteger(maxLength) || maxLength < HASH_CHARS + 2) {
    throw new RangeError(`shortenName: maxLength must be a whole number of at least ${HASH_CHARS + 2}, got ${maxLength}`);
  }
  if (name.length <= maxLength) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_CHARS);
  let end = maxLength - HASH_CHARS - 1;
  while (end > 0 && (name[end - 1] === '-' || name[end - 1] === '.')) end -= 1;
  return end === 0 ? hash : `${name.slice(0, end)}-${hash}`;
}
