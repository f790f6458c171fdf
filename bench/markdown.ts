/** Rewrites the generated parts of BENCHMARKS.md, between HTML comment markers, leaving the prose alone. */
import * as fs from 'node:fs';

export function replaceBetweenMarkers(file: string, marker: 'bench' | 'profile', content: string): void {
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  const text = fs.readFileSync(file, 'utf8');
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${begin} … ${end} section to rewrite`);
  fs.writeFileSync(file, `${text.slice(0, from + begin.length)}\n${content.trim()}\n${text.slice(to)}`);
}
