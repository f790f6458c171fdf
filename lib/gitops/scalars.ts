/**
 * Which strings must be quoted so that every consumer of dist/ and deploy/ reads them back as
 * the same string.
 *
 * dist/ is read by more than one YAML reader, and they disagree about plain scalars:
 * - kustomize (`kubectl apply -k`, Argo CD, Flux) reads with go-yaml v3 (kyaml);
 * - `kubectl apply -f` and Argo CD directory sources read with sigs.k8s.io/yaml, which uses
 *   go-yaml v2 rules (YAML 1.1 booleans: yes/no/on/off/y/n);
 * - YAML 1.1 and 1.2 readers elsewhere (editors, linters, review tools).
 * A label value `yes`, a node name `0x1f` or a namespace `012` written plain would reach the API
 * server as a boolean or a number and be refused. So a string is written plain only when none
 * of these readers resolves it to anything but itself.
 *
 * @see go-yaml v3.0.1 resolve.go (resolveMapList, resolve: the 'D'/'S' branch tries a
 *      timestamp, strconv.ParseInt(plain, 0, 64) after removing '_', ParseUint, yamlStyleFloat,
 *      0b/0o prefixes)
 * @see go-yaml v2.4.0 resolve.go:37-45 (y/Y/yes/Yes/YES/on/On/ON and the false words)
 * @see https://yaml.org/type/bool.html, int.html, float.html, null.html, timestamp.html (YAML 1.1)
 * @see https://yaml.org/spec/1.2.2/#1032-tag-resolution (YAML 1.2 core schema)
 */

/** Words some reader resolves to a boolean, null, infinity, NaN, a merge key or YAML 1.1's value key. */
const WORDS = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE'],
  ...['on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['', '~', 'null', 'Null', 'NULL'],
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN'],
  ...['<<', '='],
]);

/** Integers: YAML 1.1 (binary, octal 0…, decimal, hex, base 60), YAML 1.2 (0o, 0x) and Go's base-0 ParseInt, underscores allowed. */
const INTEGER = /^[-+]?(?:0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)$/;
/**
 * Floats: YAML 1.1 (with '_' and base 60; readers take the exponent form without digits
 * before it, as in "e0"), YAML 1.2 core and go-yaml's yamlStyleFloat.
 */
const FLOAT = /^[-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$|^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
/** Timestamps: anything that starts like YYYY-M (go-yaml's quick check, then its formats; YAML 1.1's timestamp). */
const TIMESTAMP = /^[0-9]{4}-[0-9]/;

/** True when some reader of dist/ would not read the plain scalar `s` as the string `s`. */
export function needsQuotes(s: string): boolean {
  if (WORDS.has(s) || INTEGER.test(s) || FLOAT.test(s) || TIMESTAMP.test(s)) return true;
  // go-yaml removes every '_' before it tries a number (resolve.go, `plain := strings.Replace(in, "_", "", -1)`):
  // "1e_5" is 1e5 to it.
  const plain = s.replace(/_/g, '');
  return plain !== s && /^[-+.0-9]/.test(s) && (INTEGER.test(plain) || FLOAT.test(plain));
}
