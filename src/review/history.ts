/**
 * The review history: every step of peer review as one event per JSON line (open a round,
 * a reviewer's decision, an author's revision, close a round). The state of a review is a
 * fold over these events, so the history is the whole record: it can be exported, checked
 * into git beside the bank, or rebuilt from the studio's database.
 */
import { z } from 'zod';
import { Id } from '../schema/shared.js';

export const REVIEW_HISTORY_VERSION = 1;

const Person = z.string().trim().min(1).describe('a reviewer, author or coordinator, by name');
const Round = z.number().int().min(1);
const At = z.iso.datetime({ offset: true }).describe('when, ISO 8601');

const base = { v: z.literal(REVIEW_HISTORY_VERSION), at: At };

/** A comment on the item as a whole, or on one rubric entry of it (by entry id). */
export const ReviewComment = z.strictObject({
  entry: Id.optional().describe('the rubric entry the comment is about; absent for the item as a whole'),
  text: z.string().trim().min(1).describe('what is wrong and what to change'),
});
export type ReviewComment = z.infer<typeof ReviewComment>;

export const RoundOpened = z.strictObject({
  ...base,
  type: z.literal('round-opened'),
  round: Round,
  by: Person.describe('the coordinator'),
  bank: z.string(),
  threshold: z.number().gt(0).max(1).describe('revision rate below which the round admits its items'),
  items: z
    .array(z.strictObject({ item: Id, authors: z.array(Person).default([]), reviewers: z.array(Person).min(1) }))
    .min(1),
});

export const ReviewDecision = z.enum(['accept', 'revise']);
export type ReviewDecision = z.infer<typeof ReviewDecision>;

export const DecisionMade = z.strictObject({
  ...base,
  type: z.literal('decision'),
  round: Round,
  item: Id,
  reviewer: Person,
  decision: ReviewDecision,
  comments: z.array(ReviewComment).default([]),
});

export const ItemRevised = z.strictObject({
  ...base,
  type: z.literal('revised'),
  item: Id,
  by: Person.describe('the author who revised the item'),
  note: z.string().optional().describe('what was changed in answer to the comments'),
});

export const RoundClosed = z.strictObject({
  ...base,
  type: z.literal('round-closed'),
  round: Round,
  by: Person,
});

export const ReviewEvent = z.discriminatedUnion('type', [RoundOpened, DecisionMade, ItemRevised, RoundClosed]);
export type ReviewEvent = z.infer<typeof ReviewEvent>;
export type RoundOpened = z.infer<typeof RoundOpened>;
export type DecisionMade = z.infer<typeof DecisionMade>;
export type ItemRevised = z.infer<typeof ItemRevised>;
export type RoundClosed = z.infer<typeof RoundClosed>;
