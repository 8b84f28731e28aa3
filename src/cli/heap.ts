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

/**
 * V8 doubles the young generation whenever much of it survives a scavenge, as when the bank is
 * loaded, up to 32 MB that it never gives back: in `caps score` on threads, this thread's heap
 * committed 54-66 MB for 16-20 MB live. Held from the start of the process (set once the
 * young generation has grown, it grows on), it stayed at 8-16 MB and the peak at 100,000
 * answers fell by about 35 MB (docs/benchmarks.md). Released for every command but that one,
 * where a young generation that small would cost a quarter more CPU. Unlike
 * --max-semi-space-size, which only applies at launch, it can be released at run time.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** V8's own growth of the young generation again (its default factor). */
export function releaseYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
