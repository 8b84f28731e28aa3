/**
 * `caps review open|decide|revise|close|status`: peer review rounds over a bank from the
 * command line. Each step appends one event to the review history beside the bank and
 * records the resulting statuses (in-review, admitted) in the bank files.
 */
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { appendReviewEvents } from '../review/history-file.js';
import { itemEntryIds, loadReview, recordReviewEvent, roundCandidates } from '../review/record.js';
import { closeRound, decide, missingDecisions, openRound, openRoundOf, reviewerRates, reviseItem, roundRates, DEFAULT_REVISION_THRESHOLD, type ReviewState } from '../review/rounds.js';
import { examples } from './help.js';

interface Common {
  bank: string[];
  history?: string;
}

const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);
const now = () => new Date().toISOString();
const context = (options: Common) => loadReview(options.bank, options.history);

function withCommon(command: Command): Command {
  return command
    .option('-b, --bank <paths...>', 'bank files or folders', ['questions'])
    .option('--history <file>', 'review history (default: review-history.jsonl beside the bank)')
    .exitOverride();
}

export function reviewCommand(): Command {
  const review = new Command('review')
    .description('peer review rounds: open a round, record decisions and revisions, close it to admit items')
    .addHelpText('after', examples([['caps review open --reviewers dr-li,dr-wang --by dr-chen', 'open a round'], ['caps review status', 'where the round stands']]))
    .exitOverride();

  review.addCommand(
    withCommon(new Command('open'))
      .addHelpText('after', examples([['caps review open --reviewers dr-li,dr-wang --by dr-chen', 'a round over the drafts and revised items, two reviewers each']]))
      .description('open the next round over the revised items and the drafts and items in review never reviewed (or --items)')
      .requiredOption('--reviewers <names>', 'reviewers to assign, comma-separated')
      .requiredOption('--by <name>', 'the coordinator opening the round')
      .option('--items <ids>', 'the items of the round, comma-separated')
      .option('--per-item <N>', 'reviewers per item (default: the bank\'s review.reviewers_per_item, else 2)')
      .action(async (options: Common & { reviewers: string; by: string; items?: string; perItem?: string }) => {
        const review = await context(options);
        const { bank, state } = review;
        const perItem = options.perItem === undefined ? (bank.review?.reviewers_per_item ?? 2) : Number(options.perItem);
        if (!Number.isInteger(perItem) || perItem < 1) throw new UserError(`--per-item needs a whole number of at least 1, not "${options.perItem}"`);
        const items = await roundCandidates(options.bank, review, options.items ? list(options.items) : undefined);
        const event = openRound(state, { bank: bank.id, items, reviewers: list(options.reviewers), perItem, threshold: bank.review?.revision_threshold ?? DEFAULT_REVISION_THRESHOLD, by: options.by, at: now() });
        const after = await recordReviewEvent(options.bank, review, event, new Set(items.map((i) => i.item)));
        const { file } = review;
        const round = openRoundOf(after);
        const load = new Map<string, number>();
        for (const { reviewers } of round.assignments.values()) for (const r of reviewers) load.set(r, (load.get(r) ?? 0) + 1);
        process.stdout.write(`round ${round.round} opened over ${round.assignments.size} item(s), ${perItem} reviewer(s) each: ${[...load].map(([r, n]) => `${r} ${n}`).join(', ')}\nhistory: ${file}\n`);
      }),
  );

  review.addCommand(
    withCommon(new Command('decide'))
      .addHelpText('after', examples([['caps review decide --item ht-001 --reviewer dr-li --accept', 'accept an item'], ['caps review decide --item ht-001 --reviewer dr-li --revise --comment "threshold is 130/80" --entry target', 'ask for a revision of one entry']]))
      .description('record a reviewer\'s decision on an item of the open round')
      .requiredOption('--item <id>', 'item id')
      .requiredOption('--reviewer <name>', 'the reviewer')
      .option('--accept', 'accept the item as it is')
      .option('--revise', 'request a revision (give --comment)')
      .option('--comment <text...>', 'what is wrong and what to change')
      .option('--entry <id>', 'the rubric entry the comments are about (default: the item as a whole)')
      .action(async (options: Common & { item: string; reviewer: string; accept?: boolean; revise?: boolean; comment?: string[]; entry?: string }) => {
        if (Boolean(options.accept) === Boolean(options.revise)) throw new UserError('give exactly one of --accept or --revise');
        const { bank, file, state } = await context(options);
        const item = bank.items.find((i) => i.id === options.item);
        const comments = (options.comment ?? []).map((text) => ({ text, ...(options.entry ? { entry: options.entry } : {}) }));
        const event = decide(state, { item: options.item, reviewer: options.reviewer, decision: options.accept ? 'accept' : 'revise', comments, at: now(), ...(item ? { entries: itemEntryIds(item) } : {}) });
        appendReviewEvents(file, [event]);
        process.stdout.write(`${options.reviewer}: ${event.decision} "${options.item}" in round ${event.round}\n`);
      }),
  );

  review.addCommand(
    withCommon(new Command('revise'))
      .addHelpText('after', examples([['caps review revise --item ht-001 --by dr-chen --note "target fixed"', 'the author answered the requests']]))
      .description('record that the author revised an item in answer to its revision requests')
      .requiredOption('--item <id>', 'item id')
      .requiredOption('--by <name>', 'the author')
      .option('--note <text>', 'what was changed')
      .action(async (options: Common & { item: string; by: string; note?: string }) => {
        const { file, state } = await context(options);
        appendReviewEvents(file, [reviseItem(state, { item: options.item, by: options.by, note: options.note, at: now() })]);
        process.stdout.write(`"${options.item}" revised; it enters the next round\n`);
      }),
  );

  review.addCommand(
    withCommon(new Command('close'))
      .addHelpText('after', examples([['caps review close --by dr-chen', "admit the round's items if few needed revision"]]))
      .description('close the open round: admit its items if the revision rate is below the threshold')
      .requiredOption('--by <name>', 'the coordinator closing the round')
      .action(async (options: Common & { by: string }) => {
        const review = await context(options);
        const after = await recordReviewEvent(options.bank, review, closeRound(review.state, { by: options.by, at: now() }));
        const round = after.rounds.at(-1)!;
        const outcome = round.closed!;
        process.stdout.write(
          `round ${round.round}: ${outcome.withRequests.length} of ${outcome.reviewed} item(s) with a revision request = ${(outcome.rate * 100).toFixed(1)}% (threshold ${(round.threshold * 100).toFixed(1)}%): ` +
            `${outcome.passed ? `passed, ${outcome.admitted.length} item(s) admitted` : 'not passed, nothing admitted; revise the flagged items and open another round'}\n` +
            (outcome.withRequests.length ? `to revise: ${outcome.withRequests.join(', ')}\n` : ''),
        );
      }),
  );

  review.addCommand(
    withCommon(new Command('status'))
      .addHelpText('after', examples([['caps review status', 'revision rates and what the open round waits for']]))
      .description('revision rate per round and per reviewer, and what the open round waits for')
      .action(async (options: Common) => {
        const { file, state } = await context(options);
        process.stdout.write(formatReviewStatus(state, file));
      }),
  );
  return review;
}

export function formatReviewStatus(state: ReviewState, file: string): string {
  const pct = (x: number | null) => (x === null ? 'open' : `${(x * 100).toFixed(1)}%`);
  const lines = [`review history ${file}: ${state.rounds.length} round(s)`];
  for (const r of roundRates(state)) {
    lines.push(`round ${r.round}: ${r.items} item(s), ${r.reviewers} reviewer(s), ${r.withRequests} with a revision request, rate ${pct(r.rate)} (threshold ${pct(r.threshold)})${r.passed === null ? '' : r.passed ? `, passed, ${r.admitted} admitted` : ', not passed'}`);
  }
  const open = state.rounds.find((r) => !r.closed);
  if (open) {
    const missing = missingDecisions(open);
    lines.push(`round ${open.round} is open and waits for ${missing.length} decision(s)${missing.length ? `: ${missing.join('; ')}` : '; close it with caps review close'}`);
  }
  for (const r of reviewerRates(state)) lines.push(`reviewer ${r.reviewer}: ${r.decisions} decision(s), ${r.revisionRequests} revision request(s), rate ${pct(r.rate)}`);
  const waiting = [...state.items.values()].filter((i) => i.status === 'awaiting-revision');
  for (const i of waiting) {
    lines.push(`awaiting revision: ${i.item}: ${i.openRequests.flatMap((r) => r.comments.map((c) => `${r.reviewer}${c.entry ? ` on ${c.entry}` : ''}: ${c.text}`)).join(' | ')}`);
  }
  return `${lines.join('\n')}\n`;
}
