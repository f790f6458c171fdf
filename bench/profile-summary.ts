/**
 * Summarises a .cpuprofile by self time per function, per file and per area.
 *
 *   node build/profile-summary.js <file.cpuprofile> [--top N] [--write BENCHMARKS.md]
 *
 * With --write, the tables replace the section between `<!-- profile:begin -->` and
 * `<!-- profile:end -->` of that file. Bundled by bench/build.js.
 */
import * as path from 'node:path';
import { replaceBetweenMarkers } from './markdown';
import { profileMarkdown, summariseProfile } from './profile';

const USAGE = 'usage: node build/profile-summary.js <file.cpuprofile> [--top N] [--write BENCHMARKS.md]';

let profile: string | undefined;
let top = 15;
let write: string | undefined;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--top') top = Number(args[++i]);
  else if (a === '--write') write = args[++i];
  else if (!a.startsWith('-') && profile === undefined) profile = a;
  else throw new Error(`${a}?\n${USAGE}`);
}
if (profile === undefined || !Number.isInteger(top) || top < 1) throw new Error(USAGE);

const markdown = [
  `\`${path.basename(profile)}\`, summarised by \`bench/profile-summary.ts\` (self time, top ${top}).`,
  '',
  profileMarkdown(summariseProfile(profile, path.resolve(__dirname, '..')), top),
].join('\n');
process.stdout.write(`${markdown}\n`);
if (write !== undefined) replaceBetweenMarkers(write, 'profile', markdown);
