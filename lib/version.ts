/** calico-shield's own version, recorded in each calico-shield.lock (objects name calico-shield only). */
import pkg from '../package.json';

export const GENERATOR_NAME = 'calico-shield';
export const GENERATOR_VERSION: string = pkg.version;
