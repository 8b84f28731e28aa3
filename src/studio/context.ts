/** What every studio route works with: the database, the files it grades, and where doctors' answers go. */
import type { Corpus } from './corpus.js';
import type { Store } from './store.js';

export interface StudioContext {
  store: Store;
  corpus: Corpus;
  /** The run folder doctors' answers typed in the studio are written to. */
  answersRun: string;
  /** caps.config.yaml with the endpoints the studio may ask to draft items, when given. */
  config?: string;
}
