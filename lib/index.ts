/**
 * calico-shield's programmatic API (the package's main export; `calico-shield` is the CLI).
 *
 * - CalicoShieldCluster: the cdk8s construct for one protected cluster, with typed props.
 * - loadClusterProps / addClusterCharts: a folder of cluster specs as a cdk8s App.
 * - compileCluster: one spec file's bytes through every stage, with its findings and files.
 * - run: the CLI itself, with the streams and working folder given.
 */
export { addClusterCharts, loadClusterProps } from './app';
export { CalicoShieldCluster, CalicoShieldError } from './construct';
export type { CalicoShieldClusterProps, ClusterSpecProps } from './construct';
export type { ClusterDocument } from '../imports/cluster-spec';
export { compileCluster } from './pipeline';
export type { ClusterInput, ClusterResult } from './pipeline';
export { formatFinding } from './spec/errors';
export type { Finding } from './spec/errors';
export type { CalicoObject } from './calico/object';
export { run } from './cli';
export type { CliIo } from './cli';
export { GENERATOR_VERSION as VERSION } from './version';
