/** Which files a list of paths names: files as given, folders searched for YAML recursively. */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Diagnostic } from './diagnostic.js';

const YAML_FILE = /\.ya?ml$/i;

/** `unsaved` files (absolute paths) join the result when they lie under one of the paths. */
export function discoverBankFiles(paths: readonly string[], unsaved?: ReadonlyMap<string, string>): { files: string[]; diagnostics: Diagnostic[] } {
  const files = new Set<string>();
  for (const file of unsaved?.keys() ?? []) {
    if (paths.some((given) => isWithin(resolve(given), file))) files.add(file);
  }
  const diagnostics: Diagnostic[] = [];
  const problem = (file: string, code: string, message: string) => diagnostics.push({ file, line: 1, col: 1, severity: 'error', code, message });

  if (paths.length === 0) problem(process.cwd(), 'no-bank-files', 'no bank path given; name bank files or folders, e.g. caps lint questions/');
  for (const given of paths) {
    const path = resolve(given);
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      if (unsaved?.has(path)) continue;
      problem(path, 'path-not-found', 'no such file or folder; check the path');
      continue;
    }
    if (!isFolder) {
      files.add(path);
      continue;
    }
    let found: string[];
    try {
      found = yamlFilesUnder(path);
    } catch (err) {
      problem(path, 'file-unreadable', `cannot read this folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      continue;
    }
    if (found.length === 0 && ![...(unsaved?.keys() ?? [])].some((file) => isWithin(path, file))) problem(path, 'no-bank-files', 'this folder holds no .yaml or .yml file');
    for (const file of found) files.add(file);
  }
  return { files: [...files].sort(), diagnostics };
}

/** Hidden folders and node_modules are skipped; symbolic links to folders are not followed (no cycles). */
function yamlFilesUnder(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') found.push(...yamlFilesUnder(path));
    } else if (YAML_FILE.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && isFile(path)))) {
      found.push(path);
    }
  }
  return found;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isWithin(path: string, file: string): boolean {
  const rel = relative(path, file);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
