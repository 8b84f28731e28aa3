/**
 * Bank provenance for the report: how the bank's items were reviewed (rounds, reviewers,
 * revision rate per round) and how many admitted items a model drafted.
 */
import type { Bank } from '../bank/bank.js';
import { isDrafted, itemsWithStatus } from '../bank/status.js';
import type { BankProvenance } from '../schema/results.js';
import type { ReviewEvent } from './history.js';
import { replay, reviewerRates, roundRates } from './rounds.js';

export function bankProvenance(bank: Bank, history: readonly ReviewEvent[], historyFile: string): BankProvenance {
  const state = replay(history);
  const admitted = itemsWithStatus(bank.items);
  const drafted = admitted.filter(isDrafted).length;
  return {
    history: historyFile,
    rounds: roundRates(state).map((r) => ({
      round: r.round,
      items: r.items,
      with_requests: r.withRequests,
      revision_rate: r.rate,
      threshold: r.threshold,
      passed: r.passed,
      admitted: r.admitted,
      reviewers: r.reviewers,
    })),
    reviewers: reviewerRates(state).map((r) => ({ reviewer: r.reviewer, decisions: r.decisions, revision_requests: r.revisionRequests, revision_rate: r.rate, rounds: r.rounds })),
    admitted_items: admitted.length,
    admitted_drafted: drafted,
    drafted_share: admitted.length ? drafted / admitted.length : null,
  };
}
