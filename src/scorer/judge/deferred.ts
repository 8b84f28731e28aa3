/**
 * Thrown by a judge client that sends its requests in batches when a request's reply is not in
 * yet: the answer is left unscored in this pass and scored once its batch is collected.
 */
export class JudgeDeferred extends Error {
  constructor(readonly judge: string) {
    super(`judge ${judge}: reply awaited from a batch`);
    this.name = 'JudgeDeferred';
  }
}
