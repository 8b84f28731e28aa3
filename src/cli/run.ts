/**
 * `caps run --config FILE [--bank PATH] ...`: ask the endpoints every planned answer, or with
 * --plan only print what would be asked and its estimated cost.
 */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadBankOrThrow } from '../bank/load.js';
import { itemsWithStatus, usesStatuses } from '../bank/status.js';
import { loadConfig } from '../endpoints/config.js';
import { RunFolder } from '../io/run-folder.js';
import { RunIncompleteError, UserError } from '../errors.js';
import { estimatePlan, ASSUMED_MAX_TOKENS } from '../runner/estimate.js';
import { parseDepths, parseShard, parseStatuses, type PlanFilters } from '../runner/plan.js';
import { createProgressReporter, progressMode } from '../runner/progress.js';
import { prepareRun, runEval, type RunSelection } from '../runner/run.js';

interface RunCliOptions {
  config: string;
  bank?: string[];
  models?: string;
  samples?: number;
  concurrency?: number;
  maxInFlight?: number;
  out?: string;
  resume?: string;
  plan?: boolean;
  shard?: string;
  items?: string;
  topics?: string;
  depth?: string;
  variants?: string;
  limit?: number;
  status?: string;
  cache: string | boolean;
  quiet?: boolean;
  batch?: boolean;
  batchPoll: number;
  acceptMovedEndpoints?: boolean;
}

const list = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter(Boolean);
const positiveInt = (name: string, max = Number.MAX_SAFE_INTEGER) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UserError(`${name} needs a whole number from 1 to ${max}, not "${value}"`);
  return n;
};

export function runCommand(): Command {
  return new Command('run')
    .description('ask the configured endpoints every item, variant, turn and sample (resumable: re-run to finish)')
    .requiredOption('-c, --config <file>', 'caps.config.yaml with the endpoints')
    .option('-b, --bank <paths...>', 'bank files or folders (default: questions/)')
    .option('-m, --models <names>', 'endpoint names to ask, comma-separated (default: all)')
    .option('-k, --samples <K>', 'answers per item and form', positiveInt('--samples', 1000))
    .option('--concurrency <N>', 'requests in flight per endpoint (overrides the config)', positiveInt('--concurrency', 1024))
    .option('--max-in-flight <N>', 'requests in flight across all endpoints', positiveInt('--max-in-flight', 65_536))
    .option('-o, --out <dir>', 'run folder (default: runs/<bank>-<selection hash>, so the same command resumes)')
    .option('--resume <dir>', 'finish the run in this folder with the selection it was started with')
    .option('--plan', 'print the plan and estimated cost; ask nothing')
    .option('--shard <i/n>', 'run only shard i of n (deterministic; join shards with caps merge); auto or auto/n takes it from a Slurm array or Kubernetes Indexed Job')
    .option('--items <ids>', 'only these item ids, comma-separated')
    .option('--topics <topics>', 'only these topics (and their subtopics), comma-separated')
    .option('--depth <levels>', 'only these depths: 3, 2-4 or 1,3')
    .option('--variants <forms>', 'only these forms: clean, variant kinds or variant ids, comma-separated')
    .option('--limit <N>', 'only the first N items that pass the filters', positiveInt('--limit'))
    .option('--status <statuses>', 'review statuses to ask, comma-separated, or all (default: admitted, when the bank records statuses)')
    .addOption(new Option('--cache <dir>', 'response cache folder (default: .cache next to the run folder)'))
    .addOption(new Option('--no-cache', 'neither read nor write the response cache'))
    .option('-q, --quiet', 'plain progress lines every 10 s instead of a live display')
    .option('--batch', 'send the requests through the OpenAI Batch API (/v1/files, /v1/batches; cheaper, slower); a batch in progress is collected by the next run')
    .option('--batch-poll <seconds>', 'seconds between batch status checks', positiveInt('--batch-poll'), 30)
    .option('--accept-moved-endpoints', 'resume although an endpoint now has another base URL (the same deployment at a new address)')
    .exitOverride()
    .action(async (options: RunCliOptions) => {
      const config = loadConfig(options.config);
      const resumed = options.resume ? new RunFolder(options.resume).readManifest() : null;
      const bankPaths = options.bank ?? resumed?.bank.paths ?? ['questions'];
      if (!options.bank && !resumed && !existsSync('questions')) {
        throw new UserError('no --bank given and no questions/ folder here; pass --bank PATH (a bank file or folder)');
      }
      const bank = await loadBankOrThrow(bankPaths);
      const selection: RunSelection & { out?: string } = {
        bank,
        config,
        models: list(options.models) ?? (resumed ? resumed.endpoints.map((e) => e.name) : undefined),
        samples: options.samples ?? (typeof resumed?.plan.samples === 'number' ? resumed.plan.samples : undefined),
        concurrency: options.concurrency,
        filters: filtersOf(options, resumed?.plan.filters as Record<string, unknown> | undefined),
        out: options.resume ?? options.out,
      };
      if (options.plan) {
        process.stdout.write(formatPlan(selection));
        return;
      }
      const controller = new AbortController();
      const stop = () => {
        process.stderr.write('\ncaps run: stopping; answers in flight are abandoned and asked again on resume\n');
        controller.abort();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const live = progressMode(process.stderr, process.env, options.quiet ?? false) === 'live';
      const common = {
        ...selection,
        cacheDir: options.cache === false ? (false as const) : typeof options.cache === 'string' ? options.cache : undefined,
        acceptMovedEndpoints: options.acceptMovedEndpoints,
        signal: controller.signal,
      };
      try {
        const summary = options.batch
          ? await (await import('../runner/batch.js')).runBatchEval({
              ...common,
              pollMs: options.batchPoll * 1000,
              onBatch: (b) => process.stderr.write(`caps run: batch ${b.batch} (${b.endpoint}): ${b.status}, ${b.completed + b.failed}/${b.total} done, ${b.failed} failed\n`),
            })
          : await runEval({ ...common, maxInFlight: options.maxInFlight, progress: createProgressReporter({ stream: process.stderr, live }) });
        const c = summary.counts;
        for (const group of summary.shared) {
          process.stderr.write(`caps run: note: endpoints ${group.join(', ')} send identical requests to the same server (base URL, model, parameters, deployment headers), so they share one set of answers\n`);
        }
        process.stderr.write(
          `caps run: ${summary.status}: ${c.done}/${c.planned} answers (${c.resumed} already recorded, ${c.cached} from cache, ${c.requests} HTTP requests, ${c.errors} errors)\n`,
        );
        process.stdout.write(`${summary.dir}\n`);
        if (summary.status !== 'complete') {
          throw new RunIncompleteError(
            `${c.planned - c.done} answers are missing (${c.errors} failed after retries and are recorded as errors). Run the same command again to ask them.`,
          );
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

function filtersOf(options: RunCliOptions, previous: Record<string, unknown> | undefined): PlanFilters {
  const filters: PlanFilters = {
    items: list(options.items),
    topics: list(options.topics),
    depths: options.depth ? parseDepths(options.depth) : undefined,
    variants: list(options.variants),
    limit: options.limit,
    shard: options.shard ? parseShard(options.shard) : undefined,
    statuses: options.status ? parseStatuses(options.status) : undefined,
  };
  if (!previous) return filters;
  // --resume keeps the selection the run was started with unless the command line changes it.
  return {
    items: filters.items ?? (previous.items as string[] | undefined),
    topics: filters.topics ?? (previous.topics as string[] | undefined),
    depths: filters.depths ?? (previous.depths as number[] | undefined),
    variants: filters.variants ?? (previous.variants as string[] | undefined),
    limit: filters.limit ?? (previous.limit as number | undefined),
    shard: filters.shard ?? (typeof previous.shard === 'string' ? parseShard(previous.shard) : undefined),
    statuses: filters.statuses ?? (previous.statuses as PlanFilters['statuses']),
  };
}

export function formatPlan(selection: RunSelection & { out?: string }): string {
  const prepared = prepareRun(selection);
  const estimates = estimatePlan(selection.bank, prepared.plan);
  const { counts } = prepared.plan;
  const lines = [
    `plan for bank ${selection.bank.id} v${selection.bank.version}: ${counts.items} items, ${prepared.samples} sample${prepared.samples === 1 ? '' : 's'}, ${counts.dialogues} dialogues, ${counts.answers} answers`,
    `run folder: ${prepared.out}`,
  ];
  if (usesStatuses(selection.bank.items)) {
    const statuses = selection.filters?.statuses ?? ['admitted'];
    lines.push(`statuses asked: ${statuses.join(', ')} (${itemsWithStatus(selection.bank.items, statuses).length} of ${selection.bank.items.length} items; choose with --status)`);
  }
  const rows: (string | number)[][] = [['endpoint', 'model', 'dialogues', 'answers', 'input tokens ~', 'output tokens <=', 'cost <=']];
  const total = new Map<string, number>();
  for (const e of estimates) {
    const endpoint = prepared.endpoints.find((x) => x.name === e.endpoint)!;
    const cost = e.cost ? `${e.cost.amount.toFixed(2)} ${e.cost.currency}` : 'no prices';
    if (e.cost) total.set(e.cost.currency, (total.get(e.cost.currency) ?? 0) + e.cost.amount);
    rows.push([e.endpoint, endpoint.model, e.dialogues, e.answers, e.inputTokens, e.outputTokens, cost]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  lines.push('', ...rows.map((r) => r.map((cell, i) => (typeof cell === 'number' ? String(cell).padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()));
  if (total.size > 0) lines.push('', `estimated total: ${[...total].map(([currency, amount]) => `${amount.toFixed(2)} ${currency}`).join(' + ')} (upper bound: every answer at max_tokens)`);
  if (prepared.endpoints.some((e) => e.params.max_tokens === undefined)) lines.push(`(endpoints without max_tokens are estimated at ${ASSUMED_MAX_TOKENS} output tokens per answer)`);
  return lines.join('\n') + '\n';
}
