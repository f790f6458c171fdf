/**
 * The environment test specs compile in unless they give their own: a cluster from Calico's
 * manifests whose pods are routed without NAT or encapsulation, with Calico in calico-system.
 *
 * Most tests are about something else than the cluster's environment (names, selectors, YAML,
 * files); in the default environment (an operator install with a natOutgoing pool) their specs
 * would also trip the NAT and operator-tier guard rails, which have tests of their own
 * (test/verify/environment.test.ts). A spec that names `environment:` keeps its own.
 */
import { parseAllDocuments } from 'yaml';

export const TEST_ENVIRONMENT = '  environment: {install: manifests, ipPools: [{cidr: 192.168.0.0/16, natOutgoing: false}], encapsulation: None}\n';
const TEST_NAMESPACE = '  calicoNamespace: calico-system\n';

/**
 * The spec text with TEST_ENVIRONMENT (and calicoNamespace calico-system) appended to its spec
 * mapping, when the text has a top-level `spec:` last and no environment of its own. Appended
 * at the end, so the lines and columns of everything else stay where they were.
 */
export function withTestEnvironment(text: string): string {
  if (!text.endsWith('\n') || /^  environment:/m.test(text)) return text;
  // A broken document stays as it is: its errors and their positions are what the test is about.
  if (parseAllDocuments(text).some((d) => d.errors.length > 0 || d.warnings.length > 0)) return text;
  const crlf = text.endsWith('\r\n');
  const lines = text.split(crlf ? '\r\n' : '\n');
  const specLine = lines.findIndex((l) => l === 'spec:');
  // `spec:` must be the last top-level key, or the appended lines would land in another mapping.
  if (specLine < 0 || lines.slice(specLine + 1).some((l) => /^[^\s#]/.test(l))) return text;
  const added = `${TEST_ENVIRONMENT}${/^  calicoNamespace:/m.test(text) ? '' : TEST_NAMESPACE}`;
  return `${text}${crlf ? added.replace(/\n/g, '\r\n') : added}`;
}
