/**
 * `npm run build`: the `caps` executable as one esbuild bundle in dist/bin. Loading ~450
 * separate modules (ours, openai, zod, yaml, commander) was most of every command's start-up;
 * a bundle is read and compiled as a few files. Code splitting keeps each command's modules in
 * its own chunk, loaded only when that command runs. Worker threads (every src/** /*-worker.ts)
 * are entry points of their own, so `workerEntry` finds `name.js` beside the chunk that starts
 * them. The native better-sqlite3 and the optional playwright-core stay outside. The library
 * (dist/index.js and its types) is tsc's output and does not use the bundle.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loaderSourceHash } from '../src/bank/fingerprint.js';
import type { CommandSummary } from '../src/cli/main.js';

export const BUNDLE_DIR = join('dist', 'bin');
export const BUNDLE_ENTRY = 'caps.js';

/**
 * zod's messages in English only: zod exports every locale (`z.locales`), which caps never
 * uses, and compiling the other 40-odd took about 15 ms of each command's start-up (zod's
 * chunk shrank from 454 to 193 KB). zod configures English from its own module, not this one.
 */
const englishZod: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({ contents: 'export { default as en } from "./en.js";', resolveDir: dirname(args.path) }));
  },
};

/** Bundles root/src into root/dist/bin; returns the files written. */
export async function buildCli(root: string): Promise<string[]> {
  const src = join(root, 'src');
  const outdir = join(root, BUNDLE_DIR);
  rmSync(outdir, { recursive: true, force: true });
  const sources = readdirSync(src, { recursive: true, encoding: 'utf8' });
  const workers = sources.filter((f) => f.endsWith('-worker.ts'));
  const entryPoints: Record<string, string> = { [basename(BUNDLE_ENTRY, '.js')]: join(src, 'cli', 'bin.ts') };
  for (const worker of workers) {
    const name = basename(worker, '.ts');
    if (entryPoints[name]) throw new Error(`two worker modules are named ${name}: worker names must be unique in the bundle`);
    entryPoints[name] = join(src, worker);
  }
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    minify: true,
    // Stack traces map to src/ file and line (node --enable-source-maps, or CAPS_DEBUG=1); the sources themselves are not copied in.
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'linked',
    external: ['better-sqlite3', 'playwright-core'],
    // Bundled CommonJS packages call require() for Node's own modules.
    banner: { js: "import{createRequire as __capsRequire}from'node:module';const require=__capsRequire(import.meta.url);" },
    // Every source, not only the bank folder's: a cached bank also holds expanded matchers and a hash made by other modules. Free at build time.
    define: {
      CAPS_LOADER_HASH: JSON.stringify(loaderSourceHash(src, sources.filter((f) => f.endsWith('.ts')).sort())),
      // `caps --help` lists the commands from this instead of loading every one of them.
      CAPS_COMMAND_LIST: JSON.stringify(JSON.stringify(await commandList(src))),
    },
    plugins: [englishZod],
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(join(outdir, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicences(root, result.metafile));
  return Object.keys(result.metafile.outputs);
}

/** The command list of `caps --help`, from the commands in src (this script runs under tsx, which loads them). */
async function commandList(src: string): Promise<CommandSummary[]> {
  const cli = (await import(pathToFileURL(join(src, 'cli', 'main.ts')).href)) as typeof import('../src/cli/main.js');
  return cli.summarizeCommands(await cli.buildProgram());
}

/** The licence of every package with code in the bundle, from its package.json and LICENSE file. */
function thirdPartyLicences(root: string, metafile: Metafile): string {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1]);
  }
  const sections = new Map<string, string>();
  for (const dir of packages) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const licenceFile = readdirSync(join(root, dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = licenceFile ? readFileSync(join(root, dir, licenceFile), 'utf8').trim() : `(no licence file; package.json says ${manifest.license ?? 'nothing'})`;
    sections.set(`${manifest.name}@${manifest.version}`, `${manifest.name}@${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n`);
  }
  const ordered = [...sections.keys()].sort().map((key) => sections.get(key));
  return `Third-party code bundled into dist/bin (the caps executable):\n\n${ordered.join(`\n${'-'.repeat(72)}\n\n`)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(process.argv[1]), '..');
  const files = await buildCli(root);
  console.log(`caps bundled into ${relative(process.cwd(), join(root, BUNDLE_DIR))} (${files.filter((f) => f.endsWith('.js')).length} files)`);
}
