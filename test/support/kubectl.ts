/**
 * `kubectl kustomize` for tests, when kubectl is installed: it builds a dist/ folder the way
 * Argo CD and Flux do (both run kustomize on the folder they are given).
 */
import { spawnSync } from 'node:child_process';

export interface Kubectl {
  /** `kubectl version --client`, for messages. */
  readonly version: string;
  /** The YAML `kubectl kustomize <folder>` prints; throws with kubectl's stderr when it fails. */
  kustomize(folder: string): string;
}

/** kubectl when it runs, or why it does not. */
export function findKubectl(): Kubectl | { readonly missing: string } {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error || probe.status !== 0) {
    return { missing: `kubectl is not usable here (${probe.error?.message ?? probe.stderr.trim()})` };
  }
  return {
    version: probe.stdout.trim().split('\n')[0],
    kustomize(folder: string): string {
      const run = spawnSync('kubectl', ['kustomize', folder], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
      if (run.error || run.status !== 0) {
        throw new Error(`kubectl kustomize ${folder} failed: ${run.error?.message ?? run.stderr}`);
      }
      return run.stdout;
    },
  };
}
