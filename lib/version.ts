/** calico-shield's own version, stamped on every object it writes. */
import pkg from '../package.json';

export const GENERATOR_NAME = 'calico-shield';
export const GENERATOR_VERSION: string = pkg.version;
