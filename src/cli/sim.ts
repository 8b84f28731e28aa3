/** `caps sim`: the simulated OpenAI-compatible endpoint as a server, until interrupted. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadBankOrThrow } from '../bank/load.js';
import { UserError } from '../errors.js';
import { simPersonas } from '../endpoints/sim/catalog.js';
import { parseFaultSpec } from '../endpoints/sim/faults.js';
import { startSimServer } from '../endpoints/sim/server.js';
import { PACKAGE_ROOT } from '../version.js';
import { examples } from './help.js';

export const DEFAULT_SIM_PORT = 8788;

interface SimCliOptions {
  port: string;
  bank?: string[];
  personas?: string;
  faults?: string;
  seed: string;
}

export function simCommand(): Command {
  return new Command('sim')
    .description('serve simulated vendors (and a simulated judge) on an OpenAI-compatible endpoint at 127.0.0.1')
    .option('-p, --port <N>', 'port to listen on (0 picks a free one)', String(DEFAULT_SIM_PORT))
    .option('-b, --bank <paths...>', 'bank the personas answer (default: questions/ here, else the demo bank)')
    .option('--personas <file>', 'YAML file of personas (skill by depth, susceptibility by distraction kind)')
    .option('--faults <spec>', 'inject faults, e.g. "latency=20-80ms,429=0.05:retry-after=1,500=0.02,reset=0.01"')
    .option('--seed <N>', 'seed for answers and faults', '0')
    .addHelpText(
      'after',
      examples([
        ['caps sim', 'simulated vendors on 127.0.0.1:8788 for questions/ here'],
        ['caps sim --port 0 --faults "429=0.05:retry-after=1,500=0.02"', 'a free port, with rate limits and server errors injected'],
      ]),
    )
    .exitOverride()
    .action(async (options: SimCliOptions) => {
      const port = Number(options.port);
      const seed = Number(options.seed);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port "${options.port}" is not a port number (0-65535)`);
      if (!Number.isInteger(seed)) throw new UserError(`--seed "${options.seed}" is not a whole number`);
      const faults = options.faults ? parseFaultSpec(options.faults) : undefined;
      const bankPaths = options.bank ?? [existsSync('questions') ? 'questions' : join(PACKAGE_ROOT, 'questions')];
      const bank = await loadBankOrThrow(bankPaths);
      const personas = simPersonas(bank, { personasFile: options.personas });
      let server;
      try {
        // A long-running server keeps counts, not a log of every request.
        server = await startSimServer({ port, personas, faults, seed, keepLog: false });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UserError(`port ${port} is in use; pass --port with another number (or 0)`);
        throw err;
      }
      process.stdout.write(
        `caps sim: serving ${personas.map((p) => p.name).join(', ')} for bank ${bank.id} (${bank.items.length} items)\n` +
          `baseURL: ${server.baseURL}\n${faults ? `faults: ${options.faults}\n` : ''}press Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      process.stdout.write(`caps sim: stopped after ${server.requests()} requests\n`);
    });
}
