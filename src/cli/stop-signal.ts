/** Ctrl-C and SIGTERM turned into an abort signal for a long command, which then ends cleanly (what it wrote is kept). */
export async function untilStopped<T>(message: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => {
    process.stderr.write(`\n${message}\n`);
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await task(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
