/**
 * `npm prepare`: builds dist/ unless it was already built from these exact sources. npm runs
 * prepare after `npm install`, and `npx caps` in a checkout runs it again when it links the
 * project to run its bin: without this check a newcomer's first `npx caps demo` rebuilt
 * everything (about 13 s) right after `npm install` had. The stamp holds a hash of every
 * build input's name and bytes, taken before the build, so an edit during a build is rebuilt.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything the build reads besides node_modules. */
const INPUT_DIRS = ['src', 'scripts'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
/** What a finished build leaves: the CLI bundle and the library. */
const OUTPUTS = ['dist/bin/caps.js', 'dist/index.js'];
export const STAMP = 'dist/.build-inputs';

/** The hash of the build's inputs under `root`: each file's path and bytes, in a fixed order. */
export function buildInputsHash(root) {
  const files = INPUT_DIRS.flatMap((dir) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(root.length + 1)) : [],
  );
  files.push(...INPUT_FILES.filter((f) => existsSync(join(root, f))));
  const hash = createHash('sha256');
  for (const file of files.map((f) => f.split('\\').join('/')).sort()) hash.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex');
}

/** Builds `root` with `build` unless its stamp matches its inputs; true when it built. */
export function prepare(root, build) {
  const inputs = buildInputsHash(root);
  const stamp = join(root, STAMP);
  const built = OUTPUTS.every((f) => existsSync(join(root, f))) && existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs;
  if (built) return false;
  build();
  writeFileSync(stamp, inputs);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  const built = prepare(root, () => {
    const run = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  });
  if (!built) console.log('caps-eval: dist/ is already built from these sources');
}
