/** What every benchmark's section of docs/benchmarks.md needs: the commit measured, and writing the section. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** The short hash of the commit checked out, or "unknown" outside a git checkout. */
export function headCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Writes one benchmark's section of docs/benchmarks.md, between its `<!-- name:begin -->` and `<!-- name:end -->` markers. */
export function writeDocsSection(name: string, section: string): void {
  const docs = join(root, 'docs', 'benchmarks.md');
  const current = existsSync(docs) ? readFileSync(docs, 'utf8') : '# Benchmarks\n';
  const pattern = new RegExp(`<!-- ${name}:begin -->[\\s\\S]*<!-- ${name}:end -->`);
  writeFileSync(docs, pattern.test(current) ? current.replace(pattern, () => section) : `${current.trimEnd()}\n\n${section}\n`);
  console.log(`wrote ${docs}`);
}
