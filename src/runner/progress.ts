/**
 * Run progress: a live block of lines per endpoint on a terminal, plain periodic lines in
 * logs and CI. `formatProgress` is pure; the reporter only decides when and how to print.
 */
export interface EndpointProgress {
  name: string;
  total: number;
  done: number;
  errors: number;
  retries: number;
  cached: number;
  /** Answers found already recorded (resumed): finished, but not this session's work. */
  resumed?: number;
  /** When the endpoint finished its last answer: its rate is over its own working time. */
  finishedAt?: number;
}

export interface ProgressState {
  endpoints: EndpointProgress[];
  startedAt: number;
  now: number;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line per endpoint: done/total, percent, rate, errors, retries, cache hits, ETA. */
export function formatProgress(state: ProgressState): string[] {
  const width = Math.max(...state.endpoints.map((e) => e.name.length), 4);
  const countWidth = Math.max(...state.endpoints.map((e) => String(e.total).length * 2 + 1));
  return state.endpoints.map((e) => {
    const finished = e.done + e.errors;
    const percent = e.total === 0 ? 100 : Math.floor((finished / e.total) * 100);
    // Each endpoint's own rate: this session's answers over the time it worked, so a fast
    // endpoint that finished early does not seem to slow down while the others go on.
    const elapsed = Math.max(1, (e.finishedAt ?? state.now) - state.startedAt);
    const rate = ((finished - (e.resumed ?? 0)) / elapsed) * 1000;
    const remaining = e.total - finished;
    const eta = remaining === 0 ? 'done' : rate > 0 ? `ETA ${formatDuration((remaining / rate) * 1000)}` : 'ETA -';
    const count = `${finished}/${e.total}`.padStart(countWidth);
    return `${e.name.padEnd(width)}  ${count} ${String(percent).padStart(3)}%  ${rate.toFixed(1)}/s  errors ${e.errors}  retries ${e.retries}  cached ${e.cached}  ${eta}`;
  });
}

export interface ProgressSink {
  update(state: ProgressState): void;
  finish(state: ProgressState): void;
}

export interface ReporterOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Live redrawing lines; otherwise a plain block every `intervalMs`. */
  live: boolean;
  intervalMs?: number;
}

/** Prints progress at most every interval (live: redraws in place; plain: appends). */
export function createProgressReporter(options: ReporterOptions): ProgressSink {
  const interval = options.intervalMs ?? (options.live ? 200 : 10_000);
  let lastPrint = 0;
  let drawn = 0;
  const print = (state: ProgressState) => {
    const lines = formatProgress(state);
    if (options.live) {
      const up = drawn > 0 ? `\x1b[${drawn}F` : '';
      options.stream.write(up + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
      drawn = lines.length;
    } else {
      options.stream.write(lines.map((l) => `[caps run ${formatDuration(state.now - state.startedAt)}] ${l}`).join('\n') + '\n');
    }
    lastPrint = state.now;
  };
  return {
    update(state) {
      if (state.now - lastPrint >= interval) print(state);
    },
    finish(state) {
      print(state);
    },
  };
}

/** Live on a terminal; plain lines when output is a file or pipe, under CI, or with --quiet. */
export function progressMode(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, quiet: boolean): 'live' | 'plain' {
  return stream.isTTY && !env.CI && !quiet ? 'live' : 'plain';
}
