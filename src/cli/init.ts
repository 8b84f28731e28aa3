/** `caps init [DIR]`: a working starter project, ready for caps lint, caps sim and caps run. */
import { relative, resolve } from 'node:path';
import { Command } from 'commander';
import { scaffoldProject } from '../scaffold/init.js';
import { examples } from './help.js';

export function initCommand(): Command {
  return new Command('init')
    .description('create a starter project: a small bank, its taxonomy, caps.config.yaml with vendor presets, .env.example, a README')
    .argument('[dir]', 'folder to create it in (default: the working folder)', '.')
    .option('-q, --quiet', 'print only the folder')
    .addHelpText(
      'after',
      examples([
        ['caps init my-eval', 'a new project in my-eval/'],
        ['cd my-eval && caps lint questions/ && caps run --plan', 'check it and see what a run would ask'],
      ]),
    )
    .exitOverride()
    .action((dir: string, options: { quiet?: boolean }) => {
      const result = scaffoldProject(resolve(dir));
      if (!options.quiet) {
        const here = relative(process.cwd(), result.dir) || '.';
        const cd = here === '.' ? '' : `cd ${here}\n  `;
        process.stderr.write(
          `caps init: wrote ${result.files.join(', ')}\n` +
            `next:\n  ${cd}npx caps lint questions/      # the bank is clean\n` +
            `  npx caps sim &                 # simulated vendors on 127.0.0.1:8788\n` +
            `  npx caps run                   # ask them; then caps score and caps report on the printed folder\n` +
            `  then: uncomment a vendor preset in caps.config.yaml and put its key in .env (cp .env.example .env)\n`,
        );
      }
      process.stdout.write(`${result.dir}\n`);
    });
}
