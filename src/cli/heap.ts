/**
 * Long commands (scoring, asking endpoints) keep little alive but make a great deal of
 * short-lived garbage; V8 would let the heap grow to about four times the live size before a
 * full collection (over 300 MB when scoring 100,000 answers). Growing by half of it instead kept
 * that peak at 182-189 MB instead of 314-325 MB, for the same CPU. A tuning of the collector, not
 * a limit: a larger live set still gets the heap it needs. Set at run time, it applies to the
 * running isolate (unlike --max-old-space-size).
 */
import { setFlagsFromString } from 'node:v8';

export function keepHeapNearLiveSize(): void {
  setFlagsFromString('--heap-growing-percent=50');
}
