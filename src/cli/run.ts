/**
 * `caps run --config FILE [--bank PATH] ...`: ask the endpoints every planned answer, or with
 * --plan only print what would be asked and its estimated cost.
 */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadBankOrThrow } from '../bank/load.js';
import { DEFAULT_CONFIG_FILE } from '../endpoints/discover-config.js';
import { itemsWithStatus, usesStatuses } from '../bank/status.js';
import { RunFolder } from '../io/run-folder.js';
import { RunIncompleteError, UserError } from '../errors.js';
import { estimatePlan, ASSUMED_MAX_TOKENS } from '../runner/estimate.js';
import { parseDepths, parseShard, parseStatuses, type PlanFilters } from '../runner/plan.js';
import { createProgressReporter, progressMode } from '../runner/progress.js';
import { endpointOfCondition, prepareRun, runEval, type RunSelection, type RunSummary } from '../runner/run.js';
import { describeEndpointFailures } from '../runner/endpoint-health.js';
import { formatUsageLines } from '../runner/usage.js';
import { announceSetup } from './setup.js';
import { examples } from './help.js';
import { formatBatchEvent } from '../endpoints/batch-event.js';
import { untilStopped } from './stop-signal.js';
import { keepHeapNearLiveSize } from './heap.js';

interface RunCliOptions {
  config?: string;
  language?: 'zh' | 'en';
  format: 'text' | 'json';
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
    .option('-c, --config <file>', `endpoints file (default: ./${DEFAULT_CONFIG_FILE})`)
    .option('-b, --bank <paths...>', 'bank files or folders (default: questions/)')
    .option('-m, --models <names>', 'endpoint names to ask, comma-separated (default: all but judges)')
    .option('--plan', 'print the plan and estimated cost; ask nothing')
    .addOption(new Option('--no-cache', 'neither read nor replay cached answers (use while debugging an endpoint)'))
    .option('-o, --out <dir>', 'run folder (default: runs/<bank>-<selection hash>, so the same command resumes)')
    .option('-k, --samples <K>', 'answers per item and form', positiveInt('--samples', 1000))
    .addOption(new Option('--language <lang>', "ask the items' English versions (prompt_en, turns_en), recorded as <endpoint>@en").choices(['zh', 'en']))
    .option('--concurrency <N>', 'requests in flight per endpoint (overrides the config)', positiveInt('--concurrency', 1024))
    .option('--max-in-flight <N>', 'requests in flight across all endpoints', positiveInt('--max-in-flight', 65_536))
    .option('--resume <dir>', 'finish the run in this folder with the selection it was started with')
    .option('--shard <i/n>', 'run only shard i of n (deterministic; join shards with caps merge); auto or auto/n takes it from a Slurm array or Kubernetes Indexed Job')
    .option('--items <ids>', 'only these item ids, comma-separated')
    .option('--topics <topics>', 'only these topics (and their subtopics), comma-separated')
    .option('--depth <levels>', 'only these depths: 3, 2-4 or 1,3')
    .option('--variants <forms>', 'only these forms: clean, variant kinds or variant ids, comma-separated')
    .option('--limit <N>', 'only the first N items that pass the filters', positiveInt('--limit'))
    .option('--status <statuses>', 'review statuses to ask, comma-separated, or all (default: admitted, when the bank records statuses)')
    .addOption(new Option('--cache <dir>', 'response cache folder (default: .cache next to the run folder)'))
    .option('-q, --quiet', 'plain progress lines every 10 s instead of a live display')
    .option('--batch', 'send the requests through the OpenAI Batch API (/v1/files, /v1/batches; cheaper, slower); a batch in progress is collected by the next run')
    .option('--batch-poll <seconds>', 'seconds between batch status checks', positiveInt('--batch-poll'), 30)
    .option('--accept-moved-endpoints', 'resume although an endpoint now has another base URL (the same deployment at a new address)')
    .addOption(new Option('--format <format>', 'summary format on standard output (the run folder, or JSON)').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      examples([
        ['caps run --plan', 'what would be asked, and its cost, with ./caps.config.yaml'],
        ['caps run --bank questions/ --models deepseek-chat --limit 5 --no-cache', 'try one endpoint on 5 items, asking afresh'],
        ['caps run --bank questions/ --samples 3', 'the whole bank, 3 answers per form; run it again to resume'],
        ['caps run --language en', 'the English versions, compared as <endpoint>@en in the report'],
      ]),
    )
    .exitOverride()
    .action(async (options: RunCliOptions) => {
      const found = announceSetup('run', options.config, () => ['judge not used (caps score judges)']);
      keepHeapNearLiveSize();
      if (!found.config) throw new UserError(`no config: pass --config FILE or create ./${DEFAULT_CONFIG_FILE} (caps init writes one with presets).`);
      const config = found.config;
      const resumed = options.resume ? new RunFolder(options.resume).readManifest() : null;
      const bankPaths = options.bank ?? resumed?.bank.paths ?? ['questions'];
      if (!options.bank && !resumed && !existsSync('questions')) {
        throw new UserError('no --bank given and no questions/ folder here; pass --bank PATH (a bank file or folder)');
      }
      const bank = await loadBankOrThrow(bankPaths);
      const selection: RunSelection & { out?: string } = {
        bank,
        config,
        models: list(options.models) ?? (resumed ? resumed.endpoints.map((e) => endpointOfCondition(e.name)) : undefined),
        samples: options.samples ?? (typeof resumed?.plan.samples === 'number' ? resumed.plan.samples : undefined),
        concurrency: options.concurrency,
        filters: filtersOf(options, resumed?.plan.filters as Record<string, unknown> | undefined),
        out: options.resume ?? options.out,
        language: (options.language ?? (resumed?.plan.language === 'en' ? 'en' : undefined)) === 'en' ? 'en' : undefined,
      };
      if (options.language && options.language !== 'en' && options.language !== bank.language) {
        throw new UserError(`--language ${options.language}: bank ${bank.id} is written in ${bank.language}; runs ask it in ${bank.language} or in English (--language en).`);
      }
      if (options.plan) {
        process.stdout.write(formatPlan(selection));
        return;
      }
      const live = progressMode(process.stderr, process.env, options.quiet ?? false) === 'live';
      await untilStopped('caps run: stopping; answers in flight are abandoned and asked again on resume', async (signal) => {
        const common = {
          ...selection,
          cacheDir: options.cache === false ? (false as const) : typeof options.cache === 'string' ? options.cache : undefined,
          acceptMovedEndpoints: options.acceptMovedEndpoints,
          signal,
        };
        const summary = options.batch
          ? await (await import('../runner/batch.js')).runBatchEval({
              ...common,
              pollMs: options.batchPoll * 1000,
              onBatch: (b) => process.stderr.write(formatBatchEvent('run', b)),
            })
          : await runEval({ ...common, maxInFlight: options.maxInFlight, progress: createProgressReporter({ stream: process.stderr, live }) });
        for (const group of summary.shared) {
          process.stderr.write(`caps run: note: endpoints ${group.join(', ')} send identical requests to the same server (base URL, model, parameters, deployment headers), so they share one set of answers\n`);
        }
        process.stderr.write(formatRunSummary(summary));
        process.stdout.write(options.format === 'json' ? `${JSON.stringify(runSummaryJson(summary), null, 2)}\n` : `${summary.dir}\n`);
        if (summary.status !== 'complete') throw new RunIncompleteError(incompleteMessage(summary));
      });
    });
}

/** Only a shard can select nothing without an error (prepareRun): the others hold the whole selection. */
const EMPTY_SHARD = 'this shard holds no answer of the selection (the other shards hold them all); its run folder is written empty, for caps merge';

/** What `caps run` prints to standard error when it ends: counts, the cache, failures with causes, tokens and cost. */
export function formatRunSummary(summary: RunSummary): string {
  const c = summary.counts;
  const lines = [`caps run: ${summary.status}: ${c.done}/${c.planned} answers (${c.resumed} already recorded, ${c.cached} from cache, ${c.requests} HTTP requests, ${c.errors} errors)`];
  if (c.planned === 0) lines.push(`  ${EMPTY_SHARD}`);
  if (c.replayed > 0) {
    const cache = summary.manifest.plan.cache;
    lines.push(`  ${c.replayed} answers were replayed from the response cache${typeof cache === 'string' ? ` (${cache})` : ''}, not asked: add --no-cache to ask afresh`);
  }
  for (const e of summary.endpoints) lines.push(...describeEndpointFailures(e.health, e.notAsked).map((l) => `  ${l}`));
  const usage = formatUsageLines(summary.endpoints.map((e) => e.usage), 'endpoint');
  if (usage.length > 0) lines.push('tokens and cost of this session (cached answers cost nothing):', ...usage);
  return `${lines.join('\n')}\n`;
}

/** The closing error of an incomplete run: fix-first when an endpoint was given up, else re-run. */
function incompleteMessage(summary: RunSummary): string {
  const missing = summary.counts.planned - summary.counts.done;
  const givenUp = summary.endpoints.filter((e) => e.health.givenUp).map((e) => e.health.name);
  if (givenUp.length > 0) {
    return `${missing} answers are missing; ${givenUp.join(', ')} ${givenUp.length === 1 ? 'was' : 'were'} given up (causes above). Fix the cause, then run the same command again: recorded answers are kept.`;
  }
  return `${missing} answers are missing (${summary.counts.errors} recorded as errors, causes above). Run the same command again to ask them.`;
}

function runSummaryJson(summary: RunSummary) {
  return { dir: summary.dir, status: summary.status, counts: summary.counts, endpoints: summary.endpoints };
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
  const estimates = estimatePlan(selection.bank, prepared.plan, prepared.language);
  const { counts } = prepared.plan;
  const lines = [
    `plan for bank ${selection.bank.id} v${selection.bank.version}: ${counts.items} items, ${prepared.samples} sample${prepared.samples === 1 ? '' : 's'}, ${counts.dialogues} dialogues, ${counts.answers} answers`,
    `run folder: ${prepared.out}`,
  ];
  if (usesStatuses(selection.bank.items)) {
    const statuses = selection.filters?.statuses ?? ['admitted'];
    lines.push(`statuses asked: ${statuses.join(', ')} (${itemsWithStatus(selection.bank.items, statuses).length} of ${selection.bank.items.length} items; choose with --status)`);
  }
  if (counts.answers === 0) return [...lines, '', EMPTY_SHARD].join('\n') + '\n';
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
