/**
 * The probe view of the host paths of lib/calico/presets.ts: the flows calico-shield
 * evaluates in the allow-list approach, where a host endpoint denies all traffic that no
 * policy allows (failsafe ports aside), to say which of them the default deny cuts.
 *
 * Which of them a cluster really uses depends on its installation (overlay, encryption,
 * Typha, where etcd runs): calico-shield opens them only for the presets a spec names
 * (`spec.hostTraffic.presets`), and reports the others.
 */
import { hostPaths, type HostPath } from './presets';

/** `inbound`: connections to the node; `outbound`: connections the node opens; `local`: the node to itself. */
export type EssentialDirection = 'inbound' | 'outbound' | 'local';

/** A host path with ports: IP-in-IP has none and is not probed (the probes are TCP and UDP connections). */
export interface EssentialHostPath extends HostPath {
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  readonly directions: readonly EssentialDirection[];
}

function isProbed(path: HostPath): path is HostPath & { readonly protocol: 'TCP' | 'UDP'; readonly port: number } {
  return path.protocol !== 'IPIP' && path.port !== undefined;
}

/** Ordered by port as HOST_PATHS is, so messages list them in a stable order; the API server's where `apiServer` says. */
export function essentialHostPaths(apiServer: { readonly port: number; readonly address?: string }): readonly EssentialHostPath[] {
  return hostPaths(apiServer)
    .filter(isProbed)
    .map((path) => ({
      ...path,
      directions: [
        ...(path.inbound ? (['inbound'] as const) : []),
        ...(path.outbound ? (['outbound'] as const) : []),
        ...(path.local ? (['local'] as const) : []),
      ],
    }));
}
