import { createHash } from 'node:crypto';
import {
  checkDns1123Label,
  checkDns1123Subdomain,
  checkInterfaceName,
  checkLabelKey,
  checkLabelValue,
  checkNamespace,
  checkNodeName,
  checkPort,
  checkPortRange,
  checkProtocol,
  checkResourceName,
  escapeHiddenCharacters,
  Problem,
  quote,
  resourceNameMaxLength,
  ResourceKind,
  shortenName,
} from '../../lib/calico/validate';

const CYRILLIC_A = '\u0430'; // "а", looks like the Latin "a"
const TEN_KB = 'a'.repeat(10 * 1024);
const a = (n: number): string => 'a'.repeat(n);
const sixtyA = a(60);

/** An expected problem: exact message, and exact hint (undefined = no hint). */
type Expected = readonly [message: string, hint: string | undefined];

/** A test title for a value: JSON, or its start and length when long. */
const title = (value: string): string =>
  value.length > 24 ? `${JSON.stringify(value.slice(0, 8))}… (${value.length} characters)` : JSON.stringify(value);

/** Values as [title, value] rows, so long values keep test names short. */
const accepted = (values: readonly string[]): Array<readonly [string, string]> => values.map((value) => [title(value), value] as const);

/** [value, expected] rows as [title, value, expected]. */
const rejected = (rows: ReadonlyArray<readonly [string, Expected]>): Array<readonly [string, string, Expected]> =>
  rows.map(([value, expected]) => [title(value), value, expected] as const);

function expectProblem(actual: Problem | undefined, [message, hint]: Expected): void {
  expect(actual).toEqual(hint === undefined ? { message } : { message, hint });
}

/** Inputs no name, label, interface or protocol may accept: a look-alike letter, quotes, spaces, selector syntax, 10 kB. */
const HOSTILE: ReadonlyArray<readonly [label: string, value: string]> = [
  ['a Cyrillic look-alike "а"', `c${CYRILLIC_A}lico`],
  ['a lone Cyrillic "а"', CYRILLIC_A],
  ['a double quote', 'a"b'],
  ['a single quote', "a'b"],
  ['a space', 'a b'],
  ['a leading space', ' ab'],
  ['a trailing space', 'ab '],
  ['a newline', 'a\nb'],
  ['a tab', 'a\tb'],
  ['"||"', 'a||b'],
  ['"&&"', 'a&&b'],
  ['")"', 'a)b'],
  ['"=="', 'a==b'],
  ['"!"', 'a!b'],
  ['a NUL', 'a\u0000b'],
  ['an emoji', 'a\u{1F600}b'],
  ['a 10 kB string', TEN_KB],
];

const STRING_CHECKS: ReadonlyArray<readonly [name: string, check: (value: string) => Problem | undefined]> = [
  ['checkDns1123Subdomain', checkDns1123Subdomain],
  ['checkDns1123Label', checkDns1123Label],
  ['checkNamespace', checkNamespace],
  ['checkNodeName', checkNodeName],
  ['checkLabelKey', checkLabelKey],
  ['checkLabelValue', checkLabelValue],
  ['checkInterfaceName', checkInterfaceName],
  ['checkProtocol', checkProtocol],
  ...(
    [
      'HostEndpoint',
      'GlobalNetworkPolicy',
      'NetworkPolicy',
      'GlobalNetworkSet',
      'NetworkSet',
      'FelixConfiguration',
      'KubeControllersConfiguration',
    ] as const
  ).map((kind) => [`checkResourceName(${kind})`, (value: string) => checkResourceName(kind, value)] as const),
];

describe.each(STRING_CHECKS)('%s', (_name, check) => {
  it.each(HOSTILE)('fails on %s, naming the value', (_label, value) => {
    const problem = check(value);
    expect(problem?.message.startsWith(`${quote(value)} is not a valid `)).toBe(true);
  });

  it('fails on a 10 kB string with a message cut to about 60 characters of it', () => {
    const message = check(TEN_KB)?.message ?? '';
    expect(message.startsWith(`"${sixtyA}"… (10240 characters) is not a valid `)).toBe(true);
    expect(message.length).toBeLessThan(250);
  });
});

describe('quote', () => {
  it.each([
    ['a plain value', 'eth0', '"eth0"'],
    ['a double quote', 'a"b', '"a\\"b"'],
    ['a newline', 'a\nb', '"a\\nb"'],
    ['the empty string', '', '""'],
    ['98 characters, whole', a(98), `"${a(98)}"`],
    ['101 characters, cut', a(101), `"${sixtyA}"… (101 characters)`],
    ['10 kB, cut', TEN_KB, `"${sixtyA}"… (10240 characters)`],
    ['ESC c and BEL', '\u001bc\u0007', '"\\u001bc\\u0007"'],
    ['DEL and a C1 control', '\u007f\u009b', '"\\u007f\\u009b"'],
    ['a right-to-left override', 'a\u202eb', '"a\\u202eb"'],
    ['a zero-width space and a byte-order mark', 'a\u200b\ufeff', '"a\\u200b\\ufeff"'],
    ['a line separator', 'a\u2028b', '"a\\u2028b"'],
    ['letters and symbols a reader sees', 'é✅⚠️', '"é✅⚠️"'],
  ])('can quote %s', (_label, value, expected) => {
    expect(quote(value)).toBe(expected);
  });
});

describe('escapeHiddenCharacters', () => {
  it.each([
    ['text without hidden characters', 'a: b\n\tc ✅\n', 'a: b\n\tc ✅\n'],
    ['a terminal reset (ESC c)', 'x\u001bc', 'x\\u001bc'],
    ['a carriage return', 'a\r\n', 'a\\u000d\n'],
    ['bidirectional overrides and isolates', '\u202e\u2066', '\\u202e\\u2066'],
    ['a lone surrogate', 'a\ud800', 'a\\ud800'],
  ])('can escape %s, keeping line breaks and tabs', (_label, text, expected) => {
    expect(escapeHiddenCharacters(text)).toBe(expected);
  });
});

describe('checkDns1123Subdomain', () => {
  it.each(accepted(['a', '0', 'example.com', 'a-b.c-d', '1.2.3.4', a(253), `${a(63)}.${a(189)}`]))('can accept %s', (_title, value) => {
    expect(checkDns1123Subdomain(value)).toBeUndefined();
  });

  it.each(
    rejected([
      ['', ['"" is not a valid DNS-1123 subdomain: it is empty', "give a name made of lower-case letters, digits, '-' and '.'"]],
      [
        a(254),
        [`"${sixtyA}"… (254 characters) is not a valid DNS-1123 subdomain: it is 254 characters long; the maximum is 253`, 'shorten it to 253 characters or fewer'],
      ],
      ['My.Name', ['"My.Name" is not a valid DNS-1123 subdomain: it contains the upper-case letter "M" at character 1', 'did you mean "my.name"?']],
      ['my_name', ['"my_name" is not a valid DNS-1123 subdomain: it contains "_" at character 3', 'did you mean "my-name"?']],
      ['a..b', ['"a..b" is not a valid DNS-1123 subdomain: it has two dots in a row', 'did you mean "a.b"?']],
      [
        'a.-b',
        ['"a.-b" is not a valid DNS-1123 subdomain: it has the part "-b"; each part between dots must start and end with a letter or digit', 'did you mean "a.b"?'],
      ],
      ['-ab', ['"-ab" is not a valid DNS-1123 subdomain: it starts with "-"; it must start with a letter or digit', 'did you mean "ab"?']],
      ['ab.', ['"ab." is not a valid DNS-1123 subdomain: it ends with "."; it must end with a letter or digit', 'did you mean "ab"?']],
      ['a b', ['"a b" is not a valid DNS-1123 subdomain: it contains " " (U+0020) at character 2', 'did you mean "a-b"?']],
      ['a\nb', ['"a\\nb" is not a valid DNS-1123 subdomain: it contains "\\n" (U+000A) at character 2', 'did you mean "a-b"?']],
      [
        `c${CYRILLIC_A}lico`,
        [
          `"c${CYRILLIC_A}lico" is not a valid DNS-1123 subdomain: it contains "${CYRILLIC_A}" (U+0430) at character 2, which is not ASCII`,
          'retype it using plain ASCII characters only: a character outside ASCII may look like a Latin letter, digit or punctuation mark but is a different character',
        ],
      ],
      ['a||b', ['"a||b" is not a valid DNS-1123 subdomain: it contains "|" at character 2', 'did you mean "a-b"?']],
      ['"ab"', ['"\\"ab\\"" is not a valid DNS-1123 subdomain: it contains "\\"" at character 1', 'did you mean "ab"?']],
    ]),
  )('fails on %s', (_title, value, expected) => {
    expectProblem(checkDns1123Subdomain(value), expected);
  });
});

describe('checkDns1123Label', () => {
  it.each(accepted(['a', '1', 'a-b', 'calico-system', a(63)]))('can accept %s', (_title, value) => {
    expect(checkDns1123Label(value)).toBeUndefined();
  });

  it.each(
    rejected([
      [
        a(64),
        [`"${a(64)}" is not a valid DNS-1123 label: it is 64 characters long; the maximum is 63`, 'shorten it to 63 characters or fewer'],
      ],
      ['a.b', ['"a.b" is not a valid DNS-1123 label: it contains "." at character 2', 'did you mean "a-b"?']],
      ['Ab', ['"Ab" is not a valid DNS-1123 label: it contains the upper-case letter "A" at character 1', 'did you mean "ab"?']],
      ['ab-', ['"ab-" is not a valid DNS-1123 label: it ends with "-"; it must end with a letter or digit', 'did you mean "ab"?']],
      ['---', ['"---" is not a valid DNS-1123 label: it starts with "-"; it must start with a letter or digit', 'start and end it with a letter or digit']],
      ['', ['"" is not a valid DNS-1123 label: it is empty', "give a name made of lower-case letters, digits and '-'"]],
    ]),
  )('fails on %s', (_title, value, expected) => {
    expectProblem(checkDns1123Label(value), expected);
  });
});

describe('checkResourceName', () => {
  const valid: ReadonlyArray<readonly [ResourceKind, string]> = [
    ['HostEndpoint', 'worker-1.eth0'],
    ['HostEndpoint', 'ip-10-0-0-1.eu-west-1.compute.internal.ens5'],
    ['HostEndpoint', a(253)],
    ['GlobalNetworkPolicy', 'restrict-calico-node-prometheus'],
    ['GlobalNetworkPolicy', 'default-host'],
    ['GlobalNetworkPolicy', a(245)],
    ['NetworkPolicy', 'allowed-typha-client'],
    ['GlobalNetworkSet', 'calico-prometheus-access'],
    ['NetworkSet', 'monitoring.prometheus'],
    ['FelixConfiguration', 'default'],
    ['FelixConfiguration', 'node.worker-1'],
    ['KubeControllersConfiguration', 'default'],
  ];
  it.each(valid.map(([kind, name]) => [kind, title(name), name] as const))('can accept a %s named %s', (kind, _title, name) => {
    expect(checkResourceName(kind, name)).toBeUndefined();
  });

  const invalid: ReadonlyArray<readonly [ResourceKind, string, Expected]> = [
    [
      'GlobalNetworkPolicy',
      'default.allow-ssh',
      [
        '"default.allow-ssh" is not a valid GlobalNetworkPolicy name: it starts with "default.", which Calico releases before v3.32 read as the default tier\'s prefix; calico-shield writes policies to the default tier under their bare name, and "default.<name>" and "<name>" would be two different policies',
        'did you mean "allow-ssh"?',
      ],
    ],
    [
      'NetworkPolicy',
      'allow.ssh',
      [
        '"allow.ssh" is not a valid NetworkPolicy name: it contains "." at character 6; Calico v3.32 accepts one dot, but releases before it read the text before a dot in a policy name as the policy\'s tier, so calico-shield writes policy names without dots',
        'did you mean "allow-ssh"?',
      ],
    ],
    [
      'NetworkPolicy',
      'knp.default.allow',
      [
        '"knp.default.allow" is not a valid NetworkPolicy name: it starts with "knp.default.", which Calico reserves for policies it converts from Kubernetes NetworkPolicies',
        'choose a name without this prefix',
      ],
    ],
    [
      'GlobalNetworkPolicy',
      'kcnp.kube-admin.x',
      [
        '"kcnp.kube-admin.x" is not a valid GlobalNetworkPolicy name: it starts with "kcnp.", which Calico reserves for policies it converts from Kubernetes ClusterNetworkPolicies',
        'choose a name without this prefix',
      ],
    ],
    [
      'NetworkPolicy',
      'ossg.default.sg1',
      [
        '"ossg.default.sg1" is not a valid NetworkPolicy name: it starts with "ossg.", which Calico reserves for policies it converts from OpenStack security groups',
        'choose a name without this prefix',
      ],
    ],
    [
      'GlobalNetworkPolicy',
      a(246),
      [`"${sixtyA}"… (246 characters) is not a valid GlobalNetworkPolicy name: it is 246 characters long; the maximum is 245`, 'shorten it to 245 characters or fewer'],
    ],
    [
      'GlobalNetworkPolicy',
      'Allow.SSH',
      ['"Allow.SSH" is not a valid GlobalNetworkPolicy name: it contains the upper-case letter "A" at character 1', 'did you mean "allow-ssh"?'],
    ],
    [
      'HostEndpoint',
      a(254),
      [`"${sixtyA}"… (254 characters) is not a valid HostEndpoint name: it is 254 characters long; the maximum is 253`, 'shorten it to 253 characters or fewer'],
    ],
    ['HostEndpoint', 'worker_1.eth0', ['"worker_1.eth0" is not a valid HostEndpoint name: it contains "_" at character 7', 'did you mean "worker-1.eth0"?']],
    ['GlobalNetworkSet', 'Prometheus', ['"Prometheus" is not a valid GlobalNetworkSet name: it contains the upper-case letter "P" at character 1', 'did you mean "prometheus"?']],
    ['NetworkSet', '', ['"" is not a valid NetworkSet name: it is empty', "give a name made of lower-case letters, digits, '-' and '.'"]],
    ['FelixConfiguration', 'node.', ['"node." is not a valid FelixConfiguration name: it ends with "."; it must end with a letter or digit', 'did you mean "node"?']],
    [
      'KubeControllersConfiguration',
      'custom',
      [
        '"custom" is not a valid KubeControllersConfiguration name: it is not "default"; calico-kube-controllers reads only the KubeControllersConfiguration named "default"',
        'name it "default"',
      ],
    ],
  ];
  it.each(invalid.map(([kind, name, expected]) => [kind, title(name), name, expected] as const))('fails on a %s named %s', (kind, _title, name, expected) => {
    expectProblem(checkResourceName(kind, name), expected);
  });

  it.each<readonly [ResourceKind, number]>([
    ['GlobalNetworkPolicy', 245],
    ['NetworkPolicy', 245],
    ['HostEndpoint', 253],
    ['GlobalNetworkSet', 253],
    ['NetworkSet', 253],
    ['FelixConfiguration', 253],
    ['KubeControllersConfiguration', 253],
  ])('can tell the longest %s name: %i', (kind, max) => {
    expect(resourceNameMaxLength(kind)).toBe(max);
  });
});

describe('checkNamespace', () => {
  it.each(accepted(['default', 'kube-system', 'calico-system', 'tigera-operator', a(63)]))('can accept %s', (_title, value) => {
    expect(checkNamespace(value)).toBeUndefined();
  });

  it.each(
    rejected([
      [a(64), [`"${a(64)}" is not a valid namespace name: it is 64 characters long; the maximum is 63`, 'shorten it to 63 characters or fewer']],
      ['kube.system', ['"kube.system" is not a valid namespace name: it contains "." at character 5', 'did you mean "kube-system"?']],
      ['Monitoring', ['"Monitoring" is not a valid namespace name: it contains the upper-case letter "M" at character 1', 'did you mean "monitoring"?']],
      ['', ['"" is not a valid namespace name: it is empty', "give a name made of lower-case letters, digits and '-'"]],
    ]),
  )('fails on %s', (_title, value, expected) => {
    expectProblem(checkNamespace(value), expected);
  });
});

describe('checkNodeName', () => {
  it.each(accepted(['worker-1', 'ip-10-0-0-1.eu-west-1.compute.internal', a(253)]))('can accept %s', (_title, value) => {
    expect(checkNodeName(value)).toBeUndefined();
  });

  it.each(
    rejected([
      [a(254), [`"${sixtyA}"… (254 characters) is not a valid node name: it is 254 characters long; the maximum is 253`, 'shorten it to 253 characters or fewer']],
      ['Worker_1', ['"Worker_1" is not a valid node name: it contains the upper-case letter "W" at character 1', 'did you mean "worker-1"?']],
      ['worker-1.', ['"worker-1." is not a valid node name: it ends with "."; it must end with a letter or digit', 'did you mean "worker-1"?']],
    ]),
  )('fails on %s', (_title, value, expected) => {
    expectProblem(checkNodeName(value), expected);
  });
});

describe('checkLabelKey', () => {
  it.each(
    accepted([
      'app',
      'App_Name.v1',
      'app.kubernetes.io/name',
      'projectcalico.org/namespace',
      'kubernetes.io/hostname',
      '1abc',
      a(63),
      `${a(253)}/${'n'.repeat(63)}`,
    ]),
  )('can accept %s', (_title, key) => {
    expect(checkLabelKey(key)).toBeUndefined();
  });

  it.each(
    rejected([
      [a(64), [`"${a(64)}" is not a valid label key: it is 64 characters long; the maximum is 63`, 'shorten it to 63 characters or fewer']],
      [
        `example.com/${a(64)}`,
        [`"example.com/${a(64)}" is not a valid label key: its name "${a(64)}" is 64 characters long; the maximum is 63`, 'shorten it to 63 characters or fewer'],
      ],
      [
        `${a(254)}/n`,
        [
          `"${sixtyA}"… (256 characters) is not a valid label key: its prefix "${sixtyA}"… (254 characters) is 254 characters long; the maximum is 253`,
          'shorten it to 253 characters or fewer',
        ],
      ],
      [
        'a/b/c',
        ['"a/b/c" is not a valid label key: it contains 2 \'/\' characters; a label key has at most one, after its optional prefix', 'write it as "name" or "prefix/name", e.g. "example.com/my-label"'],
      ],
      ['/a', ['"/a" is not a valid label key: it has an empty prefix before \'/\'', 'remove the \'/\' or put a DNS subdomain before it, e.g. "example.com/my-label"']],
      ['a/', ['"a/" is not a valid label key: its name "" is empty', "give a name made of letters, digits, '-', '_' and '.'"]],
      ['Example.com/x', ['"Example.com/x" is not a valid label key: its prefix "Example.com" contains the upper-case letter "E" at character 1', 'did you mean "example.com/x"?']],
      ['example.com/-x', ['"example.com/-x" is not a valid label key: its name "-x" starts with "-"; it must start with a letter or digit', 'did you mean "example.com/x"?']],
      ['x_', ['"x_" is not a valid label key: it ends with "_"; it must end with a letter or digit', 'did you mean "x"?']],
      ['a==b', ['"a==b" is not a valid label key: it contains "=" at character 2', 'did you mean "a-b"?']],
      ['', ['"" is not a valid label key: it is empty', "give a name made of letters, digits, '-', '_' and '.'"]],
    ]),
  )('fails on %s', (_title, key, expected) => {
    expectProblem(checkLabelKey(key), expected);
  });
});

describe('checkLabelValue', () => {
  it.each(accepted(['', 'v1', 'A_b.C-d', '0', a(63)]))('can accept %s', (_title, value) => {
    expect(checkLabelValue(value)).toBeUndefined();
  });

  it.each(
    rejected([
      [a(64), [`"${a(64)}" is not a valid label value: it is 64 characters long; the maximum is 63`, 'shorten it to 63 characters or fewer']],
      ['-a', ['"-a" is not a valid label value: it starts with "-"; it must start with a letter or digit', 'did you mean "a"?']],
      ['a/b', ['"a/b" is not a valid label value: it contains "/" at character 2', 'did you mean "a-b"?']],
      ["a'b", ['"a\'b" is not a valid label value: it contains "\'" at character 2', 'did you mean "a-b"?']],
      [')', ['")" is not a valid label value: it contains ")" at character 1', "use only letters, digits, '-', '_' and '.'"]],
    ]),
  )('fails on %s', (_title, value, expected) => {
    expectProblem(checkLabelValue(value), expected);
  });
});

describe('checkInterfaceName', () => {
  it.each(accepted(['*', 'eth0', 'ens5', 'bond0.100', 'enp0s31f6', 'wg-v4_1', 'A', a(15)]))('can accept %s', (_title, value) => {
    expect(checkInterfaceName(value)).toBeUndefined();
  });

  it.each(
    rejected([
      [a(16), [`"${a(16)}" is not a valid interface name: it is 16 characters long; Linux interface names have at most 15`, 'give the name `ip link` shows for the interface']],
      ['.', ['"." is not a valid interface name: it is a directory name, which Linux refuses as an interface name', 'give the name `ip link` shows for the interface']],
      ['..', ['".." is not a valid interface name: it is a directory name, which Linux refuses as an interface name', 'give the name `ip link` shows for the interface']],
      [
        'eth*',
        ['"eth*" is not a valid interface name: it contains the wildcard "*" at character 4; a HostEndpoint names one interface', 'write "*" alone for all of the host\'s interfaces, or one HostEndpoint per interface'],
      ],
      [
        'cali+',
        ['"cali+" is not a valid interface name: it contains the wildcard "+" at character 5; a HostEndpoint names one interface', 'write "*" alone for all of the host\'s interfaces, or one HostEndpoint per interface'],
      ],
      ['eth/0', ['"eth/0" is not a valid interface name: it contains "/" at character 4', "Calico accepts only letters, digits, '_', '.' and '-' in interface names"]],
      ['eth0:1', ['"eth0:1" is not a valid interface name: it contains ":" at character 5', "Calico accepts only letters, digits, '_', '.' and '-' in interface names"]],
      ['eth0 ', ['"eth0 " is not a valid interface name: it contains " " (U+0020) at character 5', "Calico accepts only letters, digits, '_', '.' and '-' in interface names"]],
      [
        `eth${CYRILLIC_A}`,
        [
          `"eth${CYRILLIC_A}" is not a valid interface name: it contains "${CYRILLIC_A}" (U+0430) at character 4`,
          'retype it using plain ASCII characters only: a character outside ASCII may look like a Latin letter, digit or punctuation mark but is a different character',
        ],
      ],
      ['', ['"" is not a valid interface name: it is empty', 'give the name `ip link` shows, e.g. "eth0", or "*" for all of the host\'s interfaces']],
    ]),
  )('fails on %s', (_title, value, expected) => {
    expectProblem(checkInterfaceName(value), expected);
  });
});

describe('checkPort', () => {
  it.each([1, 80, 9091, 65535])('can accept %i', (port) => {
    expect(checkPort(port)).toBeUndefined();
  });

  it.each<readonly [number, Expected]>([
    [0, ['port 0 is not valid: it is outside 1–65535', 'port 0 cannot be matched; give the port the server listens on']],
    [65536, ['port 65536 is not valid: it is outside 1–65535', 'the highest port is 65535']],
    [-1, ['port -1 is not valid: it is outside 1–65535', 'ports are never negative; give the port the server listens on']],
    [80.5, ['port 80.5 is not valid: it is not a whole number', 'ports are whole numbers from 1 to 65535']],
    [NaN, ['port NaN is not valid: it is not a whole number', 'ports are whole numbers from 1 to 65535']],
    [Infinity, ['port Infinity is not valid: it is not a whole number', 'ports are whole numbers from 1 to 65535']],
  ])('fails on %d', (port, expected) => {
    expectProblem(checkPort(port), expected);
  });
});

describe('checkPortRange', () => {
  it.each([
    [1, 65535],
    [1024, 2048],
    [1, 2],
  ])('can accept %i:%i', (from, to) => {
    expect(checkPortRange(from, to)).toBeUndefined();
  });

  it.each<readonly [number, number, Expected]>([
    [90, 80, ['port range 90:80 is not valid: it starts after it ends', 'did you mean 80:90?']],
    [80, 80, ['port range 80:80 is not valid: it covers a single port', 'write the port 80 instead']],
    [0, 10, ['port range 0:10 is not valid: its start 0 is outside 1–65535', 'port 0 cannot be matched; give the port the server listens on']],
    [10, 65536, ['port range 10:65536 is not valid: its end 65536 is outside 1–65535', 'the highest port is 65535']],
    [1.5, 10, ['port range 1.5:10 is not valid: its start 1.5 is not a whole number', 'ports are whole numbers from 1 to 65535']],
  ])('fails on %d:%d', (from, to, expected) => {
    expectProblem(checkPortRange(from, to), expected);
  });
});

describe('checkProtocol', () => {
  it.each(accepted(['TCP', 'UDP']))('can accept %s', (_title, value) => {
    expect(checkProtocol(value)).toBeUndefined();
  });

  it.each(
    rejected([
      ['tcp', ['"tcp" is not a valid protocol: it is not in upper case; Calico\'s protocol names are case-sensitive', 'write "TCP"']],
      ['Udp', ['"Udp" is not a valid protocol: it is not in upper case; Calico\'s protocol names are case-sensitive', 'write "UDP"']],
      [' TCP', ['" TCP" is not a valid protocol: it has spaces around it', 'write "TCP"']],
      ['TCP\n', ['"TCP\\n" is not a valid protocol: it has spaces around it', 'write "TCP"']],
      ['6', ['"6" is not a valid protocol: it is a protocol number; calico-shield writes protocols by name', 'write "TCP"']],
      ['17', ['"17" is not a valid protocol: it is a protocol number; calico-shield writes protocols by name', 'write "UDP"']],
      ['SCTP', ['"SCTP" is not a valid protocol: it is not TCP or UDP; calico-shield protects only servers that listen on TCP or UDP', 'use "TCP" or "UDP"']],
      ['ICMPv6', ['"ICMPv6" is not a valid protocol: it is not TCP or UDP; calico-shield protects only servers that listen on TCP or UDP', 'use "TCP" or "UDP"']],
      ['1', ['"1" is not a valid protocol: it is not TCP or UDP; calico-shield protects only servers that listen on TCP or UDP', 'use "TCP" or "UDP"']],
      ['HTTP', ['"HTTP" is not a valid protocol: it is not "TCP" or "UDP"', 'use "TCP" or "UDP"']],
      ['TCP||UDP', ['"TCP||UDP" is not a valid protocol: it is not "TCP" or "UDP"', 'use "TCP" or "UDP"']],
      ['', ['"" is not a valid protocol: it is not "TCP" or "UDP"', 'use "TCP" or "UDP"']],
    ]),
  )('fails on %s', (_title, value, expected) => {
    expectProblem(checkProtocol(value), expected);
  });
});

describe('shortenName', () => {
  const sha = (name: string): string => createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 10);

  it.each([
    ['a short name', 'short', 63],
    ['63 characters', a(63), 63],
    ['253 characters', a(253), 253],
  ])('can return %s unchanged when it fits in %i', (_label, name, max) => {
    expect(shortenName(name, max)).toBe(name);
  });

  it.each([
    ['64 characters', a(64), 63, `${a(52)}-${sha(a(64))}`],
    ['300 characters', a(300), 253, `${a(242)}-${sha(a(300))}`],
    ['20 characters', a(20), 12, `a-${sha(a(20))}`],
  ])('can shorten %s to fit %i: a prefix, "-" and 10 hex characters of its SHA-256', (_label, name, max, expected) => {
    const short = shortenName(name, max);
    expect(short).toBe(expected);
    expect(short).toHaveLength(max);
  });

  it.each([
    ['a "-" at the cut', `${a(51)}-${'b'.repeat(20)}`, 63, checkDns1123Label],
    ['"--" at the cut', `${a(50)}--${'b'.repeat(20)}`, 63, checkDns1123Label],
    ['a "." at the cut', `${a(51)}.${'b'.repeat(300)}`, 63, checkDns1123Subdomain],
    ['dots throughout', `${'node-1.'.repeat(50)}eth0`, 253, checkDns1123Subdomain],
  ])('can keep a DNS name valid with %s', (_label, name, max, check) => {
    const short = shortenName(name, max);
    expect(short.length).toBeLessThanOrEqual(max);
    expect(short).toMatch(/[a-z0-9]-[0-9a-f]{10}$/);
    expect(check(short)).toBeUndefined();
  });

  it('can give the same result for the same name every time', () => {
    expect(shortenName(a(100), 63)).toBe(shortenName(a(100), 63));
  });

  it('can tell apart names that differ only after the cut', () => {
    const one = shortenName(`${a(60)}-node-1`, 63);
    const two = shortenName(`${a(60)}-node-2`, 63);
    expect(one).not.toBe(two);
    expect(one.slice(0, 52)).toBe(two.slice(0, 52));
  });

  it('can tell apart a thousand long names', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `${a(300)}-${i}`);
    expect(new Set(names.map((name) => shortenName(name, 63))).size).toBe(1000);
  });

  it.each([11, 0, -5, 12.5, NaN])('fails when maxLength is %d, as that is a calico-shield bug', (max) => {
    expect(() => shortenName(a(100), max)).toThrow(RangeError);
  });
});
