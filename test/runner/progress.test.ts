import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createProgressReporter, formatDuration, formatProgress, progressMode } from '../../src/runner/progress.js';

describe('progress', () => {
  it('formats one line per endpoint with done/total, rate, errors, retries, cache hits and ETA', () => {
    const lines = formatProgress({
      startedAt: 0,
      now: 10_000,
      endpoints: [
        { name: 'sim-strong', total: 400, done: 95, errors: 5, retries: 7, cached: 20 },
        { name: 'gpt', total: 10, done: 10, errors: 0, retries: 0, cached: 0 },
      ],
    });
    expect(lines).toEqual([
      'sim-strong  100/400  25%  10.0/s  errors 5  retries 7  cached 20  ETA 30s',
      'gpt           10/10 100%  1.0/s  errors 0  retries 0  cached 0  done',
    ]);
  });

  it('shows an unknown ETA before anything finished and long durations in minutes and hours', () => {
    const [line] = formatProgress({ startedAt: 0, now: 500, endpoints: [{ name: 'a', total: 3, done: 0, errors: 0, retries: 0, cached: 0 }] });
    expect(line.endsWith('ETA -')).toBe(true);
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
  });

  it('is live only on a terminal without CI or --quiet', () => {
    expect(progressMode({ isTTY: true }, {}, false)).toBe('live');
    expect(progressMode({ isTTY: true }, { CI: 'true' }, false)).toBe('plain');
    expect(progressMode({ isTTY: true }, {}, true)).toBe('plain');
    expect(progressMode({}, {}, false)).toBe('plain');
  });

  it('prints plain lines at most once per interval and always at the end', () => {
    let text = '';
    const stream = new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) });
    const reporter = createProgressReporter({ stream, live: false, intervalMs: 1000 });
    const state = (now: number, done: number) => ({ startedAt: 0, now, endpoints: [{ name: 'a', total: 2, done, errors: 0, retries: 0, cached: 0 }] });
    reporter.update(state(1000, 1));
    reporter.update(state(1500, 1));
    reporter.finish(state(1600, 2));
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(text).toMatch(/\[caps run 2s\] a +2\/2 100% .* done\n$/);
  });
});
