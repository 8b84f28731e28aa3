/** `caps studio [RUN_DIR...] [--bank DIR] [--db FILE] [--port N] [--host ADDR]`: the physicians' grading app. */
import { Command } from 'commander';
import { examples, wholeNumber } from './help.js';

export function studioCommand(): Command {
  return new Command('studio')
    .description('physicians grade answers blind, calibrate, adjudicate and answer items, in a local web app')
    .argument('[run-dirs...]', 'run folders whose answers are graded')
    .option('-b, --bank <paths...>', "question bank files or folders (default: the bank in the runs' manifests)")
    .option('--db <file>', 'studio database (default: studio.db beside the first run folder)')
    .option('--port <n>', 'port (0: any free port)', wholeNumber('--port', 0), 4178)
    .option('--host <addr>', 'address to listen on; anything but 127.0.0.1 requires invite links', '127.0.0.1')
    .option('--answers-run <dir>', "run folder for doctors' answers typed in the studio (default: studio-answers beside the database)")
    .option('-c, --config <file>', 'config with the endpoints that may draft items (default: ./caps.config.yaml, if any)')
    .addHelpText(
      'after',
      examples([
        ['caps studio caps-demo/runs', "grade the demo's answers; open the printed address"],
        ['caps studio runs/my-run -b questions/ --db studies/nsclc.db', 'one study database for a run'],
        ['caps studio runs/my-run --host 0.0.0.0', 'graders on the LAN sign in with invite links'],
      ]),
    )
    .exitOverride()
    .action(async (runDirs: string[], options: { bank?: string[]; db?: string; port: number; host: string; answersRun?: string; config?: string }) => {
      const { startStudio, LOCAL_COORDINATOR } = await import('../studio/server.js');
      const { isLoopbackBind } = await import('../studio/access.js');
      const { discoverConfig } = await import('../endpoints/discover-config.js');
      const studio = await startStudio({ runDirs, bankPaths: options.bank, db: options.db, host: options.host, port: options.port, answersRun: options.answersRun, config: discoverConfig(options.config).path ?? undefined });
      const { store } = studio.context;
      const answers = store.counts().answers;
      process.stdout.write(`caps studio: ${studio.url}  (${answers} answers, database ${studio.dbFile})\n`);
      if (isLoopbackBind(options.host)) {
        process.stdout.write('open it in a browser on this machine: you are the coordinator; create graders there and send each their invite link.\n');
      } else {
        // On a LAN nobody is trusted by address: the coordinator signs in with a fresh link too.
        const coordinator = store.graders().find((g) => g.role === 'coordinator') ?? store.createGrader(null, LOCAL_COORDINATOR, 'coordinator').grader;
        process.stdout.write(`coordinator's invite link (replaces the previous one): ${studio.url}/invite/${store.reissueToken(coordinator, coordinator.id)}\n`);
      }
      await new Promise<void>((done) => {
        const stop = () => void studio.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
