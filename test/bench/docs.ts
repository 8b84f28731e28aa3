/** Writes one benchmark's section of docs/benchmarks.md, between its `<!-- name:begin -->` and `<!-- name:end -->` markers. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeDocsSection(name: string, section: string): void {
  const docs = join(import.meta.dirname, '..', '..', 'docs', 'benchmarks.md');
  const current = existsSync(docs) ? readFileSync(docs, 'utf8') : '# Benchmarks\n';
  const pattern = new RegExp(`<!-- ${name}:begin -->[\\s\\S]*<!-- ${name}:end -->`);
  writeFileSync(docs, pattern.test(current) ? current.replace(pattern, () => section) : `${current.trimEnd()}\n\n${section}\n`);
  console.log(`wrote ${docs}`);
}
